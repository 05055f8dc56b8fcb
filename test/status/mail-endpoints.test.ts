// `provision status` reads what mail daemons present: a real Postfix (Debian's package, started in
// the foreground with a configuration of the test's own) over STARTTLS on 25 and a real Dovecot
// (dovecot-imapd) over implicit TLS on 993, both in the namespaces of a real sshd host (set up as in
// status-e2e.test.ts). Postfix was started before the certificate was renewed and never reloaded;
// Dovecot after: the one serves the older serial, the other the installed one, and status says so
// for the one certificate both use. Every process started is stopped by its PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet } from '../helpers/sshd.js';
import { install, makeTestCa } from './certs.js';
import { stopPid, until as untilTrue } from '../helpers/processes.js';

/** This file's waits: 30 s by default, asked every 200 ms. */
const until = (what: string, probe: () => boolean, seconds = 30) => untilTrue(what, probe, seconds, 200);

const day = 86400;
const name = 'mail.status.test';

test('status reads Postfix over STARTTLS on 25 and Dovecot over implicit TLS on 993', async () => {
  const dir = mkdtempSync('/tmp/pv-status-mail-');
  chmodSync(dir, 0o755);
  const started: ChildProcess[] = [];
  let fleet: SshFleet | undefined;
  let onHost: ((command: string, args: string[]) => ReturnType<typeof spawnSync>) | undefined;
  const postfixDir = join(dir, 'postfix');
  try {
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
    const netns = `/proc/${holder.pid}/ns/net`;
    const inNet = (command: string, args: string[]) =>
      spawnSync('nsenter', [`--net=${netns}`, '--', command, ...args], {
        encoding: 'utf8',
        input: '',
        timeout: 120_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
    execFileSync('nsenter', [`--net=${netns}`, '--', 'ip', 'link', 'set', 'lo', 'up']);
    const hostDir = join(dir, 'host');
    fleet = await startSshFleet(1, {
      netns,
      setup: () =>
        [
          `H=${hostDir}`,
          'mkdir -p "$H/etc"',
          'cp -a /etc/. "$H/etc/"',
          'mount --bind "$H/etc" /etc',
          'mount -t tmpfs -o mode=0755 tmpfs /run',
          'mkdir -p /run/sshd',
        ].join(' &&\n'),
    });
    const host = fleet.hosts[0]!;
    const inHost = (command: string, args: string[]) =>
      spawnSync('nsenter', ['--target', String(host.pid), '--mount', '--net', '--', command, ...args], { encoding: 'utf8', timeout: 60_000 });
    onHost = inHost;
    const background = (command: string, args: string[]) => {
      const child = spawn('nsenter', ['--target', String(host.pid), '--mount', '--net', '--', command, ...args], { stdio: 'ignore' });
      started.push(child);
      return child;
    };
    const served = (port: string, starttls: string[]) => {
      const client = inNet('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', name, ...starttls]);
      const parsed = spawnSync('openssl', ['x509', '-noout', '-serial'], { input: client.stdout, encoding: 'utf8' });
      return parsed.status === 0 ? parsed.stdout.trim().replace(/^serial=/, '') : undefined;
    };

    const ca = makeTestCa(join(dir, 'ca'));
    const now = Math.floor(Date.now() / 1000);
    const certDir = join(hostDir, 'etc/ssl/letsencrypt', name);
    const before = ca.leaf([name], now - 60 * day, now + 30 * day);
    const after = ca.leaf([name], now - 60, now + 90 * day, before.key);
    install(certDir, before, ca.chain);
    writeFileSync(join(hostDir, 'etc/cron.d/letsencrypt'), '0 3,15 * * * root /usr/local/sbin/letsencrypt-renew\n');

    // Postfix: smtpd only, its own queue, its log in a file (postlogd), the certificate as the postfix role sets it.
    mkdirSync(join(postfixDir, 'spool'), { recursive: true });
    mkdirSync(join(postfixDir, 'data'));
    chownSync(join(postfixDir, 'data'), Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' })), 0);
    writeFileSync(
      join(postfixDir, 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${postfixDir}/spool`,
        `data_directory = ${postfixDir}/data`,
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        `myhostname = ${name}`,
        'mydestination =',
        'local_recipient_maps =',
        'alias_maps =',
        `maillog_file_prefixes = ${dir}`,
        `maillog_file = ${postfixDir}/maillog`,
        'smtpd_tls_security_level = may',
        'smtpd_tls_session_cache_database =',
        `smtpd_tls_chain_files = /etc/ssl/letsencrypt/${name}/domain.key, /etc/ssl/letsencrypt/${name}/fullchain.pem`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(postfixDir, 'master.cf'),
      [
        'smtp      inet  n       -       n       -       -       smtpd',
        'postlog   unix-dgram n  -       n       -       1       postlogd',
        'tlsmgr    unix  -       -       n       1000?   1       tlsmgr',
        'anvil     unix  -       -       n       -       1       anvil',
        '',
      ].join('\n'),
    );
    background('/usr/sbin/postfix', ['-c', postfixDir, 'start-fg']);
    await until('Postfix presents the certificate', () => served('25', ['-starttls', 'smtp']) === before.serial, 120);

    // The renewal: the new certificate is installed, Postfix is not reloaded; Dovecot starts after it.
    install(certDir, after, ca.chain);
    const dovecotDir = join(dir, 'dovecot');
    mkdirSync(join(dovecotDir, 'state'), { recursive: true });
    writeFileSync(
      join(dovecotDir, 'dovecot.conf'),
      [
        'protocols = imap',
        'listen = 127.0.0.1',
        `base_dir = ${dovecotDir}/run/`,
        `state_dir = ${dovecotDir}/state`,
        `log_path = ${dovecotDir}/dovecot.log`,
        'ssl = required',
        `ssl_cert = </etc/ssl/letsencrypt/${name}/fullchain.pem`,
        `ssl_key = </etc/ssl/letsencrypt/${name}/domain.key`,
        'passdb {',
        '  driver = static',
        '  args = nopassword=y',
        '}',
        'userdb {',
        '  driver = static',
        `  args = uid=nobody gid=nogroup home=${dovecotDir}/home`,
        '}',
        'service imap-login {',
        '  inet_listener imap {',
        '    port = 0',
        '  }',
        '  inet_listener imaps {',
        '    port = 993',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    background('/usr/sbin/dovecot', ['-F', '-c', join(dovecotDir, 'dovecot.conf')]);
    // Generous: on a loaded 2-core machine Dovecot's first start has been seen to take over 30 s; its log
    // says why when it never serves.
    await until('Dovecot presents the certificate', () => served('993', []) === after.serial, 120).catch((error: Error) => {
      let log: string;
      try {
        log = readFileSync(join(dovecotDir, 'dovecot.log'), 'utf8').slice(-2000);
      } catch {
        log = '(no dovecot.log)';
      }
      throw new Error(`${error.message}\n${log}`);
    });

    const inventory = join(dir, 'inventory.yml');
    writeFileSync(
      inventory,
      JSON.stringify({
        all: {
          hosts: {
            [name]: {
              ...fleet.inventoryVars(host),
              ansible_become: true,
              provision_roles: ['letsencrypt', 'postfix', 'dovecot'],
              acme_domains: [name],
              acme_ca_file: ca.rootFile,
              postfix_certificate: name,
              dovecot_certificate: name,
            },
          },
        },
      }),
    );
    const status = inNet(process.execPath, [join(projectRoot, 'dist/cli/cli.js'), 'status', inventory, '--format', 'json']);
    assert.equal(status.status, 5, status.stdout + status.stderr);
    const cert = (JSON.parse(status.stdout) as { hosts: { certificates: { health: string; reasons: string[]; served: Record<string, unknown>[] }[] }[] })
      .hosts[0]!.certificates[0]!;
    assert.deepEqual(
      cert.served.map((s) => [s.service, s.port, s.starttls, s.serverName, s.serial, s.matches]),
      [
        ['postfix smtpd', 25, 'smtp', name, before.serial, false],
        ['dovecot imaps', 993, 'none', name, after.serial, true],
      ],
    );
    assert.equal(cert.health, 'critical');
    assert.deepEqual(cert.reasons.slice(0, 1), [
      `postfix smtpd on port 25 (STARTTLS smtp) for ${name} serves an older certificate (serial ${before.serial}, expires ${new Date((now + 30 * day) * 1000).toISOString().replace(/\.000Z$/, 'Z')}): reload it`,
    ]);
  } finally {
    onHost?.('/usr/sbin/postfix', ['-c', postfixDir, 'stop']);
    await fleet?.stop();
    for (const child of started.reverse()) await stopPid(child.pid);
    rmSync(dir, { recursive: true, force: true });
  }
});
