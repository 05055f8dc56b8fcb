// The same scenarios over both connections: `local`, and `ssh` to real sshd hosts. What a user sees
// (exit code, output, files on the host) must not depend on how the host is reached.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { provision, provisionAsync, snapshot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet } from '../helpers/sshd.js';
import { makeSite, managedFiles } from './site.js';
import type { Site } from './site.js';

interface JsonHost {
  name: string;
  status: string;
  error: string | null;
  roundTrips: number;
  changes: { path: string }[];
}

function hosts(stdout: string): Map<string, JsonHost> {
  const report = JSON.parse(stdout) as { hosts: JsonHost[] };
  return new Map(report.hosts.map((h) => [h.name, h]));
}

let fleet: SshFleet;
before(async () => {
  fleet = await startSshFleet(3);
});
after(async () => {
  await fleet?.stop();
});

type Kind = 'local' | 'ssh';

/** Connection variables for the suite's i-th host. */
function connectionVars(kind: Kind, index: number): Record<string, unknown> {
  return kind === 'local' ? { ansible_connection: 'local' } : fleet.inventoryVars(fleet.hosts[index]!);
}

function siteFor(
  kind: Kind,
  extra: Record<string, Record<string, unknown>> = {},
  count = 2,
): { site: Site; vars: (overrides?: Record<string, Record<string, unknown>>) => Record<string, Record<string, unknown>> } {
  const vars = (overrides: Record<string, Record<string, unknown>> = {}) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => `h${i + 1}`).map((name, i) => [name, { ...connectionVars(kind, i), ...extra[name], ...overrides[name] }]),
    );
  return { site: makeSite(vars()), vars };
}

/** PIDs and process groups of running `sleep SECONDS` (the slow validate command of one scenario). */
function sleepers(seconds: string): { pid: number; pgid: number }[] {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[2] === 'sleep' && f[3] === seconds)
    .map((f) => ({ pid: Number(f[0]), pgid: Number(f[1]) }));
}

async function until(what: string, condition: () => boolean, seconds = 20): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!condition()) {
    assert.ok(Date.now() < deadline, `timed out waiting for: ${what}`);
    await sleep(25);
  }
}

