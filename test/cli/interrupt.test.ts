import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { provision, provisionAsync, tempInventory } from '../helpers/cli.js';

// A role whose validate step takes long, so the apply can be interrupted while a temp file is staged.
const slowSeconds = '37.25';

function slowInventory() {
  const copy = tempInventory();
  mkdirSync(join(copy.dir, 'roles/slow/templates'), { recursive: true });
  writeFileSync(
    join(copy.dir, 'roles/slow/role.yml'),
    `prefix: slow_\nresources:\n  - file:\n      template: slow.conf.njk\n      dest: /etc/slow.conf\n      validate: "sleep ${slowSeconds} && true %s"\n`,
  );
  writeFileSync(join(copy.dir, 'roles/slow/templates/slow.conf.njk'), '{{ slow_value }}\n');
  writeFileSync(join(copy.dir, 'roles/slow/defaults.yml'), 'slow_value: new\n');
  writeFileSync(join(copy.dir, 'roles/slow/schema.json'), '{"type":"object","properties":{"slow_value":{"type":"string"}}}');
  writeFileSync(join(copy.dir, 'group_vars/webservers.yml'), 'provision_roles: [slow]\n');
  return copy;
}

function tempFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((p) => p.split('/').pop()!.startsWith('.provision-'));
}

function sleepers(): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`sleep ${slowSeconds}`) && !line.includes('sh -c'));
}

/** Process groups of the apply scripts this test started (found by their unique sleep). */
function orphanGroups(): number[] {
  return execFileSync('ps', ['-eo', 'pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`sleep ${slowSeconds}`) && !line.includes('sh -c'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

async function interruptDuringValidate(signal: NodeJS.Signals) {
  const copy = slowInventory();
  const hostRoot = join(copy.root, 'web1.example.test');
  mkdirSync(join(hostRoot, 'etc'), { recursive: true });
  writeFileSync(join(hostRoot, 'etc/slow.conf'), 'old\n');
  const child = provisionAsync(['apply', copy.inventory, '--root', copy.root, '--limit', 'web1.example.test']);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (tempFiles(hostRoot).length === 0) {
    assert.ok(Date.now() < deadline, 'the apply never staged its temp file');
    await sleep(50);
  }
  child.kill(signal);
  const code = await exited;
  return { code, hostRoot };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} during an apply leaves the old file, no temp file and no process behind`, async () => {
    const { code, hostRoot } = await interruptDuringValidate(signal);
    assert.equal(code, signal === 'SIGTERM' ? 143 : 130);
    assert.equal(readFileSync(join(hostRoot, 'etc/slow.conf'), 'utf8'), 'old\n');
    assert.deepEqual(tempFiles(hostRoot), []);
    assert.deepEqual(sleepers(), []);
  });
}

test('a run killed outright (SIGKILL) leaves the old file whole; the next run converges', async () => {
  const copy = slowInventory();
  const hostRoot = join(copy.root, 'web1.example.test');
  mkdirSync(join(hostRoot, 'etc'), { recursive: true });
  writeFileSync(join(hostRoot, 'etc/slow.conf'), 'old\n');
  const child = provisionAsync(['apply', copy.inventory, '--root', copy.root, '--limit', 'web1.example.test']);
  while (tempFiles(hostRoot).length === 0) await sleep(50);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(readFileSync(join(hostRoot, 'etc/slow.conf'), 'utf8'), 'old\n', 'never a half-written file');
  // The orphaned script is still validating: kill its whole process group outright too, as a lost
  // connection or a reboot would, so its temp file stays behind for the next run to find.
  for (const pgid of orphanGroups()) process.kill(-pgid, 'SIGKILL');
  while (orphanGroups().length > 0) await sleep(50);
  assert.equal(tempFiles(hostRoot).length, 1, 'the killed run left its temp file');
  writeFileSync(join(copy.dir, 'roles/slow/role.yml'), 'prefix: slow_\nresources:\n  - file:\n      template: slow.conf.njk\n      dest: /etc/slow.conf\n');
  const next = provision(['apply', copy.inventory, '--root', copy.root, '--limit', 'web1.example.test']);
  assert.equal(next.code, 0, next.stderr);
  assert.equal(readFileSync(join(hostRoot, 'etc/slow.conf'), 'utf8'), 'new\n');
  assert.deepEqual(tempFiles(hostRoot), [], 'the next run removes what a killed run left');
});
