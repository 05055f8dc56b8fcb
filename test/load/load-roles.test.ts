import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.js';
import { builtinRolesDir } from '../../src/model/paths.js';
import type { Problem } from '../../src/model/errors.js';

const base = mkdtempSync(join(tmpdir(), 'provision-load-roles-'));
after(() => rmSync(base, { recursive: true, force: true }));

let counter = 0;
/** A fresh search-path directory holding the given roles (file name -> content per role). */
function searchDir(roles: Record<string, Record<string, string>>): string {
  const dir = join(base, `path${counter++}`);
  mkdirSync(dir);
  for (const [name, files] of Object.entries(roles)) {
    mkdirSync(join(dir, name));
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, name, file), text);
  }
  return dir;
}

function positionOf(text: string, needle: string): { line: number; col: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

function only(problems: Problem[], variable: string): Problem {
  const found = problems.filter((p) => p.variable === variable);
  assert.equal(found.length, 1, `problems about ${variable}: ${JSON.stringify(problems)}`);
  return found[0]!;
}

test('a valid role loads with its manifest, defaults, templates dir and declared variables', () => {
  const dir = searchDir({
    web: {
      'role.yml': 'prefix: web_\nresources:\n  - directory:\n      path: "{{ web_root }}"\n',
      'defaults.yml': 'web_root: /srv/www\n',
      'schema.json': JSON.stringify({ type: 'object', properties: { web_root: { type: 'string' }, web_password: { type: 'string', secret: true } } }),
    },
  });
  const { roles, problems } = loadRoles([dir]);
  assert.deepEqual(problems, []);
  const web = roles.get('web')!;
  assert.equal(web.manifest.prefix, 'web_');
  assert.deepEqual(web.defaults, { web_root: '/srv/www' });
  assert.equal(web.templatesDir, join(dir, 'web', 'templates'));
  assert.deepEqual([...web.knownVariables].sort(), ['web_password', 'web_root']);
  assert.deepEqual([...web.secretVariables], ['web_password']);
  assert.equal(web.validateVariables({ web_root: 3 }), false);
  assert.equal(web.validateVariables({ web_root: '/x' }), true);
});

test('manifest schema errors carry file:line:col, the key path and the role name', () => {
  const manifest = 'prefix: bad_\nresources:\n  - file:\n      dest: /x\n      colour: red\n';
  const dir = searchDir({ bad: { 'role.yml': manifest } });
  const { roles, problems } = loadRoles([dir]);
  assert.equal(roles.has('bad'), false);
  const unknown = only(problems, 'resources[0].file.colour');
  assert.equal(resolve(unknown.file!), join(dir, 'bad', 'role.yml'));
  assert.equal(unknown.line, positionOf(manifest, 'colour').line);
  assert.equal(typeof unknown.col, 'number');
  assert.equal(unknown.message, 'role bad: is not a known key here');
  const missing = only(problems, 'resources[0].file.template');
  assert.equal(missing.message, 'role bad: is required but not set');
  assert.equal(missing.line, positionOf(manifest, 'dest').line);
});

test('a bad prefix is reported at its value', () => {
  const manifest = 'resources: []\nprefix: Web\n';
  const dir = searchDir({ web: { 'role.yml': manifest } });
  const problem = only(loadRoles([dir]).problems, 'prefix');
  const at = positionOf(manifest, 'Web');
  assert.deepEqual([problem.line, problem.col], [at.line, at.col]);
  assert.match(problem.message, /^role web: "Web" is not matching/);
});

test('a YAML syntax error in role.yml is a problem, not a crash', () => {
  const dir = searchDir({ broken: { 'role.yml': 'prefix: x_\nresources: [\n' } });
  const { roles, problems } = loadRoles([dir]);
  assert.equal(roles.has('broken'), false);
  assert.ok(problems.length > 0);
  assert.equal(resolve(problems[0]!.file!), join(dir, 'broken', 'role.yml'));
  assert.equal(typeof problems[0]!.line, 'number');
});

test('a default for a variable the schema does not declare is reported at the default', () => {
  const defaults = 'def_a: 1\ndef_typo: 2\n';
  const dir = searchDir({
    def: {
      'role.yml': 'prefix: def_\nresources: []\n',
      'defaults.yml': defaults,
      'schema.json': '{"type": "object", "properties": {"def_a": {"type": "integer"}}}',
    },
  });
  const { problems } = loadRoles([dir]);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.variable, 'def_typo');
  assert.equal(problems[0]!.message, 'role def: default for a variable its schema does not declare');
  assert.equal(resolve(problems[0]!.file!), join(dir, 'def', 'defaults.yml'));
  assert.equal(problems[0]!.line, positionOf(defaults, 'def_typo').line);
});

