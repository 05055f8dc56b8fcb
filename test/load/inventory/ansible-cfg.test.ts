// With no inventory named, the one Ansible itself would use: ANSIBLE_INVENTORY, else `[defaults]
// inventory` of the ansible.cfg Ansible finds (ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg,
// /etc/ansible/ansible.cfg). Each case runs the real `ansible-inventory --list` without -i too.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { chooseInventory } from '../../../src/cli/commands/inventory-args.js';
import { cfgInventorySetting, defaultInventory } from '../../../src/load/inventory/ansible-cfg.js';
import { loadInventory } from '../../../src/load/inventory/index.js';
import { ALL_PLUGINS, ansible, parseList } from '../../helpers/ansible.js';
import { compareWithAnsible } from '../../helpers/compare-inventory.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'provision-cfg-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

const home = project('home', { '.keep': '' });
/** The environment of a user with no ~/.ansible.cfg; `extra` adds ANSIBLE_CONFIG or ANSIBLE_INVENTORY. */
const envWith = (extra: Record<string, string> = {}) => ({ HOME: home, ...extra });

function agreeWithAnsible(cwd: string, env: Record<string, string>): string[] {
  const chosen = chooseInventory([], [], cwd, env);
  assert.ok(chosen, 'no inventory found');
  const run = ansible('ansible-inventory', ['--list'], cwd, { ...ALL_PLUGINS, ANSIBLE_CONFIG: undefined, ANSIBLE_INVENTORY: undefined, ...env });
  assert.equal(run.status, 0, run.stderr);
  compareWithAnsible(cwd, loadInventory(chosen.sources, { cwd }), parseList(run.stdout));
  return chosen.sources;
}

const INI = '[web]\nweb1 tier=front\n';
const YAML = 'all:\n  hosts:\n    extra1:\n      from: yaml\n';

test('./ansible.cfg: a comma-separated inventory list, relative to the file, with an inline ; comment', () => {
  const dir = project('cwd-cfg', {
    'ansible.cfg': '# project settings\n[defaults]\nInventory = inventory/prod , extra.yml ; two sources\nforks = 5\n',
    'inventory/prod/hosts': INI,
    'extra.yml': YAML,
  });
  assert.deepEqual(agreeWithAnsible(dir, envWith()), ['inventory/prod', 'extra.yml']);
});

test('ANSIBLE_CONFIG names an ansible.cfg elsewhere: its paths are relative to that file', () => {
  const other = project('elsewhere', { 'conf/ansible.cfg': '[defaults]\ninventory = ../inv.yml\n', 'inv.yml': YAML });
  const cwd = project('cwd-plain', { 'ansible.cfg': '[defaults]\ninventory = not-used\n' });
  const sources = agreeWithAnsible(cwd, envWith({ ANSIBLE_CONFIG: path.join(other, 'conf/ansible.cfg') }));
  assert.deepEqual(sources, [path.join(other, 'inv.yml')]);
});

test('ANSIBLE_INVENTORY wins over ansible.cfg and is relative to the working directory', () => {
  const dir = project('env-inv', { 'ansible.cfg': '[defaults]\ninventory = extra.yml\n', 'hosts': INI, 'extra.yml': YAML });
  assert.deepEqual(agreeWithAnsible(dir, envWith({ ANSIBLE_INVENTORY: 'hosts' })), ['hosts']);
});

test('an ansible.cfg without an inventory setting, or in a world-writable directory, names none', () => {
  const none = project('no-setting', { 'ansible.cfg': '[defaults]\nforks = 5\n[inventory]\ninventory = wrong-section\n' });
  assert.equal(defaultInventory(none, envWith()), null);
  const open = project('world-writable', { 'ansible.cfg': '[defaults]\ninventory = hosts\n', hosts: INI });
  chmodSync(open, 0o777);
  assert.equal(defaultInventory(open, envWith()), null, 'Ansible ignores ./ansible.cfg in a world-writable directory');
  assert.equal(chooseInventory(['given'], [], open, envWith())?.sources[0], 'given', 'a named inventory needs no ansible.cfg');
});

test('ConfigParser rules: `:` as separator, continuation lines, other sections ignored', () => {
  assert.deepEqual(cfgInventorySetting('[inventory]\ninventory = no\n[defaults]\ninventory: b.yml,\n  c.yml\n', 'x.cfg'), { value: 'b.yml,\nc.yml', line: 4 });
});
