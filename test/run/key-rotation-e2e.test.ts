// End to end: key rotation without broken TLS (README "Rotating a key"), over SSH to a real sshd host
// with a real Apache serving the certificate, a real ACME CA (Pebble with pebble-challtestsrv for DNS,
// HTTP-01 through Apache's challenge Alias) and the real acme-tiny, in a network namespace of the
// test's own (loopback only) and the host's private mount namespace (a copy of /etc, private /run,
// /var/www, /var/log, /usr/local/sbin and /var/lib), as test/run/no-systemd-e2e.test.ts sets them up.
// An RSA certificate is issued; then acme_key_type becomes ec256 and the apply runs while a poller
// makes TLS handshakes with Apache in a tight loop: every one must verify against Pebble's root (a
// placeholder, or a key that does not match the certificate, fails that), and at the end Apache serves
// an EC key, the old pair is in the archive, no domain.key.next is left and a plan has nothing to do.
// Then --rotate-key: the plan says what it would do and changes nothing; the apply serves a new key of
// the same type, verified throughout. Every process started is stopped by its PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet } from '../helpers/sshd.js';
import { privateVarLibMounts, untouchedMachineRecord } from '../helpers/private-var-lib.js';
import { alive, stopPid, until as untilTrue } from '../helpers/processes.js';

/** This file's waits: 60 s by default, asked every 50 ms. */
const until = (what: string, probe: () => boolean, seconds = 60) => untilTrue(what, probe, seconds, 50);

untouchedMachineRecord();

const domain = 'rotate.e2e.test';

