// The role manifest's `facts:` and `checks:`: what a role declares about its programs, checked when
// the roles load (each regex compiled there, a problem at its place in role.yml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factsOf, factVersion } from '../../src/probe/facts.js';
import { builtinRolesDir } from '../../src/model/paths.js';
import { loadRoles } from '../../src/load/load-roles.js';
import { builtinCheckNames } from '../../src/model/checker-names.js';
import { checkers } from '../../src/validate/checkers/index.js';

function searchDir(roles: Record<string, { manifest: string; schema?: object }>): string {
  const base = mkdtempSync(join(tmpdir(), 'provision-manifest-'));
  for (const [name, role] of Object.entries(roles)) {
    mkdirSync(join(base, name, 'templates'), { recursive: true });
    writeFileSync(join(base, name, 'role.yml'), role.manifest);
    if (role.schema) writeFileSync(join(base, name, 'schema.json'), JSON.stringify(role.schema));
  }
  return base;
}

const factOf = (name: string, variable: string, version: string) =>
  [
    `  - name: ${name}`,
    `    variable: ${variable}`,
    '    label: Tool',
    '    programs: [tool, /usr/sbin/tool]',
    '    args: [--version]',
    `    version: ['${version}']`,
  ].join('\n');

test('the list of built-in check names is the checkers of provision validate', () => {
  assert.deepEqual([...builtinCheckNames].sort(), [...checkers.keys()].sort());
});

test("the built-in roles declare today's four facts, nginx's and acme-tiny's with their programs, and read their versions", () => {
  const facts = factsOf(loadRoles([builtinRolesDir]).roles.values());
  const byName = new Map(facts.map((f) => [f.name, f]));
  assert.deepEqual([...byName.keys()].sort(), ['acme_tiny', 'apache', 'dovecot', 'nginx', 'openssl', 'postfix']);
  assert.deepEqual(
    { ...byName.get('postfix'), version: undefined },
    {
      name: 'postfix',
      variable: 'postfix_version',
      label: 'Postfix',
      programs: ['postconf', '/usr/sbin/postconf'],
      args: ['-d', '-h', 'mail_version'],
      output: 'stdout',
      version: undefined,
      role: 'postfix',
    },
  );
  assert.equal(byName.get('openssl')!.variable, 'apache_openssl_version');
  assert.equal(factVersion(byName.get('openssl')!, 'OpenSSL 3.0.17 1 Jul 2025'), '3.0.17', 'the second pattern when there is no "Library:"');
  assert.equal(factVersion(byName.get('apache')!, 'Server version: nothing here'), undefined);
  // nginx -v prints its version on stderr: the fact reads both streams.
  assert.equal(byName.get('nginx')!.output, 'both');
  assert.equal(factVersion(byName.get('nginx')!, 'nginx version: nginx/1.22.1'), '1.22.1');
});

test('a fact whose variable the schema does not declare, and a version regex that does not compile, are load errors at their line', () => {
  const dir = searchDir({
    tool: {
      manifest: `prefix: tool_\nresources: []\nfacts:\n${factOf('tool', 'tool_version', '(\\d+')}\n${factOf('other', 'tool_other', 'x')}\n`,
      schema: { type: 'object', properties: { tool_version: {} } },
    },
  });
  const { problems } = loadRoles([dir]);
  assert.equal(problems.length, 2, JSON.stringify(problems));
  const regex = problems.find((p) => /not a valid regular expression/.test(p.message))!;
  assert.match(regex.message, /^role tool: fact tool: version: not a valid regular expression/);
  assert.match(regex.file!, /tool\/role\.yml$/);
  assert.equal(regex.line, 9);
  const variable = problems.find((p) => /schema does not declare/.test(p.message))!;
  assert.equal(variable.message, 'role tool: fact other states tool_other, which its schema does not declare');
  assert.equal(variable.line, 11);
});

test('a fact name two roles declare is a load error naming both', () => {
  const dir = searchDir({
    one: {
      manifest: `prefix: one_\nresources: []\nfacts:\n${factOf('tool', 'one_version', 'x')}\n`,
      schema: { type: 'object', properties: { one_version: {} } },
    },
    two: {
      manifest: `prefix: two_\nresources: []\nfacts:\n${factOf('tool', 'two_version', 'x')}\n`,
      schema: { type: 'object', properties: { two_version: {} } },
    },
  });
  const { problems } = loadRoles([dir]);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0]!.message, 'role two: fact "tool" is declared by role one too');
  assert.equal(problems[0]!.line, 4);
});

const checkOf = (name: string, extra = '') => `checks:\n  ${name}:\n    label: ${name} test\n    root: /etc/${name}\n    command: ${name} -t${extra}\n`;
const fileChecked = (check: string) => `resources:\n  - file: { template: x.njk, dest: /etc/x/x.conf, check: [${check}] }\n`;

test('a file may name a check its own role or a required role declares, a built-in checker, nothing else', () => {
  const dir = searchDir({
    base: { manifest: `prefix: base_\nresources: []\n${checkOf('basecheck')}` },
    user: { manifest: `prefix: user_\nrequires: [base]\n${fileChecked('basecheck')}` },
    own: { manifest: `prefix: own_\n${checkOf('owncheck')}${fileChecked('owncheck')}` },
    builtin: { manifest: `prefix: builtin_\n${fileChecked('apache')}` },
    stranger: { manifest: `prefix: stranger_\n${fileChecked('basecheck')}` },
  });
  const { problems } = loadRoles([dir]);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.match(problems[0]!.message, /^role stranger: unknown check "basecheck"; known checks: shell, apache, postfix, dovecot, openssl$/);
  assert.equal(problems[0]!.line, 3);
});

test('a check name two roles declare, and a findings regex that does not compile, are load errors', () => {
  const dir = searchDir({
    one: { manifest: `prefix: one_\nresources: []\n${checkOf('same')}` },
    two: { manifest: `prefix: two_\nresources: []\n${checkOf('same')}    findings: '(?<file>'\n` },
  });
  const { problems } = loadRoles([dir]);
  assert.equal(problems.length, 2, JSON.stringify(problems));
  assert.ok(
    problems.some((p) => p.message === 'role two: check "same" is declared by role one too'),
    JSON.stringify(problems),
  );
  const findings = problems.find((p) => /findings/.test(p.message))!;
  assert.match(findings.message, /^role two: check same: findings: not a valid regular expression/);
  assert.equal(findings.line, 8);
});

test('the schema refuses a check without a command and a fact without programs', () => {
  const dir = searchDir({
    bad: {
      manifest:
        'prefix: bad_\nresources: []\nchecks:\n  x:\n    label: x\n    root: /etc/x\nfacts:\n  - { name: x, variable: bad_v, label: X, programs: [], version: [x] }\n',
    },
  });
  const { problems } = loadRoles([dir]);
  assert.deepEqual(problems.map((p) => `${p.line} ${p.variable}: ${p.message}`).sort(), [
    '5 checks.x.command: role bad: is required but not set',
    '8 facts[0].programs: role bad: expected at least 1 item(s), got []',
  ]);
});
