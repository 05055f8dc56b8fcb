// The inventory forms through the real CLI: the example fleet written as INI, as a directory, as an
// exported JSON and found through ansible.cfg renders exactly the files the YAML inventory renders.

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { provision, snapshot, tempInventory } from '../helpers/cli.js';

const copy = tempInventory();
const base = join(copy.dir, '../..');
after(() => rmSync(base, { recursive: true, force: true }));

const INI = `# the example fleet in INI
[all:vars]
ansible_connection=local
provision_root=../../build/example-root

[webservers]
web1.example.test

[mailservers]
mail1.example.test
`;

function render(args: string[], out: string, cwd = base) {
  const result = provision(['render', ...args, '--out', join(base, out)], cwd);
  assert.equal(result.code, 0, result.stderr);
  return snapshot(join(base, out));
}

test('INI, a directory, -i twice and ansible.cfg render what the YAML inventory renders', () => {
  const expected = render([copy.inventory], 'from-yaml');
  assert.ok(expected.size > 4, 'the example renders files');

  // INI beside the same group_vars/host_vars (.ini files are skipped in directories, not when named)
  writeFileSync(join(copy.dir, 'hosts.ini'), INI);
  assert.deepEqual(render([join(copy.dir, 'hosts.ini')], 'from-ini'), expected);

  // the directory: inventory.yml read, hosts.ini skipped as Ansible skips it, group_vars/ not a source
  assert.deepEqual(render([copy.dir], 'from-dir'), expected);

  // several sources: the same hosts declared twice change nothing
  assert.deepEqual(render(['-i', copy.inventory, '-i', join(copy.dir, 'hosts.ini')], 'from-two'), expected);

  // nothing named: ansible.cfg of the working directory names the inventory
  writeFileSync(join(base, 'ansible.cfg'), '[defaults]\ninventory = inventories/example/hosts.ini\n');
  assert.deepEqual(render([], 'from-cfg'), expected);
  rmSync(join(base, 'ansible.cfg'));
});

test('hosts lists an INI inventory; without any inventory the error says how to name one', () => {
  writeFileSync(join(copy.dir, 'hosts.ini'), INI);
  const listed = provision(['hosts', join(copy.dir, 'hosts.ini')], base);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /web1\.example\.test\n {2}groups: all, webservers/);
  const none = provision(['hosts'], base);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /name an inventory .* or set one in ansible\.cfg \(\[defaults\] inventory = \.\.\.\) or ANSIBLE_INVENTORY/);
});

test('a bad INI line stops apply before anything is written', () => {
  writeFileSync(join(copy.dir, 'bad.ini'), `${INI}[webservers:vars]\nthis line has no equals sign\n`);
  const result = provision(['apply', join(copy.dir, 'bad.ini'), '--root', copy.root]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /bad\.ini:12:1: expected key=value in \[webservers:vars\], found `this line has no equals sign`/);
  assert.match(result.stderr, /nothing was changed/);
  assert.equal(snapshot(copy.root).size, 0, 'nothing written');
});
