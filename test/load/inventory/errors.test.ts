// Inventory problems: every one found is reported, each with file, line and column.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { formatProblem, InputError } from '../../../src/model/errors.js';
import { loadInventory } from '../../../src/load/inventory/index.js';
import { FIXTURES, problemsOf } from './helpers.js';

const ERRORS = path.join(FIXTURES, 'errors');

/** Problems of an error fixture, loaded as `provision -i <name>` from the errors/ directory. */
function problems(name: string) {
  return problemsOf(() => loadInventory(name, { cwd: ERRORS }));
}

test('malformed YAML: file, line and column of the unclosed value, and the parser message', () => {
  const found = problems('malformed.yml');
  assert.equal(found.length, 1);
  assert.equal(found[0]!.file, 'malformed.yml');
  assert.equal(found[0]!.line, 4);
  assert.equal(found[0]!.col, 21);
  assert.match(found[0]!.message, /^malformed YAML: Flow sequence .* end with a \] \(.*noticed at line 5, column 5\)$/);
});

// Ansible warns about an unknown key and skips it: a warning at the key, and what it holds is ignored
test('an unknown key in a group is a warning at the key; the inventory loads without it', () => {
  const inventory = loadInventory('unknown-key.yml', { cwd: ERRORS });
  assert.deepEqual(inventory.warnings, [
    {
      file: 'unknown-key.yml',
      line: 4,
      col: 7,
      message: 'unknown key `hots` in group `web` is ignored (as Ansible does); expected hosts, vars or children',
      severity: 'warning',
    },
  ]);
  assert.deepEqual(inventory.hosts, []);
});

test('hosts that are not a mapping', () => {
  assert.deepEqual(problems('hosts-not-mapping.yml'), [
    { file: 'hosts-not-mapping.yml', line: 3, col: 5, message: '`hosts` of group `web` must be a mapping of host names; found a list' },
  ]);
});

test('an error and a warning in one file are both reported: the error refuses the inventory, the warning goes with it', () => {
  let error: unknown;
  try {
    loadInventory('two-problems.yml', { cwd: ERRORS });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof InputError);
  assert.deepEqual(
    error.problems.map((p) => formatProblem(p)),
    ['two-problems.yml:10:9: `hosts` of group `db` must be a mapping of host names; found a list'],
  );
  assert.deepEqual(
    error.warnings.map((p) => formatProblem(p)),
    ['two-problems.yml:6:7: unknown key `varz` in group `web` is ignored (as Ansible does); expected hosts, vars or children'],
  );
});

test('schema and semantic problems of one file are all reported together', () => {
  assert.deepEqual(
    problems('bad-structure.yml').map((p) => formatProblem(p)),
    [
      'bad-structure.yml:3:11: variables of host `web1` in group `all` must be a mapping (or empty); found a string',
      'bad-structure.yml:4:5: host `web[01:1].example.com`: host range must specify equal-length begin and end formats',
      'bad-structure.yml:5:5: host name `42` must be a string; enclose it in quotes',
      'bad-structure.yml:7:10: group `web` must be a mapping with hosts, vars or children (or empty); found a list',
      'bad-structure.yml:9:29: ansible_group_priority: must be an integer, found `high`',
    ],
  );
});

test('a duplicate key is a warning, as Ansible gives; the last value wins', () => {
  const inventory = loadInventory('duplicate-key.yml', { cwd: ERRORS });
  assert.deepEqual(inventory.warnings, [
    { file: 'duplicate-key.yml', line: 5, col: 7, message: 'duplicate key `port`; the last value is used (as Ansible does)', severity: 'warning' },
  ]);
  assert.deepEqual(inventory.hosts[0]!.vars, { port: 443 });
});

test('a loop between groups is a problem', () => {
  assert.deepEqual(problems('loop.yml'), [{ file: 'loop.yml', line: 3, col: 5, message: 'adding group `b` as a child of `a` creates a loop' }]);
});

test('an inventory that is not a mapping, an empty one, a missing one, a directory of bad files', () => {
  assert.match(problems('not-a-mapping.yml')[0]!.message, /^an inventory must be a mapping of group names .*; found a list$/);
  assert.deepEqual(problems('empty.yml'), [
    { file: 'empty.yml', line: 1, col: 1, message: 'an inventory must be a mapping of group names (such as `all:`) to groups; found nothing (null)' },
  ]);
  assert.deepEqual(
    problemsOf(() => loadInventory('nope.yml', { cwd: ERRORS })),
    [{ file: 'nope.yml', message: 'inventory file not found' }],
  );
  // a directory is an inventory directory: its files are read, its group_vars/ too
  assert.equal(problemsOf(() => loadInventory('bad-vars-files', { cwd: ERRORS }))[0]!.file, 'bad-vars-files/group_vars/web.yml');
});

test('an INI inventory is read (it used to be refused): its hosts and inline variables', () => {
  const inventory = loadInventory('ini-inventory', { cwd: ERRORS });
  assert.deepEqual(
    inventory.hosts.map((h) => [h.name, h.groups, h.vars]),
    [
      ['web1', ['all', 'web'], { ansible_host: '1.2.3.4' }],
      ['db1', ['all', 'db'], {}],
    ],
  );
});

test('problems in group_vars and host_vars files name the file and the hosts concerned', () => {
  assert.deepEqual(
    problems('bad-vars-files/hosts.yml').map((p) => formatProblem(p)),
    [
      'bad-vars-files/group_vars/web.yml:1:1: a vars file must be a mapping of variable names to values; found a list (hosts: web1, web2)',
      'bad-vars-files/host_vars/web1.yml:1:4: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (the value starting here is not closed; noticed at line 2, column 1) (host: web1)',
    ],
  );
});
