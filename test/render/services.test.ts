// role.yml `services:` rendered into provision_services, and `source:` files installed verbatim: what
// the built-in roles give the renewal script, and the errors a role author sees, at the role.yml line.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.js';
import { prepareRenderers, renderHost } from '../../src/render/render-host.js';
import { builtinRolesDir } from '../../src/model/paths.js';
import { templateVars } from '../../src/resolve/template-vars.js';
import type { FileResource } from '../../src/model/desired.js';

const base = mkdtempSync(join(tmpdir(), 'provision-services-'));
after(() => rmSync(base, { recursive: true, force: true }));

let counter = 0;
/** A search-path directory with these roles (relative file name -> content per role). */
function searchDir(roles: Record<string, Record<string, string>>): string {
  const dir = join(base, `path${counter++}`);
  for (const [name, files] of Object.entries(roles)) {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, name, file, '..'), { recursive: true });
      writeFileSync(join(dir, name, file), text);
    }
  }
  return dir;
}

const builtin = loadRoles([builtinRolesDir]);
const builtinRenderers = prepareRenderers(builtin.roles.values());

/** The built-in roles rendered for a host with these variables (role defaults under them). */
function renderBuiltin(vars: Record<string, unknown> & { provision_roles: string[] }) {
  const defaults = Object.assign({}, ...vars.provision_roles.map((name) => builtin.roles.get(name)!.defaults));
  const { vars: context, errors } = templateVars({ ...defaults, ...vars, inventory_hostname: 'h.example.test', group_names: [] });
  assert.deepEqual(errors, []);
  return renderHost('h.example.test', vars.provision_roles, context, builtinRenderers);
}

function file(state: { resources: { kind: string; path?: string }[] }, path: string): FileResource {
  const found = state.resources.find((r) => r.kind === 'file' && r.path === path);
  assert.ok(found, `no file ${path}`);
  return found as FileResource;
}

const twoCertificates = {
  acme_certificates: [
    { name: 'www.example.test', domains: ['www.example.test'] },
    { name: 'mail.example.test', domains: ['mail.example.test'], services: ['exim4'] },
  ],
};

test('the service roles declare their services; the renewal script reloads each after its certificates, the challenge one before --once', () => {
  const { state, problems } = renderBuiltin({
    provision_roles: ['letsencrypt', 'apache', 'postfix', 'dovecot'],
    ...twoCertificates,
    postfix_certificate: 'mail.example.test',
  });
  assert.deepEqual(problems, []);
  const script = file(state, '/usr/local/sbin/letsencrypt-renew').content;
  // Apache uses both (apache_certificates: all), Postfix the mail certificate, Dovecot the first.
  assert.match(script, /^\trenew_certificate www\.example\.test 'apache2 dovecot' www\.example\.test \|\| status=1$/m);
  assert.match(script, /^\trenew_certificate mail\.example\.test 'apache2 postfix exim4' mail\.example\.test \|\| status=1$/m);
  assert.match(script, /^CHALLENGE_SERVICES=apache2$/m);
  // The handler names no service: the script reloads the challenge services itself.
  const issue = state.handlers.find((h) => h.name === 'issue certificate')!;
  assert.deepEqual(
    issue.steps.map((s) => s.kind),
    ['command'],
  );
});

test('without a role that serves the challenge nothing is reloaded before --once; a certificate no role uses keeps only its own services', () => {
  const { state, problems } = renderBuiltin({ provision_roles: ['letsencrypt', 'postfix'], ...twoCertificates });
  assert.deepEqual(problems, []);
  const script = file(state, '/usr/local/sbin/letsencrypt-renew').content;
  assert.match(script, /^CHALLENGE_SERVICES=''$/m);
  assert.match(script, /^\trenew_certificate www\.example\.test postfix www\.example\.test \|\| status=1$/m);
  assert.match(script, /^\trenew_certificate mail\.example\.test exim4 mail\.example\.test \|\| status=1$/m);
});

