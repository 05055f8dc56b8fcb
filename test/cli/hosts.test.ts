// `provision hosts --vars --json` must report the same merged variables and groups as Ansible's own
// `ansible-inventory --list`, through the real CLI, on inventories with groups, nested children, inline
// vars, and group_vars/host_vars as files and as directories.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ansible, parseList, unwrapUnsafe } from '../helpers/ansible.js';
import { projectRoot, provision } from '../helpers/cli.js';

const fixtures = join(projectRoot, 'test/fixtures/inventories');
const cases: [string, string, string][] = [
  ['example inventory', join(projectRoot, 'inventories/example'), 'inventory.yml'],
  ['nested children', join(fixtures, 'nested-children'), 'hosts.yml'],
  ['group_vars/host_vars as directories', join(fixtures, 'vars-dirs'), 'hosts.yml'],
  ['group_vars/host_vars as .yml, .yaml and bare files', join(fixtures, 'vars-extensions'), 'hosts.yml'],
  ['host_vars over inline host vars', join(fixtures, 'host-vars-over-inline'), 'hosts.yml'],
  ['group_vars over inline group vars', join(fixtures, 'group-vars-over-inline'), 'hosts.yml'],
  ['sibling groups', join(fixtures, 'siblings'), 'hosts.yml'],
];

interface Listed {
  hosts: { name: string; groups: string[]; roles: string[]; vars: Record<string, unknown> }[];
}

for (const [label, dir, file] of cases) {
  test(`hosts --vars --json equals ansible-inventory --list: ${label}`, () => {
    const ours = provision(['hosts', file, '--vars', '--json'], dir);
    assert.equal(ours.code, 0, ours.stderr);
    const listed = JSON.parse(ours.stdout) as Listed;
    const theirs = ansible('ansible-inventory', ['-i', file, '--list'], dir);
    assert.equal(theirs.status, 0, theirs.stderr);
    const reference = parseList(theirs.stdout);
    assert.ok(listed.hosts.length > 0);
    for (const host of listed.hosts) {
      assert.deepEqual(host.vars, unwrapUnsafe(reference.hostvars[host.name] ?? {}), `variables of ${host.name}`);
      for (const group of host.groups.filter((g) => g !== 'all')) {
        const inAnsible = [...reference.groups].some(([name, g]) => name === group && ((g.hosts ?? []).includes(host.name) || (g.children ?? []).length > 0));
        assert.ok(inAnsible, `${host.name} in group ${group}`);
      }
    }
  });
}

test('hosts shows roles, and role defaults only with --defaults', () => {
  const dir = join(projectRoot, 'inventories/example');
  const plain = JSON.parse(provision(['hosts', 'inventory.yml', '--vars', '--json'], dir).stdout) as Listed;
  const web = plain.hosts.find((h) => h.name === 'web1.example.test')!;
  assert.deepEqual(web.roles, ['letsencrypt', 'apache']);
  assert.equal('acme_certs_dir' in web.vars, false);
  const withDefaults = JSON.parse(provision(['hosts', 'inventory.yml', '--vars', '--defaults', '--json'], dir).stdout) as Listed;
  assert.equal(withDefaults.hosts.find((h) => h.name === 'web1.example.test')!.vars.acme_certs_dir, '/etc/ssl/letsencrypt');
});

test('secret variables are never printed by hosts --vars', () => {
  const dir = join(projectRoot, 'inventories/example');
  const result = provision(
    ['hosts', 'inventory.yml', '--vars', '--json', '-e', 'db_password=hunter22', '-e', '{"provision_secret_vars": ["db_password"]}'],
    dir,
  );
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /hunter22/);
  assert.equal((JSON.parse(result.stdout) as Listed).hosts[0]!.vars.db_password, '(secret)');
});
