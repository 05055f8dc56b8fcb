// End to end over SSH to a host where systemd is not PID 1, as in a container: a real sshd host
// (test/helpers/sshd.ts) with a real Apache started by the test, a real ACME CA (Pebble with
// pebble-challtestsrv for DNS, real HTTP-01 validation through Apache's challenge Alias) and the real
// acme-tiny. Everything runs in a network namespace of the test's own (its loopback only, so Apache
// has ports 80 and 443 and nothing else is reachable); the host has a private mount namespace with a
// copy of /etc (the test user, web.e2e.test in /etc/hosts, Pebble's TLS CA in the trust store) and
// private /run (no /run/systemd/system), /var/www, /var/log, /usr/local/sbin and /var/lib/provision.
// The first apply issues the certificate through the handlers (reload through the init script, then
// the renewal script); a second apply changes nothing, in one round trip. Every process started is
// stopped by its PID, also when the test fails.
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

/** This file's waits: 10 s by default, asked every 50 ms. */
const until = (what: string, probe: () => boolean, seconds = 10) => untilTrue(what, probe, seconds, 50);

untouchedMachineRecord();

const domain = 'web.e2e.test';

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
  'no systemd: the first apply over ssh issues a Pebble certificate that Apache serves; the second changes nothing in one round trip',
  { timeout: 120_000 },
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
      writeFileSync(
        inventory,
        JSON.stringify({
          all: {
            hosts: {
              [domain]: {
                ...fleet.inventoryVars(host),
                ansible_become: true,
                provision_roles: ['letsencrypt', 'apache'],
                acme_domains: [domain],
                acme_directory_url: 'https://127.0.0.1:14000/dir',
                acme_ca_file: root,
                acme_http_port: 80,
              },
            },
          },
        }),
      );
      const apply = (...args: string[]) => inNet(process.execPath, [join(projectRoot, 'dist/cli/cli.js'), 'apply', inventory, ...args]);

      const first = apply('--json', '--detailed-exitcode');
      assert.equal(first.status, 2, `${first.stdout}\n${first.stderr}\n${readHostLog(hostDir)}`);
      const report = JSON.parse(first.stdout).hosts[0];
      assert.equal(report.status, 'changed');
      assert.equal(report.error, null);
      assert.deepEqual(report.handlers, [
        { name: 'issue certificate', ran: true, ok: true },
        { name: 'reload apache2', ran: true, ok: true },
      ]);

      // What Apache serves is the certificate the CA issued, and it verifies against Pebble's root.
      const served = inNet('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', domain, '-CAfile', root, '-verify_return_error'], '');
      assert.equal(served.status, 0, served.stdout + served.stderr);
      assert.match(served.stdout, /Verify return code: 0 \(ok\)/);
      const leaf = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-subject', '-issuer'], { input: served.stdout, encoding: 'utf8' });
      assert.match(leaf, /issuer=CN = Pebble Intermediate CA/);
      const installed = execFileSync(
        'openssl',
        ['x509', '-noout', '-fingerprint', '-sha256', '-subject', '-issuer', '-in', join(hostDir, 'etc/ssl/letsencrypt', domain, 'signed.crt')],
        { encoding: 'utf8' },
      );
      assert.equal(leaf, installed, 'the host installed the certificate Apache serves');

      const again = apply();
      assert.equal(again.status, 0, again.stdout + again.stderr);
      assert.match(again.stdout, new RegExp(`^${domain.replace(/\./g, '\\.')}\\s*: ok=\\d+ changed=0 failed=0 unreachable=0$`, 'm'));
      const third = apply('--json', '--detailed-exitcode');
      assert.equal(third.status, 0, third.stdout);
      const settled = JSON.parse(third.stdout).hosts[0];
      assert.equal(settled.status, 'ok');
      assert.equal(settled.roundTrips, 1);
      assert.deepEqual(settled.handlers, []);
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
