// What only an ssh host can do to a run: be down, present an unknown key, want a sudo password;
// and what become and an interrupt must do over ssh. Real sshd hosts (test/helpers/sshd.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { provision, provisionAsync, snapshot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet } from '../helpers/sshd.js';
import { makeSite, managedFiles } from './site.js';

let fleet: SshFleet;
before(async () => {
  fleet = await startSshFleet(3);
});
after(async () => {
  await fleet?.stop();
});

function fleetHosts(extra: Record<string, unknown> = {}): Record<string, Record<string, unknown>> {
  return Object.fromEntries(fleet.hosts.map((h) => [h.name, { ...fleet.inventoryVars(h), ...extra }]));
}

interface JsonHost {
  name: string;
  status: string;
  error: string | null;
}

function byName(stdout: string): Record<string, JsonHost> {
  return Object.fromEntries((JSON.parse(stdout) as { hosts: JsonHost[] }).hosts.map((h) => [h.name, h]));
}

test('an unknown host key: the host is unreachable with a message naming it and the fixes; nothing is written', () => {
  const site = makeSite({});
  const empty = join(site.dir, 'known_hosts');
  writeFileSync(empty, '');
  const host = fleet.hosts[0]!;
  site.setHosts({ host1: { ...fleet.inventoryVars(host), ansible_ssh_common_args: `-o UserKnownHostsFile=${empty} -o IdentitiesOnly=yes` } });
  const result = provision(['apply', site.inventory]);
  assert.equal(result.code, 4, result.stderr);
  assert.match(
    result.stdout,
    new RegExp(
      `^host1: UNREACHABLE: the host key of host1 \\(127\\.0\\.0\\.1:${host.port}\\) is not known and host key checking is strict: add it to known_hosts \\(ssh-keyscan -p ${host.port} 127\\.0\\.0\\.1 >> ~/\\.ssh/known_hosts, after checking its fingerprint\\), or .*--host-key-checking accept-new`,
      'm',
    ),
  );
  assert.deepEqual(snapshot(site.root), new Map(), 'nothing written');

  // A key that changed is refused even with accept-new, with the way to replace it.
  const otherKey = readFileSync(`${fleet.identityFile}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(empty, `[127.0.0.1]:${host.port} ${otherKey}\n`);
  const changed = provision(['apply', site.inventory, '--host-key-checking', 'accept-new']);
  assert.equal(changed.code, 4);
  assert.match(
    changed.stdout,
    new RegExp(
      `^host1: UNREACHABLE: the host key of host1 \\(127\\.0\\.0\\.1:${host.port}\\) does not match the one in known_hosts.*ssh-keygen -R '\\[127\\.0\\.0\\.1\\]:${host.port}'`,
      'm',
    ),
  );

  writeFileSync(empty, '');
  site.setHosts({
    host1: {
      ...fleet.inventoryVars(host),
      ansible_ssh_common_args: `-o UserKnownHostsFile=${empty} -o IdentitiesOnly=yes`,
      provision_host_key_checking: 'accept-new',
    },
  });
  const accepted = provision(['apply', site.inventory]);
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
  const hostKey = readFileSync(join(fleet.dir, `${host.name}.host_key.pub`), 'utf8').split(' ')[1]!;
  assert.ok(readFileSync(empty, 'utf8').includes(hostKey), 'provision_host_key_checking: accept-new recorded the key');
});

test("--become writes root-owned files while logging in as the unprivileged user; without it they are the user's", () => {
  const plain = makeSite(fleetHosts());
  const plainRun = provision(['apply', plain.inventory, '--limit', 'host1']);
  assert.equal(plainRun.code, 0, plainRun.stdout + plainRun.stderr);
  assert.equal(statSync(join(plain.hostRoot('host1'), 'etc/site/a.conf')).uid, fleet.uid);

  const site = makeSite(fleetHosts());
  // Root refuses to write under a directory every account can write: this tree is root's alone.
  chmodSync(site.root, 0o755);
  const result = provision(['apply', site.inventory, '--become', '--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  for (const host of fleet.hosts) {
    for (const file of managedFiles) {
      const st = statSync(join(site.hostRoot(host.name), file));
      assert.equal(st.uid, 0, `${host.name}:${file} owned by root`);
    }
  }
  assert.equal(statSync(join(site.hostRoot('host1'), 'etc/site/conf.d/c.conf')).mode & 0o777, 0o600);
  const again = provision(['apply', site.inventory, '-b', '--json']);
  assert.deepEqual(
    Object.values(byName(again.stdout)).map((h) => h.status),
    ['ok', 'ok', 'ok'],
  );
});

test('sudo wanting a password: the host fails with a clear message and nothing is written', async () => {
  const strict = await startSshFleet(1, { sudo: 'password' });
  try {
    const site = makeSite({ host1: { ...strict.inventoryVars(strict.hosts[0]!), ansible_become: true } });
    const result = provision(['apply', site.inventory]);
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^host1: FAILED: sudo on host1 needs a password; provision uses sudo -n \(it never prompts\): give provtest passwordless sudo \(e\.g\. "provtest ALL=\(ALL\) NOPASSWD: ALL" in \/etc\/sudoers\.d\/provision\)/m,
    );
    assert.match(result.stdout, /^host1 : ok=0 changed=0 failed=1 unreachable=0$/m);
    assert.deepEqual(snapshot(site.root), new Map(), 'nothing written');
  } finally {
    await strict.stop();
  }
});

test('a bad ansible_ssh_common_args is an input error before any host is touched', () => {
  const site = makeSite(fleetHosts());
  site.setHosts({ ...fleetHosts(), host2: { ...fleet.inventoryVars(fleet.hosts[1]!), ansible_ssh_common_args: '-o "ProxyJump=bastion' } });
  const result = provision(['apply', site.inventory]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^error: ansible_ssh_common_args: cannot split "-o \\"ProxyJump=bastion" into arguments: No closing quotation \(host: host2\)$/m);
  assert.deepEqual(snapshot(site.root), new Map());
});

test('ansible_ssh_common_args reach ssh: an ssh config file (-F) with a ProxyJump through another host', () => {
  const site = makeSite({});
  const [jump, target] = [fleet.hosts[0]!, fleet.hosts[2]!];
  const config = join(site.dir, 'ssh_config');
  const common = [
    `User ${fleet.user}`,
    `IdentityFile ${fleet.identityFile}`,
    'IdentitiesOnly yes',
    `UserKnownHostsFile ${fleet.knownHostsFile}`,
    'BatchMode yes',
  ];
  writeFileSync(
    config,
    [
      `Host bastion`,
      `  HostName ${jump.address}`,
      `  Port ${jump.port}`,
      ...common.map((l) => `  ${l}`),
      `Host inner`,
      `  HostName ${target.address}`,
      `  Port ${target.port}`,
      '  ProxyJump bastion',
      ...common.map((l) => `  ${l}`),
      '',
    ].join('\n'),
  );
  site.setHosts({ inner: { ansible_connection: 'ssh', ansible_ssh_common_args: `-F '${config}'` } });
  const logins = () =>
    readFileSync(join(fleet.dir, `${jump.name}.log`), 'utf8')
      .split('\n')
      .filter((l) => l.includes('Accepted publickey')).length;
  const before = logins();
  const result = provision(['apply', site.inventory]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  for (const file of managedFiles) assert.equal(site.read('inner', file), site.expected(file, 'one'));
  assert.equal(logins() - before, 1, 'the connection went through the jump host, once');
});

/** The control directory of a running provision, found through its ssh client's command line. */
function controlDirOf(pid: number): string | undefined {
  for (const child of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== pid) continue;
      const args = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
      const path = args.find((a) => a.startsWith('ControlPath='));
      if (path) return path.slice('ControlPath='.length).replace(/\/[^/]+$/, '');
    } catch {
      // gone
    }
  }
  return undefined;
}

function processesMentioning(text: string): string[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return args.includes(text) ? [`${pid} ${args}`] : [];
      } catch {
        return [];
      }
    });
}

test('an interrupt (SIGINT) stops the scripts on the hosts, ends the control masters and removes their directory', async () => {
  const site = makeSite(fleetHosts({ site_sleep: '3.25' }));
  const child = provisionAsync(['apply', site.inventory]);
  after(() => child.kill('SIGKILL'));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let dir: string | undefined;
  const deadline = Date.now() + 20_000;
  while (!(dir = controlDirOf(child.pid!)) || site.tempFiles('host1').length === 0) {
    assert.ok(Date.now() < deadline, 'the apply never got going');
    await sleep(25);
  }
  assert.ok(processesMentioning(dir).length > 0, 'masters are running');
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.equal(existsSync(dir), false, `${dir} removed`);
  assert.deepEqual(processesMentioning(dir), [], 'no ssh process of that run is left');
  // The scripts on the hosts were stopped too (ssh would not), and removed their temp files.
  for (const host of fleet.hosts) assert.deepEqual(fleet.scripts(host), [], `nothing left running on ${host.name}`);
  for (const name of ['host1', 'host2', 'host3']) {
    assert.deepEqual(site.tempFiles(name), [], `no temp file on ${name}`);
    for (const file of managedFiles) assert.equal(site.read(name, file), undefined, 'nothing was renamed into place');
  }
});

// Last: it stops one of the fleet's hosts.
test("a host that is down is unreachable with ssh's reason; the others are applied; exit 4", async () => {
  const site = makeSite(fleetHosts());
  await fleet.stopHost(fleet.hosts[1]!);
  const result = provision(['apply', site.inventory, '--json']);
  assert.equal(result.code, 4, result.stderr);
  const hosts = byName(result.stdout);
  assert.equal(hosts.host2?.status, 'unreachable');
  assert.match(hosts.host2?.error ?? '', new RegExp(`^ssh to host2 \\(127\\.0\\.0\\.1:${fleet.hosts[1]!.port}\\) failed: .*Connection refused`));
  for (const name of ['host1', 'host3']) {
    assert.equal(hosts[name]?.status, 'changed');
    for (const file of managedFiles) assert.equal(site.read(name, file), site.expected(file, 'one'));
  }
  const human = provision(['apply', site.inventory]);
  assert.match(human.stdout, /^host2 : ok=0 changed=0 failed=0 unreachable=1$/m);
});