test('provision_services is what every role template sees: role, unit, certificates, challenge', () => {
  const dir = searchDir({
    web: {
      'role.yml': 'prefix: web_\nservices:\n  - unit: web-server\n    certificates: "{{ web_certificates }}"\n    challenge: true\nresources: []\n',
      'schema.json': JSON.stringify({ type: 'object', properties: { web_certificates: { type: 'array' } } }),
    },
    show: {
      'role.yml': 'prefix: show_\nresources:\n  - file:\n      template: services.txt.njk\n      dest: /tmp/services.txt\n',
      'templates/services.txt.njk': '{{ provision_services | dump }}\n',
    },
  });
  const { roles, problems: loadProblems } = loadRoles([dir]);
  assert.deepEqual(loadProblems, []);
  const { state, problems } = renderHost(
    'h',
    ['web', 'show'],
    { ...twoCertificates, web_certificates: ['mail.example.test'] },
    prepareRenderers(roles.values()),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(JSON.parse(file(state, '/tmp/services.txt').content), [
    { role: 'web', unit: 'web-server', certificates: ['mail.example.test'], challenge: true },
  ]);
});

test('a service unit that is not a service name, or a certificate the host does not have, is an error at the role.yml entry', () => {
  const manifest = 'prefix: web_\nservices:\n  - unit: "{{ web_unit }}"\n    certificates: "{{ web_certificates }}"\nresources: []\n';
  const dir = searchDir({
    web: {
      'role.yml': manifest,
      'schema.json': JSON.stringify({ type: 'object', properties: { web_unit: { type: 'string' }, web_certificates: { type: 'array' } } }),
    },
  });
  const { roles } = loadRoles([dir]);
  const renderers = prepareRenderers(roles.values());
  const roleFile = join(dir, 'web', 'role.yml');

  const badUnit = renderHost('h', ['web'], { ...twoCertificates, web_unit: 'x; reboot', web_certificates: [] }, renderers).problems;
  assert.equal(badUnit.length, 1, JSON.stringify(badUnit));
  assert.match(badUnit[0]!.message, /^role web: services\[0\]\.unit: "x; reboot" is not a service name/);
  assert.equal(badUnit[0]!.line, 3);
  assert.ok(badUnit[0]!.file?.endsWith(roleFile.slice(-40)), badUnit[0]!.file);
  assert.deepEqual(badUnit[0]!.hosts, ['h']);

  const unknown = renderHost('h', ['web'], { ...twoCertificates, web_unit: 'web', web_certificates: ['shop.example.test'] }, renderers).problems;
  assert.equal(unknown.length, 1, JSON.stringify(unknown));
  assert.equal(
    unknown[0]!.message,
    `role web: services[0].certificates: "shop.example.test" is not one of the host's certificates; acme_certificates names www.example.test, mail.example.test`,
  );
  assert.equal(unknown[0]!.line, 4);

  const notList = renderHost('h', ['web'], { ...twoCertificates, web_unit: 'web', web_certificates: 'www.example.test' }, renderers).problems;
  assert.match(notList[0]!.message, /services\[0\]\.certificates: expected a list of certificate names, got "www\.example\.test"/);
});

test('source: files are installed verbatim, after the template when there is one; a missing or escaping source is a load error at its line', () => {
  const plain = '# {{ not rendered }} ${#x} {% raw %}\necho "$1"\n';
  const dir = searchDir({
    tool: {
      'role.yml': [
        'prefix: tool_',
        'resources:',
        '  - file:',
        '      source: run.sh',
        '      dest: /usr/local/bin/run',
        '  - file:',
        '      template: head.njk',
        '      source: [shared/reload-service.sh, run.sh]',
        '      dest: /usr/local/bin/both',
        '',
      ].join('\n'),
      'files/run.sh': plain,
      'templates/head.njk': '#!/bin/sh\nNAME={{ inventory_hostname | shquote }}\n',
    },
  });
  const { roles, problems: loadProblems } = loadRoles([dir]);
  assert.deepEqual(loadProblems, []);
  const { state, problems } = renderHost('h', ['tool'], { inventory_hostname: 'h' }, prepareRenderers(roles.values()));
  assert.deepEqual(problems, []);
  assert.equal(file(state, '/usr/local/bin/run').content, plain);
  const library = readFileSync(join(builtinRolesDir, '../templates/reload-service.sh'), 'utf8');
  assert.equal(file(state, '/usr/local/bin/both').content, `#!/bin/sh\nNAME=h\n${library}${plain}`);

  const broken = searchDir({
    tool: {
      'role.yml':
        'prefix: tool_\nresources:\n  - file:\n      source: missing.sh\n      dest: /a\n  - file:\n      source: [run.sh, ../../etc/passwd]\n      dest: /b\n',
      'files/run.sh': plain,
    },
  });
  const { problems: brokenProblems } = loadRoles([broken]);
  assert.equal(brokenProblems.length, 2, JSON.stringify(brokenProblems));
  assert.match(brokenProblems[0]!.message, /^role tool: source "missing\.sh": no such file .*tool\/files\/missing\.sh$/);
  assert.equal(brokenProblems[0]!.line, 4);
  assert.match(brokenProblems[1]!.message, /^role tool: source "\.\.\/\.\.\/etc\/passwd": expected a file name inside the role's files\//);
  assert.equal(brokenProblems[1]!.line, 7);

  const neither = searchDir({ tool: { 'role.yml': 'prefix: tool_\nresources:\n  - file:\n      dest: /a\n' } });
  assert.ok(loadRoles([neither]).problems.length > 0, 'a file resource needs a template or a source');
});
