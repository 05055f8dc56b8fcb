// What ansible-inventory 2.14 only warns about and goes on (an unknown key in a group, a duplicate
// mapping key, a group_vars/host_vars that is a file): provision loads the same values, says the same
// warning once on stderr with file:line, keeps the exit code, and `validate --strict` makes it an error.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { ansible } from '../../helpers/ansible.js';
import { provision } from '../../helpers/cli.js';

const LENIENT = fileURLToPath(new URL('../../fixtures/lenient/', import.meta.url));

/** `hosts --vars --json` as name -> variables. */
function ourVars(inventory: string): { vars: Record<string, unknown>; stderr: string; code: number } {
  const result = provision(['hosts', inventory, '--vars', '--json'], LENIENT);
  assert.equal(result.code, 0, result.stderr);
  const hosts = (JSON.parse(result.stdout) as { hosts: { name: string; vars: Record<string, unknown> }[] }).hosts;
  return { vars: Object.fromEntries(hosts.map((h) => [h.name, h.vars])), stderr: result.stderr, code: result.code };
}

function ansibleVars(inventory: string): { vars: Record<string, unknown>; stderr: string } {
  const result = ansible('ansible-inventory', ['-i', inventory, '--list'], LENIENT);
  assert.equal(result.status, 0, result.stderr);
  const list = JSON.parse(result.stdout) as { _meta: { hostvars: Record<string, unknown> }; [group: string]: unknown };
  const hosts = Object.values(list)
    .flatMap((g) => (g as { hosts?: string[] }).hosts ?? [])
    .sort();
  return { vars: Object.fromEntries(hosts.map((h) => [h, list._meta.hostvars[h] ?? {}])), stderr: result.stderr };
}

const cases = [
  {
    name: 'unknown-key',
    ansibleSays: [/Skipping unexpected key \(hostz\) in group \(web\)/],
    weSay: ['warning: unknown-key/hosts.yml:5:7: unknown key `hostz` in group `web` is ignored (as Ansible does); expected hosts, vars or children'],
  },
  {
    name: 'duplicate-key',
    // Ansible wraps its warnings at 80 columns, anywhere
    ansibleSays: ['acme_contact', 'smtp_port', 'ntp', 'role'].map((key) => new RegExp(`duplicate\\s+dict\\s+key\\s+\\(${key}\\)`)),
    weSay: [
      'warning: duplicate-key/hosts.yml:4:5: duplicate key `acme_contact`; the last value is used (as Ansible does)',
      'warning: duplicate-key/hosts.yml:8:7: duplicate key `smtp_port`; the last value is used (as Ansible does)',
      'warning: duplicate-key/group_vars/all.yml:2:1: duplicate key `ntp`; the last value is used (as Ansible does)',
      'warning: duplicate-key/host_vars/mail.example.test.yml:2:1: duplicate key `role`; the last value is used (as Ansible does)',
    ],
  },
  {
    name: 'vars-not-a-directory',
    ansibleSays: [/Found group_vars that is not a directory, skipping/, /Found host_vars that is not a directory, skipping/],
    weSay: [
      'warning: vars-not-a-directory/group_vars: group_vars is not a directory; skipped (as Ansible does)',
      'warning: vars-not-a-directory/host_vars: host_vars is not a directory; skipped (as Ansible does)',
    ],
  },
];

for (const c of cases) {
  const inventory = `${c.name}/hosts.yml`;

  test(`${c.name}: the hosts and variables ansible-inventory gives, and its warning (file:line) once on stderr, exit 0`, () => {
    const theirs = ansibleVars(inventory);
    for (const says of c.ansibleSays) assert.match(theirs.stderr, says, 'ansible-inventory warns (the fixture still shows the case)');
    const ours = ourVars(inventory);
    assert.deepEqual(ours.vars, theirs.vars);
    assert.deepEqual(ours.stderr.trimEnd().split('\n'), c.weSay);
  });

  test(`${c.name}: validate lists it as a warning (exit 0); --strict makes it an error (exit 1) in every format`, () => {
    const plain = provision(['validate', inventory, '--format', 'github'], LENIENT);
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.equal(plain.stdout.split('\n').filter((l) => l.startsWith('::warning ')).length, c.weSay.length, plain.stdout);
    assert.doesNotMatch(plain.stdout, /^::error /m);
    assert.equal(plain.stderr, '', 'validate reports warnings in its own output, not again on stderr');
    for (const format of ['text', 'json', 'github', 'junit']) {
      const strict = provision(['validate', inventory, '--strict', '--format', format], LENIENT);
      assert.equal(strict.code, 1, `${format}: ${strict.stdout}${strict.stderr}`);
      const first = c.weSay[0]!.replace(/^warning: [^ ]+ /, '');
      assert.ok(strict.stdout.includes(first), `${format}: ${strict.stdout}`);
    }
    const json = JSON.parse(provision(['validate', inventory, '--strict', '--format', 'json'], LENIENT).stdout) as {
      summary: { errors: number; warnings: number };
    };
    assert.deepEqual(json.summary.errors, c.weSay.length);
  });
}

test('a warning does not change what apply/plan/render refuse: an error beside it still exits 1, and both are printed', () => {
  const result = provision(['hosts', 'two-problems.yml', '--json'], fileURLToPath(new URL('../../fixtures/inventories/errors/', import.meta.url)));
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  assert.deepEqual(result.stderr.trimEnd().split('\n'), [
    'warning: two-problems.yml:6:7: unknown key `varz` in group `web` is ignored (as Ansible does); expected hosts, vars or children',
    'error: two-problems.yml:10:9: `hosts` of group `db` must be a mapping of host names; found a list',
    '1 problem(s) found; nothing was changed.',
  ]);
});
