// group_vars/ and host_vars/ as files and as directories.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { findVarsFiles } from '../../../src/load/inventory/group-vars.js';
import { loadInventory } from '../../../src/load/inventory/index.js';
import { FIXTURES, host, loadFixture, originFiles } from './helpers.js';

test('a group_vars directory: files in alphabetical order, subdirectories recursed, the rest skipped', () => {
  const dir = path.join(FIXTURES, 'vars-dirs', 'group_vars');
  const files = findVarsFiles(dir, 'web').map((f) => path.relative(dir, f));
  assert.deepEqual(files, ['web/10-base.yml', 'web/20-override.yaml', 'web/30-extra', 'web/sub/a.yml']);
});

test('variables from directories merge file by file, later files winning', () => {
  const inv = loadFixture('vars-dirs');
  const web1 = host(inv, 'web1');
  assert.deepEqual(web1.vars, {
    e: 'from-all-dir',
    b: 'sub',
    a: 'base',
    list: [2, 3],
    c: 'no-extension',
    d: 'sub',
    h: 'a',
    i: 'b',
  });
  assert.deepEqual(originFiles(web1), {
    e: 'group_vars/all/main.yml',
    b: 'group_vars/web/sub/a.yml',
    a: 'group_vars/web/10-base.yml',
    list: 'group_vars/web/20-override.yaml',
    c: 'group_vars/web/30-extra',
    d: 'group_vars/web/sub/a.yml',
    h: 'host_vars/web1/a.yml',
    i: 'host_vars/web1/b.yml',
  });
  assert.ok(!('h' in host(inv, 'web2').vars), 'host_vars/web1 must not reach web2');
});

test('.yml, .yaml, .json and no extension; only the first existing name is read', () => {
  const inv = loadFixture('vars-extensions');
  assert.deepEqual(host(inv, 'h1').vars, {
    from_a: 'yml',
    from_b: 'yaml',
    from_c: 'none',
    from_d: 'json',
    big: 100000, // a JSON file is read as JSON: 1e5 is a number (PyYAML would keep the string)
    from_e: 'no-extension-wins',
    host_ext: 'yaml',
  });
  assert.equal(host(inv, 'h1').origins.get('from_d')?.file, 'group_vars/d.json');
});

test('group_vars of a group that is not in the inventory are never read', () => {
  // group_vars/nosuchgroup.yml is malformed: loading must still succeed
  assert.doesNotThrow(() => loadFixture('vars-extensions'));
});

test('origins are relative to the current directory when the inventory path was relative, else absolute', () => {
  const relative = loadInventory('vars-dirs/hosts.yml', { cwd: FIXTURES });
  assert.equal(host(relative, 'web1').origins.get('a')?.file, path.join('vars-dirs', 'group_vars', 'web', '10-base.yml'));
  assert.equal(host(relative, 'web1').declaredAt.file, 'vars-dirs/hosts.yml');
  const absolute = loadInventory(path.join(FIXTURES, 'vars-dirs', 'hosts.yml'), { cwd: '/' });
  assert.equal(host(absolute, 'web1').origins.get('a')?.file, path.join(FIXTURES, 'vars-dirs', 'group_vars', 'web', '10-base.yml'));
  assert.equal(absolute.dir, path.join(FIXTURES, 'vars-dirs'));
});