test('a role without schema.json declares no variables, so any default is reported', () => {
  const dir = searchDir({ plain: { 'role.yml': 'prefix: plain_\nresources: []\n', 'defaults.yml': 'plain_x: 1\n' } });
  assert.deepEqual(
    loadRoles([dir]).problems.map((p) => p.variable),
    ['plain_x'],
  );
});

test('defaults that are not a mapping, and a schema that is not JSON, are reported', () => {
  const dir = searchDir({
    listdefaults: { 'role.yml': 'prefix: l_\nresources: []\n', 'defaults.yml': '- a\n' },
    badjson: { 'role.yml': 'prefix: j_\nresources: []\n', 'schema.json': '{ nope' },
    badschema: { 'role.yml': 'prefix: s_\nresources: []\n', 'schema.json': '{"type": "nosuchtype"}' },
  });
  const { roles, problems } = loadRoles([dir]);
  const messages = problems.map((p) => p.message).join('\n');
  assert.match(messages, /role listdefaults: defaults must be a mapping of variables/);
  assert.match(messages, /role badjson: schema is not valid JSON/);
  assert.match(messages, /role badschema: schema does not compile/);
  assert.equal(roles.has('badjson'), false);
  assert.equal(roles.has('badschema'), false);
});

test('with a compile filter, a role no host uses is loaded without compiling its schema; used ones are checked now', () => {
  const dir = searchDir({
    used: { 'role.yml': 'prefix: u_\nresources: []\n', 'schema.json': '{"type": "nosuchtype"}' },
    unused: { 'role.yml': 'prefix: n_\nresources: []\n', 'schema.json': '{"type": "nosuchtype"}' },
  });
  const { roles, problems } = loadRoles([dir], { compile: (name) => name === 'used' });
  assert.deepEqual(
    problems.map((p) => p.message.split(':')[0]),
    ['role used'],
  );
  assert.equal(roles.has('used'), false);
  // The unused role's schema is compiled when first asked for, with the same error.
  assert.throws(() => roles.get('unused')!.validateVariables, /schema is invalid/);
});

test('a role dir in an earlier search path shadows a later one of the same name', () => {
  const first = searchDir({ same: { 'role.yml': 'description: first\nprefix: same_\nresources: []\n' } });
  const second = searchDir({
    same: { 'role.yml': 'description: second\nprefix: same_\nresources: []\n' },
    other: { 'role.yml': 'description: other\nprefix: other_\nresources: []\n' },
  });
  const { roles, problems } = loadRoles([first, second]);
  assert.deepEqual(problems, []);
  assert.equal(roles.get('same')!.manifest.description, 'first');
  assert.equal(roles.get('same')!.dir, join(first, 'same'));
  assert.equal(roles.get('other')!.manifest.description, 'other');
  assert.equal(loadRoles([second, first]).roles.get('same')!.manifest.description, 'second');
});

test('a shadowed role is not even read, so its errors do not matter', () => {
  const first = searchDir({ same: { 'role.yml': 'prefix: same_\nresources: []\n' } });
  const second = searchDir({ same: { 'role.yml': 'this: is: not: valid\n' } });
  assert.deepEqual(loadRoles([first, second]).problems, []);
});

test('missing search directories, plain files and directories without role.yml are skipped', () => {
  const dir = searchDir({ notarole: { 'README': 'x' }, real: { 'role.yml': 'prefix: real_\nresources: []\n' } });
  writeFileSync(join(dir, 'stray-file'), '');
  const { roles, problems } = loadRoles([join(base, 'does-not-exist'), dir]);
  assert.deepEqual(problems, []);
  assert.deepEqual([...roles.keys()], ['real']);
});

test('the built-in roles load without problems', () => {
  const { roles, problems } = loadRoles([builtinRolesDir]);
  assert.deepEqual(problems, []);
  assert.ok(roles.has('letsencrypt'));
});

test('a check the role names that no checker provides is reported at its place in role.yml', () => {
  const base = mkdtempSync(join(tmpdir(), 'provision-roles-check-'));
  mkdirSync(join(base, 'r/templates'), { recursive: true });
  writeFileSync(join(base, 'r/role.yml'), 'prefix: r_\nresources:\n  - file:\n      template: x.njk\n      dest: /x\n      check: [shell, shel]\n');
  const { problems } = loadRoles([base]);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /role r: unknown check "shel"; known checks: .*shell/);
  assert.equal(problems[0]!.line, 6);
});