/** PIDs of the processes whose network namespace is `namespace` (a `net:[inode]` link text). */
function membersOf(namespace: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/net`) === namespace && alive(pid);
      } catch {
        return false;
      }
    });
}

test(
  'key_type rsa2048 -> ec256 and --rotate-key: every handshake during the apply verifies, the new key is served at the end, the old pair archived',
  { timeout: 600_000 },
  async () => {
    const dir = mkdtempSync('/tmp/pv-e2e-');
    chmodSync(dir, 0o755); // the host's acme user reads Pebble's root (acme_ca_file) here
    const started: ChildProcess[] = [];
    let fleet: SshFleet | undefined;
    let apache: ChildProcess | undefined;
    let namespace: string;
    try {
      // The network namespace, held open by a process that dies with the test.
      const holder = spawn('unshare', ['--net', '--', 'setpriv', '--pdeathsig', 'KILL', '--', 'sleep', '600'], { stdio: 'ignore' });
      started.push(holder);
      const own = readlinkSync('/proc/self/ns/net');
      await until('network namespace', () => {
        try {
          return readlinkSync(`/proc/${holder.pid}/ns/net`) !== own;
        } catch {
          return false;
        }
      });
      namespace = readlinkSync(`/proc/${holder.pid}/ns/net`);
      const netns = `/proc/${holder.pid}/ns/net`;
      const inNet = (command: string, args: string[], input?: string) =>
        spawnSync('nsenter', [`--net=${netns}`, '--', command, ...args], { encoding: 'utf8', input, timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
      const background = (command: string, args: string[], env: Record<string, string> = {}) => {
        const child = spawn('nsenter', [`--net=${netns}`, '--', 'setpriv', '--pdeathsig', 'KILL', '--', command, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
          env: { ...process.env, ...env },
        });
        child.stderr?.resume();
        started.push(child);
        return child;
      };
      execFileSync('nsenter', [`--net=${netns}`, '--', 'ip', 'link', 'set', 'lo', 'up']);

      // Pebble's own TLS certificate, from a throwaway CA (Pebble ships none).
      const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tlsca.key', '-out', 'tlsca.pem', '-subj', '/CN=e2e tls ca', '-days', '2');
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'pebble.key', '-out', 'pebble.csr', '-subj', '/CN=localhost');
      writeFileSync(join(dir, 'pebble.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
      openssl(
        'x509',
        '-req',
        '-in',
        'pebble.csr',
        '-CA',
        'tlsca.pem',
        '-CAkey',
        'tlsca.key',
        '-CAcreateserial',
        '-out',
        'pebble.crt',
        '-days',
        '2',
        '-extfile',
        'pebble.ext',
      );
      writeFileSync(
        join(dir, 'pebble.json'),
        JSON.stringify({
          pebble: {
            listenAddress: '127.0.0.1:14000',
            managementListenAddress: '127.0.0.1:15000',
            certificate: join(dir, 'pebble.crt'),
            privateKey: join(dir, 'pebble.key'),
            httpPort: 80,
            tlsPort: 5001,
            ocspResponderURL: '',
            externalAccountBindingRequired: false,
          },
        }),
      );
      background('pebble-challtestsrv', [
        '-defaultIPv4',
        '127.0.0.1',
        '-defaultIPv6',
        '',
        '-dns01',
        '127.0.0.1:8053',
        '-http01',
        '',
        '-https01',
        '',
        '-tlsalpn01',
        '',
        '-management',
        '127.0.0.1:8055',
      ]);
      background('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', '127.0.0.1:8053'], {
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_WFE_NONCEREJECT: '0',
        PEBBLE_AUTHZREUSE: '0',
      });
      const root = join(dir, 'pebble-root.pem');
      await until('Pebble', () => {
        const fetched = inNet('curl', ['-sf', '--cacert', join(dir, 'tlsca.pem'), 'https://127.0.0.1:15000/roots/0']);
        if (fetched.status === 0 && fetched.stdout.includes('BEGIN CERTIFICATE')) writeFileSync(root, fetched.stdout);
        return existsSync(root);
      });

      // The host: private directories in its mount namespace (see the file header).
      const hostDir = join(dir, 'host');
      const setup = () =>
        [
          `H=${hostDir}`,
          'mkdir -p "$H/etc" "$H/www/html" "$H/log/apache2" "$H/sbin" "$H/state" "$H/layers"',
          'cp -a /etc/. "$H/etc/"',
          `echo '127.0.0.1 ${domain}' >> "$H/etc/hosts"`,
          `cat ${join(dir, 'tlsca.pem')} >> "$H/etc/ssl/certs/ca-certificates.crt"`,
          'mount --bind "$H/etc" /etc',
          'mount -t tmpfs -o mode=0755 tmpfs /run',
          'mkdir -p /run/sshd /run/lock',
          'mount --bind "$H/www" /var/www',
          'mount --bind "$H/log" /var/log',
          'mount --bind "$H/sbin" /usr/local/sbin',
          ...privateVarLibMounts('$H/state', '$H/layers'),
        ].join(' &&\n');
      fleet = await startSshFleet(1, { netns, setup });
      const host = fleet.hosts[0]!;
      assert.equal(
        inNet('nsenter', ['--target', String(host.pid), '--mount', '--', 'test', '-d', '/run/systemd/system']).status,
        1,
        'systemd is not running on the host',
      );

      // Apache in the host's namespaces, started as its init script would (the image's policy-rc.d keeps
      // the package from starting it); in the foreground, so its PID is the one spawn gives.
      apache = spawn(
        'nsenter',
        [
          '--target',
          String(host.pid),
          '--mount',
          '--net',
          '--',
          '/bin/sh',
          '-c',
          '. /etc/apache2/envvars && mkdir -p "$APACHE_RUN_DIR" "$APACHE_LOCK_DIR" && exec /usr/sbin/apache2 -DFOREGROUND',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let apacheErrors = '';
      apache.stderr?.on('data', (chunk) => (apacheErrors += chunk));
      await until(
        'Apache on port 80',
        () =>
          inNet('curl', ['-s', '-o', '/dev/null', 'http://127.0.0.1/']).status === 0 ||
          (apache!.exitCode !== null && assert.fail(`apache2 exited: ${apacheErrors}`)),
      );

      const inventory = join(dir, 'inventory.yml');
      const writeInventory = (keyType: string) =>
        writeFileSync(
          inventory,
          JSON.stringify({
            all: {
              hosts: {
                [domain]: {
                  ...fleet!.inventoryVars(host),
                  ansible_become: true,
                  provision_roles: ['letsencrypt', 'apache'],
                  acme_domains: [domain],
                  acme_key_type: keyType,
                  acme_directory_url: 'https://127.0.0.1:14000/dir',
                  acme_ca_file: root,
                  acme_http_port: 80,
                },
              },
            },
          }),
        );
      const cli = [join(projectRoot, 'dist/cli/cli.js')];
      const run = (...args: string[]) => inNet(process.execPath, [...cli, ...args]);
      /** The CLI in the namespace without blocking the event loop, so the poller runs meanwhile. */
      const runAsync = (...args: string[]) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, ...cli, ...args], { env: { ...process.env, NO_COLOR: '1' } });
          started.push(child);
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (chunk) => (stdout += chunk));
          child.stderr.on('data', (chunk) => (stderr += chunk));
          child.on('close', (status) => resolve({ status, stdout, stderr }));
        });
      const certDir = join(hostDir, 'etc/ssl/letsencrypt', domain);
      const inHost = (command: string, args: string[]) => inNet('nsenter', ['--target', String(host.pid), '--mount', '--', command, ...args]);
      const failed = (what: string, result: { stdout: string; stderr: string }) => `${what}:\n${result.stdout}\n${result.stderr}\n${readHostLog(hostDir)}`;

      /** One handshake: verified against Pebble's root; the served key's algorithm and public key. */
      const handshake = () =>
        new Promise<{ ok: boolean; algorithm?: string; publicKey?: string; output: string }>((resolve) => {
          const child = spawn(
            'nsenter',
            [`--net=${netns}`, '--', 'openssl', 's_client', '-connect', '127.0.0.1:443', '-servername', domain, '-CAfile', root, '-verify_return_error'],
            {
              stdio: ['ignore', 'pipe', 'pipe'],
            },
          );
          started.push(child);
          let output = '';
          child.stdout.on('data', (chunk) => (output += chunk));
          child.stderr.on('data', (chunk) => (output += chunk));
          child.on('close', (status) => {
            started.splice(started.indexOf(child), 1);
            if (status !== 0 || !/Verify return code: 0 \(ok\)/.test(output)) return resolve({ ok: false, output });
            const text = spawnSync('openssl', ['x509', '-noout', '-text'], { input: output, encoding: 'utf8' }).stdout;
            const publicKey = spawnSync('openssl', ['x509', '-noout', '-pubkey'], { input: output, encoding: 'utf8' }).stdout;
            resolve({ ok: true, algorithm: /Public Key Algorithm: (\S+)/.exec(text)?.[1], publicKey, output });
          });
        });
      /** Handshakes one after the other until `stop` is set: what each found. */
      const poll = (state: { stop: boolean }) =>
        (async () => {
          const seen: Awaited<ReturnType<typeof handshake>>[] = [];
          while (!state.stop) seen.push(await handshake());
          return seen;
        })();

      // 1. An RSA certificate of Pebble's is served.
      writeInventory('rsa2048');
      const first = run('apply', inventory, '--json', '--detailed-exitcode');
      assert.equal(first.status, 2, failed('first apply', first));
      const rsa = await handshake();
      assert.ok(rsa.ok, rsa.output);
      assert.equal(rsa.algorithm, 'rsaEncryption');
      const oldKey = readFileSync(join(certDir, 'domain.key'));

      // 2. key_type ec256: the plan makes a next key beside the old one and changes nothing.
      writeInventory('ec256');
      const planned = run('plan', inventory, '--detailed-exitcode');
      assert.equal(planned.status, 2, failed('plan', planned));
      assert.match(planned.stdout, /domain\.key\.next/);
      assert.match(planned.stdout, /key rotation: a new ec256 key beside/);
      assert.doesNotMatch(planned.stdout, /BEGIN .*PRIVATE KEY/);
      assert.ok(!existsSync(join(certDir, 'domain.key.next')), 'the plan made no next key');
      assert.deepEqual(readFileSync(join(certDir, 'domain.key')), oldKey, 'the plan left domain.key alone');

      // The apply, with handshakes throughout.
      const polling = { stop: false };
      const seenDuring = poll(polling);
      const rotated = await runAsync('apply', inventory, '--detailed-exitcode');
      polling.stop = true;
      const seen = await seenDuring;
      assert.equal(rotated.status, 2, failed('the rotating apply', rotated));
      assert.doesNotMatch(rotated.stdout, /BEGIN .*PRIVATE KEY/);
      const broken = seen.filter((s) => !s.ok);
      assert.deepEqual(
        broken.map((s) => s.output.slice(-500)),
        [],
        `${broken.length} of ${seen.length} handshakes failed during the apply`,
      );
      assert.ok(seen.length > 0, 'handshakes were made during the apply');
      assert.equal(seen[0]!.algorithm, 'rsaEncryption', 'the old RSA certificate is served while the new one is obtained');
      const afterwards = await handshake();
      assert.ok(afterwards.ok, afterwards.output);
      assert.equal(afterwards.algorithm, 'id-ecPublicKey', 'the served key is ECDSA at the end');
      assert.ok(
        seen.every((s) => s.algorithm === 'rsaEncryption' || s.algorithm === 'id-ecPublicKey'),
        `served: ${[...new Set(seen.map((s) => s.algorithm))].join(', ')}`,
      );
      assert.ok(!existsSync(join(certDir, 'domain.key.next')), 'no domain.key.next remains');
      assert.ok(!existsSync(join(certDir, 'domain.csr.next')), 'no domain.csr.next remains');
      const archived = inHost('find', ['/var/lib/provision/archive', '-path', `*/${domain}/domain.key`]);
      const archivedKeys = archived.stdout.trim().split('\n').filter(Boolean);
      assert.equal(archivedKeys.length, 1, archived.stdout + archived.stderr);
      assert.deepEqual(Buffer.from(inHost('cat', [archivedKeys[0]!]).stdout, 'utf8'), oldKey, 'the old key is in the archive');
      const settled = run('plan', inventory, '--detailed-exitcode');
      assert.equal(settled.status, 0, failed('the plan after the rotation', settled));

      // 3. --rotate-key with the type unchanged: the plan says what it would do and changes nothing;
      //    the apply serves a new EC key, verified throughout.
      const unknown = run('plan', inventory, '--rotate-key', 'nope.e2e.test');
      assert.equal(unknown.status, 1, unknown.stdout + unknown.stderr);
      assert.match(unknown.stderr, /--rotate-key: nope\.e2e\.test is not a certificate name/);
      const ecKey = readFileSync(join(certDir, 'domain.key'));
      const planRotate = run('plan', inventory, '--rotate-key', domain, '--detailed-exitcode');
      assert.equal(planRotate.status, 2, failed('plan --rotate-key', planRotate));
      assert.match(planRotate.stdout, /domain\.key\.next/);
      assert.doesNotMatch(planRotate.stdout, /remove|archived/i);
      assert.ok(!existsSync(join(certDir, 'domain.key.next')), 'plan --rotate-key made no next key');
      assert.deepEqual(readFileSync(join(certDir, 'domain.key')), ecKey);
      const polling2 = { stop: false };
      const seenDuring2 = poll(polling2);
      const again = await runAsync('apply', inventory, '--rotate-key', domain, '--detailed-exitcode');
      polling2.stop = true;
      const seen2 = await seenDuring2;
      assert.equal(again.status, 2, failed('apply --rotate-key', again));
      const broken2 = seen2.filter((s) => !s.ok);
      assert.deepEqual(
        broken2.map((s) => s.output.slice(-500)),
        [],
        `${broken2.length} of ${seen2.length} handshakes failed during apply --rotate-key`,
      );
      const last = await handshake();
      assert.ok(last.ok, last.output);
      assert.equal(last.algorithm, 'id-ecPublicKey');
      assert.notEqual(last.publicKey, afterwards.publicKey, 'a new key is served');
      assert.notDeepEqual(readFileSync(join(certDir, 'domain.key')), ecKey);
      assert.equal(run('plan', inventory, '--detailed-exitcode').status, 0, 'nothing left to do');
    } finally {
      if (apache?.pid !== undefined) await stopPid(apache.pid);
      await fleet?.stop();
      for (const child of started.reverse()) await stopPid(child.pid);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(namespace ? membersOf(namespace) : [], [], 'nothing left running in the namespace');
  },
);

/** The renewal script's log on the host, for a failure message. */
function readHostLog(hostDir: string): string {
  const log = join(hostDir, 'log/acme_tiny.log');
  return existsSync(log) ? readFileSync(log, 'utf8') : '(no renewal log)';
}
