// role.yml `endpoints:` rendered into provision_endpoints: what the built-in roles give the renewal
// script's metrics file (its ENDPOINTS setting, one line per endpoint), and the error a role author
// sees for a service name that would break that line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.js';
import { prepareRenderers, renderHost } from '../../src/render/render-host.js';
import { builtinRolesDir } from '../../src/model/paths.js';
import { templateVars } from '../../src/resolve/template-vars.js';
import type { FileResource } from '../../src/model/desired.js';

const base = mkdtempSync(join(tmpdir(), 'provision-endpoints-'));
after(() => rmSync(base, { recursive: true, force: true }));

const builtin = loadRoles([builtinRolesDir]);
const builtinRenderers = prepareRenderers(builtin.roles.values());

function renewalScript(vars: Record<string, unknown> & { provision_roles: string[] }): string {
  const defaults = Object.assign({}, ...vars.provision_roles.map((name) => builtin.roles.get(name)!.defaults));
  const { vars: context, errors } = templateVars({ ...defaults, ...vars, inventory_hostname: 'h.example.test', group_names: [] });
  assert.deepEqual(errors, []);
  const { state, problems } = renderHost('h.example.test', vars.provision_roles, context, builtinRenderers);
  assert.deepEqual(problems, []);
  const script = state.resources.find((r) => r.kind === 'file' && r.path === '/usr/local/sbin/letsencrypt-renew') as FileResource | undefined;
  assert.ok(script);
  return script.content!;
}

const certificates = {
  acme_certificates: [
    { name: 'www.example.test', domains: ['www.example.test', 'example.test'] },
    { name: 'mail.example.test', domains: ['mail.example.test'] },
  ],
};

test("the renewal script's header lists the host's certificates and every endpoint of its roles for the metrics file, in acme_metrics_dir (the collector's directory by default)", () => {
  const script = renewalScript({ provision_roles: ['letsencrypt', 'apache', 'postfix', 'dovecot'], ...certificates, postfix_certificate: 'mail.example.test' });
  assert.match(script, /^METRICS_DIR=\/var\/lib\/prometheus\/node-exporter$/m);
  assert.match(script, /^CERTIFICATE_NAMES='www\.example\.test mail\.example\.test'/m);
  const endpoints = /^ENDPOINTS='([^']*)'$/m.exec(script);
  assert.ok(endpoints, 'an ENDPOINTS setting');
  const lines = endpoints[1]!.split('\n');
  // Apache: one per certificate it serves (all), by its first name; Postfix's STARTTLS on 25; Dovecot's 993.
  assert.ok(lines.includes('www.example.test 443 none www.example.test apache2'), lines.join('\n'));
  assert.ok(lines.includes('mail.example.test 443 none mail.example.test apache2'), lines.join('\n'));
  assert.ok(
    lines.some((line) => /^mail\.example\.test 25 smtp mail\.example\.test /.test(line)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((line) => / 993 none /.test(line)),
    lines.join('\n'),
  );
});

test('acme_metrics_dir "" renders an empty METRICS_DIR (never written); a host without endpoints an empty ENDPOINTS', () => {
  const script = renewalScript({ provision_roles: ['letsencrypt'], ...certificates, acme_metrics_dir: '' });
  assert.match(script, /^METRICS_DIR=''$/m);
  assert.match(script, /^ENDPOINTS=''$/m);
});

test("an endpoint's service with a line break is an error at the role.yml entry (it is the last field of an ENDPOINTS line)", () => {
  const dir = join(base, 'roles');
  mkdirSync(join(dir, 'web'), { recursive: true });
  writeFileSync(
    join(dir, 'web', 'role.yml'),
    'prefix: web_\nendpoints:\n  - service: "web\\nmail.example.test 25 smtp x y"\n    port: 443\n    certificates: "{{ [\'www.example.test\'] }}"\nresources: []\n',
  );
  const { roles, problems: loadProblems } = loadRoles([dir]);
  assert.deepEqual(loadProblems, []);
  const { problems } = renderHost('h', ['web'], { ...certificates }, prepareRenderers(roles.values()));
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.match(problems[0]!.message, /^role web: endpoints\[0\]\.service: .* has control characters$/);
  assert.equal(problems[0]!.line, 3);
});
