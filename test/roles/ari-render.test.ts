// What the letsencrypt role renders for ARI: the helper (the managed-file header, then files/ari.py
// verbatim, root 0644) where the script runs it, the state directory root's 0755, and the script's
// RUN_INTERVAL from acme_schedule (an ARI moment before the next scheduled run is renewed now).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.js';
import { prepareRenderers, renderHost } from '../../src/render/render-host.js';
import { templateVars } from '../../src/resolve/template-vars.js';
import type { Resource } from '../../src/model/desired.js';
import { projectRoot } from '../helpers/cli.js';

const { roles } = loadRoles([join(projectRoot, 'roles')]);
const renderers = prepareRenderers(roles.values());

function render(vars: Record<string, unknown>): Resource[] {
  const all = { ...roles.get('letsencrypt')!.defaults, acme_domains: ['www.example.test'], ...vars };
  const { vars: context } = templateVars({ ...all, inventory_hostname: 'web1.example.test', group_names: ['all'] });
  const { state, problems } = renderHost('web1.example.test', ['letsencrypt'], context, renderers);
  assert.deepEqual(problems, []);
  return state.resources;
}
const at = (resources: Resource[], path: string) => resources.find((r) => 'path' in r && r.path === path);

test('the role installs ari.py verbatim after the header, root 0644, and the state directory root 0755', () => {
  const resources = render({});
  const helper = at(resources, '/usr/local/lib/letsencrypt-renew/ari.py');
  assert.ok(helper && helper.kind === 'file');
  const plain = readFileSync(join(projectRoot, 'roles/letsencrypt/files/ari.py'), 'utf8');
  assert.equal(helper.content, `# Managed by provision (role letsencrypt). Do not edit: changes are overwritten on the next apply.\n${plain}`);
  for (const [path, kind, mode] of [
    ['/usr/local/lib/letsencrypt-renew/ari.py', 'file', '0644'],
    ['/usr/local/lib/letsencrypt-renew', 'directory', '0755'],
    ['/var/lib/letsencrypt-renew', 'directory', '0755'],
  ] as const) {
    const resource = at(resources, path);
    assert.ok(resource && resource.kind === kind && 'owner' in resource, path);
    assert.deepEqual([resource.owner, resource.group, resource.mode], ['root', 'root', mode], path);
  }
  const script = at(resources, '/usr/local/sbin/letsencrypt-renew');
  assert.ok(script && script.kind === 'file');
  assert.match(script.content, /^ARI_HELPER=\/usr\/local\/lib\/letsencrypt-renew\/ari\.py /m);
  assert.match(script.content, /^RENEWAL_STATE=\/var\/lib\/letsencrypt-renew /m);
});

test('RUN_INTERVAL: a month for the monthly schedule, 12 hours otherwise', () => {
  for (const [schedule, seconds] of [
    ['daily', 43200],
    ['systemd', 43200],
    ['monthly', 2678400],
  ] as const) {
    const script = at(render({ acme_schedule: schedule }), '/usr/local/sbin/letsencrypt-renew');
    assert.ok(script && script.kind === 'file');
    assert.match(script.content, new RegExp(`^RUN_INTERVAL=${seconds}$`, 'm'), schedule);
  }
});
