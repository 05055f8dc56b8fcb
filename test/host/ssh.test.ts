// The ssh connection against real sshd hosts (test/helpers/sshd.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyScript } from '../../src/apply/apply-script.js';
import { Connector } from '../../src/host/connect.js';
import { shlexSplit } from '../../src/model/shlex.js';
import { BecomeError, UnreachableError } from '../../src/host/types.js';
import type { ConnectOptions } from '../../src/host/types.js';
import { planHost } from '../../src/plan/plan-host.js';
import { parseProbe } from '../../src/host/protocol/parse-probe.js';
import { probeScript } from '../../src/probe/probe-script.js';
import { prepareProjectOrThrow } from '../../src/pipeline/pipeline.js';
import type { PreparedHost } from '../../src/resolve/prepare-hosts.js';
import { connectionSettings } from '../../src/resolve/connection-settings.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet, SshHost } from '../helpers/sshd.js';
import { makeSite, managedFiles } from '../run/site.js';

let fleet: SshFleet;
before(async () => {
  fleet = await startSshFleet(2);
});
after(async () => {
  await fleet?.stop();
});

/** A prepared host reaching `host` with the fleet's inventory variables (plus `extra`). */
function sshHost(host: SshHost, extra: Record<string, unknown> = {}): PreparedHost {
  const vars = { ...fleet.inventoryVars(host), ...extra };
  return {
    name: host.name,
    groups: [],
    roles: [],
    inventoryVars: vars,
    vars,
    secretValues: [],
    connection: connectionSettings(host.name, vars),
  };
}

async function withConnection<T>(
  host: PreparedHost,
  options: ConnectOptions,
  use: (c: ReturnType<Connector['connect']>, connector: Connector) => Promise<T>,
): Promise<T> {
  const connector = new Connector(options);
  try {
    return await use(connector.connect(host), connector);
  } finally {
    await connector.close();
  }
}

function logins(host: SshHost): number {
  return readFileSync(join(fleet.dir, `${host.name}.log`), 'utf8')
    .split('\n')
    .filter((l) => l.includes('Accepted publickey')).length;
}

test("a script's stdout, stderr and exit code come back; it runs as ansible_user with LC_ALL=C", async () => {
  await withConnection(sshHost(fleet.hosts[0]!), {}, async (connection) => {
    const result = await connection.run('echo out\necho err >&2\nprintf "%s %s" "$(id -un)" "$LC_ALL"\nexit 3\n');
    assert.deepEqual(result, { stdout: `out\n${fleet.user} C`, stderr: 'err\n', exitCode: 3 });
    assert.equal(connection.roundTrips, 1);
  });
});

test('one login per host: every script of a run goes through one control master, which close() ends', async () => {
  const host = fleet.hosts[1]!;
  const before = logins(host);
  let socket = '';
  await withConnection(sshHost(host), {}, async (connection, connector) => {
    for (let i = 0; i < 5; i++) assert.equal((await connection.run('echo $$\n')).exitCode, 0);
    assert.equal(connection.roundTrips, 5);
    assert.equal(connector.roundTrips(host.name), 5);
    socket = join(connector.controlDirectory ?? '', 'h0');
    assert.match(socket, /^\/tmp\/provision-ssh-\w+\/h0$/);
    assert.ok(statSync(socket).isSocket(), 'a control socket in a private /tmp/provision-ssh-* directory');
    assert.equal(statSync(dirname(socket)).mode & 0o777, 0o700);
    assert.ok(Buffer.byteLength(socket) < 60, `${socket} is far below the 108-byte socket path limit`);
    await connection.close();
    assert.equal(existsSync(socket), false, 'close() ends the master');
  });
  assert.equal(logins(host) - before, 1, 'five scripts, one ssh login');
  assert.equal(existsSync(dirname(socket)), false, 'the control directory is removed at the end');
});

test('a script cut off in transfer runs nothing: the whole script is parsed before anything runs', async () => {
  const site = makeSite({ host1: fleet.inventoryVars(fleet.hosts[0]!) });
  const [work] = prepareProjectOrThrow(site.inventory, {}).hosts;
  await withConnection(work!.host, {}, async (connection) => {
    const probe = await connection.run(probeScript(work!.desired, work!.host.root));
    const plan = planHost(work!.desired, parseProbe(probe.stdout, work!.desired), { root: work!.host.root, secretValues: [] });
    const script = applyScript(plan, work!.desired, { backup: false, targetChecks: [] });
    // Every cut up to the last line (which calls the body): at the start, in the library, in the
    // middle of the base64 file contents, just before the body's closing brace.
    // Every cut before the body is called with its `run` argument is harmless.
    const end = script.lastIndexOf('\nmain run </dev/null');
    const cuts = [...Array.from({ length: 24 }, (_, i) => Math.floor((end * i) / 24)), ...Array.from({ length: 10 }, (_, i) => end - 1 + i)];
    for (const cut of cuts) {
      await connection.run(script.slice(0, cut));
      assert.equal(existsSync(site.hostRoot('host1')), false, `a script cut at byte ${cut} of ${script.length} wrote something`);
    }
    const whole = await connection.run(script);
    assert.equal(whole.exitCode, 0, whole.stderr);
    for (const file of managedFiles) assert.equal(site.read('host1', file), site.expected(file, 'one'), 'the whole script does write');
  });
});

