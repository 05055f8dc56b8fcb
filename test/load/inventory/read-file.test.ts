// Bounds on loading (src/load/inventory/read-file.ts, the alias bound in src/load/yaml/parse-yaml.ts, the range
// bound in src/load/inventory/host-ranges.ts), through the real CLI: each bad input is refused with a message
// naming the file, fast, in bounded memory (the child's heap is capped at 256 MB), and nothing is written.

import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { projectRoot, tempInventory } from '../../helpers/cli.js';

const cli = join(projectRoot, 'dist/cli/cli.js');
const HOST_VARS = 'host_vars/web1.example.test.yml';

function run(args: string[]) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--max-old-space-size=256', cli, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, seconds: (Date.now() - started) / 1000 };
}

/** `plan` and `hosts --vars` both refuse the inventory with `expected`, in seconds, writing nothing. */
function assertRefused(copy: { inventory: string; root: string }, expected: RegExp) {
  for (const args of [
    ['plan', copy.inventory, '--root', copy.root],
    ['hosts', copy.inventory, '--vars'],
  ]) {
    const result = run(args);
    assert.equal(result.code, 1, `${args[0]}: exit ${result.code} ${result.signal ?? ''}\n${result.stdout}${result.stderr}`);
    assert.match(result.stderr, expected);
    assert.match(result.stderr, /nothing was changed/);
    assert.equal(result.stdout, '', 'nothing printed on stdout');
    // generous against a loaded CI machine; the bad inputs took minutes (or forever) before the bounds
    assert.ok(result.seconds < 5, `${args[0]} took ${result.seconds} s`);
  }
  assert.equal(existsSync(copy.root), false, 'nothing written');
}

function writeIn(dir: string, file: string, content: string | Buffer) {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), content);
}

test('a YAML alias bomb is refused at the alias, in bounded memory', () => {
  const copy = tempInventory();
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  lines.push('acme_domains: *a9');
  const bomb = `${lines.join('\n')}\n`;
  assert.ok(bomb.length < 1000, 'a small file');
  writeIn(copy.dir, HOST_VARS, bomb);
  assertRefused(copy, /host_vars\/web1\.example\.test\.yml:\d+:\d+: malformed YAML: aliases expand to more than 100,000 values \(`\*a\d` here\)/);
});

test('a merge-key bomb (<< of << of <<) is refused too', () => {
  const copy = tempInventory();
  const lines = ['m0: &m0 {k0: 1, k1: 2, k2: 3, k3: 4, k4: 5, k5: 6, k6: 7, k7: 8, k8: 9, k9: 10}'];
  for (let i = 1; i <= 12; i++)
    lines.push(
      `m${i}: &m${i}\n  <<: [${Array(10)
        .fill(`*m${i - 1}`)
        .join(', ')}]`,
    );
  writeIn(copy.dir, HOST_VARS, `${lines.join('\n')}\n`);
  assertRefused(copy, /host_vars\/web1\.example\.test\.yml:\d+:\d+: malformed YAML: aliases expand to more than 100,000 values/);
});

test('a host range of 100 million hosts is refused at its line', () => {
  const copy = tempInventory();
  writeIn(copy.dir, 'inventory.yml', 'all:\n  vars:\n    ansible_connection: local\n  hosts:\n    web[0:99999999].example.test:\n');
  assertRefused(copy, /inventory\.yml:5:5: host `web\[0:99999999\]\.example\.test`: host range expands to more than 100,000 hosts/);
});

test('a FIFO as a host_vars file is refused without waiting for a writer', () => {
  const copy = tempInventory();
  rmSync(join(copy.dir, HOST_VARS), { force: true });
  execFileSync('mkfifo', [join(copy.dir, HOST_VARS)]);
  assertRefused(copy, /host_vars\/web1\.example\.test\.yml: is a FIFO \(named pipe\); provision reads only regular files/);
});

test('links out of the inventory directory are refused with link and target: /dev/zero, /etc/shadow, a file beside it', () => {
  for (const target of ['/dev/zero', '/etc/shadow']) {
    const copy = tempInventory();
    rmSync(join(copy.dir, HOST_VARS), { force: true });
    symlinkSync(target, join(copy.dir, HOST_VARS));
    assertRefused(copy, new RegExp(`host_vars/web1\\.example\\.test\\.yml: is a link to ${target}, outside the inventory's directory`));
  }
  const copy = tempInventory();
  const outside = join(copy.dir, '..', 'private.yml');
  writeFileSync(outside, 'leaked_password: hunter2\n');
  rmSync(join(copy.dir, HOST_VARS), { force: true });
  symlinkSync('../../private.yml', join(copy.dir, HOST_VARS));
  const result = run(['hosts', copy.inventory, '--vars']);
  assert.equal(result.code, 1);
  assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
  assert.match(result.stderr, /is a link to .*private\.yml, outside the inventory's directory/);
});

test('links inside the inventory directory work: a file and a directory of vars files', () => {
  const copy = tempInventory();
  const before = run(['hosts', copy.inventory, '--vars', '--json']);
  assert.equal(before.code, 0, before.stderr);
  mkdirSync(join(copy.dir, 'shared'));
  renameSync(join(copy.dir, 'group_vars/webservers.yml'), join(copy.dir, 'shared/webservers.yml'));
  symlinkSync('../shared/webservers.yml', join(copy.dir, 'group_vars/webservers.yml'));
  renameSync(join(copy.dir, 'group_vars/mailservers'), join(copy.dir, 'shared/mailservers'));
  symlinkSync('../shared/mailservers', join(copy.dir, 'group_vars/mailservers'));
  const after = run(['hosts', copy.inventory, '--vars', '--json']);
  assert.equal(after.code, 0, after.stderr);
  assert.equal(after.stdout, before.stdout);
  assert.match(after.stdout, /"provision_roles"/);
});

test('invalid UTF-8 is refused at its line (Ansible refuses the file too), not silently replaced', () => {
  const copy = tempInventory();
  writeIn(copy.dir, HOST_VARS, Buffer.concat([Buffer.from('acme_domains:\n  - web1.example.test\nowner: "'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]));
  assertRefused(copy, /host_vars\/web1\.example\.test\.yml:3:1: is not valid UTF-8/);
});

test('a file larger than 4 MiB is refused before it is parsed', () => {
  const copy = tempInventory();
  writeIn(copy.dir, HOST_VARS, `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
  assertRefused(copy, /host_vars\/web1\.example\.test\.yml: is larger than 4 MiB/);
});

test('-e @FIFO is refused as well', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-fifo-'));
  execFileSync('mkfifo', [join(dir, 'extra.yml')]);
  const result = run(['hosts', join(projectRoot, 'inventories/example/inventory.yml'), '-e', `@${join(dir, 'extra.yml')}`]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stderr, /extra\.yml: extra vars file given as `-e @.*extra\.yml`: is a FIFO/);
  assert.ok(result.seconds < 5);
});