for (const kind of ['local', 'ssh'] as const) {
  // Distinct sleep lengths: the scenarios find their own validate command by them.
  const unique = kind === 'local' ? '0' : '1';

  describe(`over ${kind}`, () => {
    test('apply writes every file; a re-apply changes nothing in one round trip and says so per host', () => {
      const { site } = siteFor(kind);
      const first = provision(['apply', site.inventory, '--json']);
      assert.equal(first.code, 0, first.stderr + first.stdout);
      for (const [name, host] of hosts(first.stdout)) {
        assert.equal(host.status, 'changed', name);
        assert.equal(host.roundTrips, 2, `${name}: one probe, one apply`);
        for (const file of managedFiles) assert.equal(site.read(name, file), site.expected(file, 'one'), `${name}:${file}`);
      }
      const again = provision(['apply', site.inventory, '--json']);
      assert.equal(again.code, 0, again.stderr);
      for (const [name, host] of hosts(again.stdout)) {
        assert.deepEqual([host.status, host.roundTrips, host.changes], ['ok', 1, []], name);
      }
      const human = provision(['apply', site.inventory]);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^h1: ok \(3 unchanged\) \d+\.\ds$/m);
      assert.match(human.stdout, /^h2: ok \(3 unchanged\) \d+\.\ds$/m);
      assert.match(human.stdout, /^h1 : ok=3 changed=0 failed=0 unreachable=0$/m);
    });

    test('plan after a change on the host shows a diff of that file only and writes nothing', () => {
      const { site } = siteFor(kind);
      assert.equal(provision(['apply', site.inventory]).code, 0);
      appendFileSync(`${site.hostRoot('h1')}/etc/site/a.conf`, 'edited on the host\n');
      const before = snapshot(site.root);
      const plan = provision(['plan', site.inventory, '--detailed-exitcode']);
      assert.equal(plan.code, 2, plan.stderr);
      assert.deepEqual(
        plan.stdout.split('\n').filter((l) => l.startsWith('--- before:')),
        ['--- before: /etc/site/a.conf'],
      );
      assert.match(plan.stdout, /^-edited on the host$/m);
      assert.match(plan.stdout, /^h1: changed \(1 changed, 2 unchanged\) \d+\.\ds$/m);
      assert.deepEqual(snapshot(site.root), before, 'plan writes nothing');
      const json = hosts(provision(['plan', site.inventory, '--json']).stdout);
      assert.equal(json.get('h1')?.roundTrips, 1, 'a plan without validate commands to run is one round trip');
    });

    test('a connection cut in the middle of an apply leaves every file old or new; the next run converges and leaves no temp file', async () => {
      const seconds = `2.${unique}75`;
      const { site, vars } = siteFor(kind, {}, 1);
      assert.equal(provision(['apply', site.inventory]).code, 0);
      site.setHosts(vars({ h1: { site_value: 'two', site_sleep: seconds } }));
      const child = provisionAsync(['apply', site.inventory]);
      // A failed assertion must not leave the run behind.
      after(() => child.kill('SIGKILL'));
      let stdout = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await until('the apply stages its files', () => site.tempFiles('h1').length > 0);
      if (kind === 'ssh') {
        await fleet.cutConnections(fleet.hosts[0]!);
        assert.equal(await exited, 4, stdout);
        assert.match(stdout, /^h1: UNREACHABLE: ssh to h1 \(127\.0\.0\.1:\d+\) failed/m);
        // The script on the host lost its connection but not its life: let it end on its own.
        await until('the cut-off script ends', () => fleet.scripts(fleet.hosts[0]!).length === 0);
      } else {
        // As a crash would: the run and its script die at once, no clean-up runs.
        child.kill('SIGKILL');
        await exited;
        for (const { pgid } of sleepers(seconds)) process.kill(-pgid, 'SIGKILL');
        await until('the killed script is gone', () => sleepers(seconds).length === 0);
      }
      for (const file of managedFiles) {
        const now = site.read('h1', file);
        assert.ok(now === site.expected(file, 'one') || now === site.expected(file, 'two'), `${file} is whole, old or new`);
      }
      site.setHosts(vars({ h1: { site_value: 'two' } }));
      const next = provision(['apply', site.inventory, '--json']);
      assert.equal(next.code, 0, next.stdout + next.stderr);
      for (const file of managedFiles) assert.equal(site.read('h1', file), site.expected(file, 'two'), file);
      assert.deepEqual(site.tempFiles('h1'), [], 'no temp file left after the next run');
    });

    test('--timeout stops a host that takes too long and reports it unreachable; the others finish first and are applied', () => {
      const seconds = `30.${unique}5`;
      const { site } = siteFor(kind, { h1: { site_sleep: seconds } }, 3);
      const started = Date.now();
      const result = provision(['apply', site.inventory, '--timeout', '3']);
      assert.ok(Date.now() - started < 15_000, 'the run ends soon after the timeout');
      assert.equal(result.code, 4, result.stdout + result.stderr);
      assert.match(result.stdout, /^h1: UNREACHABLE: timed out after 3s$/m);
      assert.match(result.stdout, /^h1 : ok=0 changed=0 failed=0 unreachable=1$/m);
      for (const name of ['h2', 'h3']) {
        assert.match(result.stdout, new RegExp(`^${name}: changed \\(3 changed, 0 unchanged\\)`, 'm'));
        assert.ok(result.stdout.indexOf(`${name}: changed`) < result.stdout.indexOf('h1: unreachable'), `${name} is reported before the slow host`);
        for (const file of managedFiles) assert.equal(site.read(name, file), site.expected(file, 'one'));
      }
      for (const file of managedFiles) assert.equal(site.read('h1', file), undefined, `h1:${file} never renamed into place`);
      assert.deepEqual(sleepers(seconds), [], 'the script stopped on the host is gone');
      assert.deepEqual(site.tempFiles('h1'), [], 'and removed its temp files');
    });
  });
}