test('an unknown host key is refused, naming the host and the ways to fix it; accept-new trusts it', async () => {
  const host = fleet.hosts[0]!;
  const site = makeSite({});
  const knownHosts = join(site.dir, 'known_hosts');
  const prepared = sshHost(host, { ansible_ssh_common_args: `-o UserKnownHostsFile=${knownHosts} -o IdentitiesOnly=yes` });
  await withConnection(prepared, {}, async (connection) => {
    await assert.rejects(connection.run('true\n'), (error: Error) => {
      assert.ok(error instanceof UnreachableError);
      assert.match(error.message, new RegExp(`^the host key of host1 \\(127\\.0\\.0\\.1:${host.port}\\) is not known`));
      assert.match(error.message, new RegExp(`ssh-keyscan -p ${host.port} 127\\.0\\.0\\.1 >> ~/\\.ssh/known_hosts`));
      assert.match(error.message, /--host-key-checking accept-new/);
      return true;
    });
  });
  await withConnection(prepared, { hostKeyChecking: 'accept-new' }, async (connection) => {
    assert.equal((await connection.run('true\n')).exitCode, 0);
  });
  assert.match(readFileSync(knownHosts, 'utf8'), /ssh-ed25519 /, 'accept-new recorded the key');
});

test("a refused connection is unreachable with ssh's own words", async () => {
  const host = fleet.hosts[0]!;
  const prepared = sshHost(host, { ansible_port: 1 });
  await withConnection(prepared, {}, async (connection) => {
    await assert.rejects(
      connection.run('true\n'),
      (error: Error) => error instanceof UnreachableError && /^ssh to host1 \(127\.0\.0\.1:1\) failed: .*Connection refused/.test(error.message),
    );
  });
});

test('--timeout stops a script that runs too long and reports the host unreachable', async () => {
  await withConnection(sshHost(fleet.hosts[0]!), { timeoutSeconds: 1 }, async (connection) => {
    const started = Date.now();
    await assert.rejects(connection.run('sleep 20.75\n'), (error: Error) => error instanceof UnreachableError && error.message === 'timed out after 1s');
    // Well before the 20.75 s the script would take: the deadline stopped it (loose: the machine is shared).
    assert.ok(Date.now() - started < 15_000, 'stopped long before the script would have ended');
  });
});

test('become runs the script through sudo -n as root (or ansible_become_user)', async () => {
  await withConnection(sshHost(fleet.hosts[0]!), { become: true }, async (connection) => {
    assert.equal((await connection.run('id -un\n')).stdout, 'root\n');
  });
  await withConnection(sshHost(fleet.hosts[0]!, { ansible_become: true, ansible_become_user: 'nobody' }), {}, async (connection) => {
    assert.equal((await connection.run('id -un\n')).stdout, 'nobody\n');
  });
  await withConnection(sshHost(fleet.hosts[0]!, { ansible_become: false }), { become: true }, async (connection) => {
    assert.equal((await connection.run('id -un\n')).stdout, `${fleet.user}\n`, "the host's ansible_become: false wins over --become");
  });
});

test('sudo that wants a password fails the host with a message that says what to do', async () => {
  const strict = await startSshFleet(1, { sudo: 'password' });
  try {
    const host = strict.hosts[0]!;
    const vars = strict.inventoryVars(host);
    const prepared = {
      ...sshHost(host),
      vars,
      inventoryVars: vars,
      connection: { ...sshHost(host).connection, port: host.port, privateKeyFile: strict.identityFile, commonArgs: vars.ansible_ssh_common_args as string },
    };
    await withConnection(prepared, { become: true }, async (connection) => {
      await assert.rejects(connection.run('touch /tmp/never\n'), (error: Error) => {
        assert.ok(error instanceof BecomeError);
        assert.equal(error.status, 'failed');
        assert.match(error.message, /^sudo on host1 needs a password; provision uses sudo -n \(it never prompts\): give provtest passwordless sudo/);
        return true;
      });
    });
  } finally {
    await strict.stop();
  }
});

test('ansible_ssh_common_args is split as Python shlex.split splits it', () => {
  const samples = [
    '-o ProxyJump=bastion',
    ' -o "UserKnownHostsFile=/tmp/a b"  -o StrictHostKeyChecking=no ',
    "a'b c'd",
    'x\\ y',
    '"a\\"b\\\\c\\d"',
    "'it'\\''s'",
    '""',
    '-o ProxyCommand="ssh -W %h:%p -q bastion"',
    'tab\tsep\nnewline',
    'a""b',
  ];
  const python = JSON.parse(
    execFileSync('/usr/bin/python3', ['-c', 'import json,shlex,sys; print(json.dumps([shlex.split(s) for s in json.load(sys.stdin)]))'], {
      input: JSON.stringify(samples),
      encoding: 'utf8',
    }),
  ) as string[][];
  assert.deepEqual(
    samples.map((sample) => shlexSplit(sample)),
    python,
  );
  assert.throws(() => shlexSplit('-o "unclosed'), /No closing quotation/);
  assert.equal(spawnSync('/usr/bin/python3', ['-c', "import shlex; shlex.split('-o \"unclosed')"]).status, 1, 'Python refuses it too');
});
