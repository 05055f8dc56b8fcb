// `provision status` end to end: a real sshd host (test/helpers/sshd.ts, become through sudo) with a
// real Apache of Debian's package serving two of its certificates on 443, in a network namespace of
// the test's own (so Apache has port 443 and the machine's Apache, if any, is neither used nor
// touched), plus a host nothing answers for. The certificates are made with openssl by a CA of the
// test's (certs.ts) and installed as the letsencrypt role installs them, each in a state a fleet
// really gets into: healthy; renewed while Apache kept the old one (no reload); the placeholder
// left in place; expired; a key that does not match; names that drifted from the inventory; a failed
// last renewal (its state file written as the renewal script writes it); a renewal that is due. The
// reports are read as a user reads them: exit codes, lines, the JSON document, promtool on the
// metrics, the nagios line. Every process started is stopped by its PID, also when the test fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import { privateVarLibMounts } from '../helpers/private-var-lib.js';
import type { SshFleet } from '../helpers/sshd.js';
import { install, makeTestCa } from './certs.js';
import { alive, stopPid, until as untilTrue } from '../helpers/processes.js';

/** This file's waits: 20 s by default, asked every 100 ms. */
const until = (what: string, probe: () => boolean, seconds = 20) => untilTrue(what, probe, seconds, 100);

const day = 86400;

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

interface JsonCertificate {
  name: string;
  health: string;
  reasons: string[];
  serial?: string;
  names: string[];
  keyType?: string;
  placeholder: boolean;
  keyMatches?: boolean;
  shareLeft?: number;
  served: { service: string; port: number; serverName: string; serial?: string; matches: boolean }[];
  renewal: { lastAttempt?: { outcome?: string; error?: string }; consecutiveFailures?: number } | null;
  drift: { missing: string[]; extra: string[] };
}

test('provision status: what is installed, what Apache serves, each certificate judged against its own lifetime; an unreachable host is unknown', async () => {
  const dir = mkdtempSync('/tmp/pv-status-e2e-');
  chmodSync(dir, 0o755); // the host's root reads the test CA's root (acme_ca_file) here
  const started: ChildProcess[] = [];
  let fleet: SshFleet | undefined;
  let apache: ChildProcess | undefined;
  let namespace: string | undefined;
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
    namespace = readlinkSync(`/proc/${holder.pid}/ns/net`);
    const netns = `/proc/${holder.pid}/ns/net`;
    const inNet = (command: string, args: string[], input = '') =>
      spawnSync('nsenter', [`--net=${netns}`, '--', command, ...args], { encoding: 'utf8', input, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    execFileSync('nsenter', [`--net=${netns}`, '--', 'ip', 'link', 'set', 'lo', 'up']);

    // The host: a private /etc (a copy), /run and the renewal state directory in its mount namespace.
    const hostDir = join(dir, 'host');
    const setup = () =>
      [
        `H=${hostDir}`,
        'mkdir -p "$H/etc" "$H/state" "$H/provision" "$H/layers"',
        'cp -a /etc/. "$H/etc/"',
        'mount --bind "$H/etc" /etc',
        'mount -t tmpfs -o mode=0755 tmpfs /run',
        'mkdir -p /run/sshd /run/lock',
        // /var/lib is an overlay of this namespace only (privateVarLibMounts), so the state directory's
        // mount point is made there and never on the machine.
        ...privateVarLibMounts('$H/provision', '$H/layers'),
        'mkdir -p /var/lib/letsencrypt-renew',
        'mount --bind "$H/state" /var/lib/letsencrypt-renew',
      ].join(' &&\n');
    fleet = await startSshFleet(1, { netns, setup });
    const host = fleet.hosts[0]!;
    const certsDir = join(hostDir, 'etc/ssl/letsencrypt');
    const stateDir = join(hostDir, 'state');

    const ca = makeTestCa(join(dir, 'ca'));
    const now = Math.floor(Date.now() / 1000);
    const put = (name: string, leaf: ReturnType<typeof ca.leaf>, options: { chain?: string; key?: string } = {}) =>
      install(join(certsDir, name), leaf, options.chain ?? ca.chain, options.key);
    const certificates: { name: string; domains: string[] }[] = [];
    const certificate = (name: string, domains = [name]) => {
      certificates.push({ name, domains });
      return name;
    };

    // healthy: 90 days, one day old; served by Apache
    const good = ca.leaf(['good.test', 'www.good.test'], now - day, now + 89 * day);
    put(certificate('good.test', ['good.test', 'www.good.test']), good);
    // renewed, Apache not reloaded: it keeps serving the older one
    const oldLeaf = ca.leaf(['old.test'], now - 70 * day, now + 20 * day);
    const newLeaf = ca.leaf(['old.test'], now - 60, now + 90 * day - 60, oldLeaf.key);
    put(certificate('old.test'), oldLeaf);
    // the placeholder, made two days ago, never replaced
    const placeholderKey = ca.key();
    put(certificate('placeholder.test'), ca.selfSigned(['placeholder.test'], now - 2 * day, now + 88 * day, placeholderKey), { chain: '' });
    // expired ten days ago
    put(certificate('expired.test'), ca.leaf(['expired.test'], now - 100 * day, now - 10 * day));
    // a key that does not hold the certificate's public key
    put(certificate('mismatch.test'), ca.leaf(['mismatch.test'], now - day, now + 89 * day), { key: ca.key() });
    // the inventory added a name the installed certificate lacks
    put(certificate('drift.test', ['drift.test', 'new.drift.test']), ca.leaf(['drift.test'], now - day, now + 89 * day));
    // its last renewal failed (the state file as the renewal script writes it, format version 1)
    const failedLeaf = ca.leaf(['failed.test'], now - 50 * day, now + 40 * day, ca.key('ec'));
    put(certificate('failed.test'), failedLeaf);
    writeFileSync(
      join(stateDir, 'failed.test.json'),
      JSON.stringify({
        version: 1,
        certificate: 'failed.test',
        serial: failedLeaf.serial,
        notBefore: now - 50 * day,
        notAfter: now + 40 * day,
        ari: null,
        plannedRenewalAt: now - 20 * day,
        lastAttempt: { at: now - 3600, outcome: 'failed', reason: 'due', error: 'acme-tiny: Challenge did not pass for failed.test' },
        lastRenewal: now - 50 * day,
        consecutiveFailures: 3,
      }),
    );
    // a third of its lifetime left: the next run renews it
    put(certificate('due.test'), ca.leaf(['due.test'], now - 62 * day, now + 28 * day));
    // A state file that is not the format: read tolerantly, said, never a failure of the host.
    writeFileSync(
      join(stateDir, 'good.test.json'),
      JSON.stringify({ version: 1, certificate: 'good.test', lastAttempt: { at: now - 60, outcome: 'not-due' }, consecutiveFailures: 0 }),
    );
    // The schedule acme_schedule daily asks for.
    writeFileSync(join(hostDir, 'etc/cron.d/letsencrypt'), '0 3,15 * * * root /usr/local/sbin/letsencrypt-renew\n');

    // Apache in the host's namespaces, in the foreground (its PID is the one spawn gives), serving
    // good.test and old.test by SNI from the installed files.
    const apacheDir = join(dir, 'apache');
    mkdirSync(apacheDir);
    const vhost = (name: string) =>
      [
        '<VirtualHost *:443>',
        `  ServerName ${name}`,
        '  SSLEngine on',
        `  SSLCertificateFile /etc/ssl/letsencrypt/${name}/fullchain.pem`,
        `  SSLCertificateKeyFile /etc/ssl/letsencrypt/${name}/domain.key`,
        '</VirtualHost>',
      ].join('\n');
    writeFileSync(
      join(apacheDir, 'apache2.conf'),
      [
        'ServerRoot /etc/apache2',
        'ServerName localhost',
        `PidFile ${apacheDir}/apache2.pid`,
        `DefaultRuntimeDir ${apacheDir}`,
        `Mutex file:${apacheDir} default`,
        `ErrorLog ${apacheDir}/error.log`,
        'LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so',
        'LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so',
        'LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so',
        'LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so',
        'User www-data',
        'Group www-data',
        'Listen 127.0.0.1:443',
        `SSLSessionCache shmcb:${apacheDir}/ssl_scache(512000)`,
        vhost('good.test'),
        vhost('old.test'),
        '',
      ].join('\n'),
    );
    apache = spawn(
      'nsenter',
      ['--target', String(host.pid), '--mount', '--net', '--', '/usr/sbin/apache2', '-f', join(apacheDir, 'apache2.conf'), '-DFOREGROUND'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let apacheErrors = '';
    apache.stderr?.on('data', (chunk) => (apacheErrors += chunk));
    const servedSerial = (name: string) => {
      const client = inNet('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', name]);
      const parsed = spawnSync('openssl', ['x509', '-noout', '-serial'], { input: client.stdout, encoding: 'utf8' });
      return parsed.status === 0 ? parsed.stdout.trim().replace(/^serial=/, '') : undefined;
    };
    await until(
      'Apache serves old.test',
      () => servedSerial('old.test') === oldLeaf.serial || (apache!.exitCode !== null && assert.fail(`Apache exited: ${apacheErrors}`)),
    );
    // The renewal installs the new certificate; Apache is not reloaded.
    put('old.test', newLeaf);
    assert.equal(servedSerial('old.test'), oldLeaf.serial);

    const inventory = join(dir, 'inventory.yml');
    writeFileSync(
      inventory,
      JSON.stringify({
        all: {
          vars: {
            ansible_become: true,
            provision_roles: ['letsencrypt', 'apache'],
            acme_certificates: certificates,
            apache_certificates: ['good.test', 'old.test'],
            acme_ca_file: ca.rootFile,
          },
          hosts: {
            'web.status.test': fleet.inventoryVars(host),
            // nothing listens on port 9 in the namespace
            'down.status.test': { ...fleet.inventoryVars(host), ansible_port: 9 },
          },
        },
      }),
    );
    const status = (...args: string[]) => inNet(process.execPath, [join(projectRoot, 'dist/cli/cli.js'), 'status', inventory, ...args]);

    // ---- json: every certificate judged
    const json = status('--format', 'json');
    assert.equal(json.status, 4, `a host was unreachable: exit 4\n${json.stdout}\n${json.stderr}`);
    const document = JSON.parse(json.stdout) as {
      summary: Record<string, number>;
      hosts: { name: string; reach: string; health: string; error: string | null; certificates: JsonCertificate[] }[];
    };
    const [web, unreachable] = document.hosts;
    assert.equal(unreachable!.name, 'down.status.test');
    assert.equal(unreachable!.reach, 'unreachable');
    assert.equal(unreachable!.health, 'unknown');
    assert.equal(web!.reach, 'ok', String(web!.error));
    assert.equal(web!.health, 'critical');
    const byName = new Map(web!.certificates.map((c) => [c.name, c]));
    const cert = (name: string) => byName.get(name) ?? assert.fail(`no ${name} in ${[...byName.keys()].join(', ')}`);
    const reasons = (name: string) => cert(name).reasons.join('\n');

    assert.equal(cert('good.test').health, 'ok', reasons('good.test'));
    assert.deepEqual(cert('good.test').names, ['good.test', 'www.good.test'], 'SAN names, no CN');
    assert.equal(cert('good.test').serial, good.serial);
    assert.equal(cert('good.test').keyType, 'rsa2048');
    assert.deepEqual(
      cert('good.test').served.map((s) => [s.service, s.port, s.serverName, s.serial, s.matches]),
      [['apache2', 443, 'good.test', good.serial, true]],
    );
    assert.ok(Math.abs(cert('good.test').shareLeft! - 89 / 90) < 0.01);

    assert.equal(cert('old.test').health, 'critical');
    assert.match(reasons('old.test'), new RegExp(`apache2 on port 443 for old.test serves an older certificate \\(serial ${oldLeaf.serial}`));
    assert.equal(cert('old.test').serial, newLeaf.serial);

    assert.equal(cert('placeholder.test').health, 'critical');
    assert.equal(cert('placeholder.test').placeholder, true);
    assert.match(reasons('placeholder.test'), /still the self-signed placeholder, made 2 d ago/);

    assert.equal(cert('expired.test').health, 'critical');
    assert.match(reasons('expired.test'), /^expired 10 d ago/);

    assert.equal(cert('mismatch.test').health, 'critical');
    assert.equal(cert('mismatch.test').keyMatches, false);
    assert.match(reasons('mismatch.test'), /key mismatch/);

    assert.equal(cert('drift.test').health, 'warning');
    assert.deepEqual(cert('drift.test').drift, { missing: ['new.drift.test'], extra: [] });
    assert.match(reasons('drift.test'), /names differ from the inventory: lacks new\.drift\.test/);

    assert.equal(cert('failed.test').health, 'warning');
    assert.equal(cert('failed.test').keyType, 'ec256');
    assert.equal(cert('failed.test').renewal?.consecutiveFailures, 3);
    assert.match(reasons('failed.test'), /the last renewal failed at .* \(3 in a row\): acme-tiny: Challenge did not pass for failed\.test/);

    assert.equal(cert('due.test').health, 'renewal due', reasons('due.test'));
    assert.equal(document.summary.critical, 4);
    assert.equal(document.summary.warning, 2);
    assert.equal(document.summary.renewalDue, 1);
    assert.equal(document.summary.ok, 1);
    assert.equal(document.summary.hostsUnknown, 1);
    // The daily schedule's next run, from its cron line (0 3,15) in the host's zone, within twelve hours.
    const schedule = (web as unknown as { schedule: { next?: string; nextAt?: number; zone?: string } }).schedule;
    assert.match(schedule.next ?? '', /^\d{4}-\d{2}-\d{2} (03|15):00 [+-]\d{4} \(.+\)$/);
    assert.ok(schedule.nextAt! > now && schedule.nextAt! <= now + 12 * 3600 + 600, `${schedule.nextAt} ${now}`);
    assert.ok(schedule.next!.endsWith(`(${schedule.zone})`));

    // ---- text: one line a certificate, the most urgent first, the unreachable host, the summary
    const text = status('--limit', 'web.status.test');
    assert.equal(text.status, 5, `some certificate is not ok: exit 5\n${text.stdout}${text.stderr}`);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, certificates.length + 1, text.stdout);
    assert.deepEqual(
      lines.slice(0, -1).map((line) => line.split(/\s+/)[0]),
      ['CRITICAL', 'CRITICAL', 'CRITICAL', 'CRITICAL', 'WARNING', 'WARNING', 'DUE', 'OK'],
    );
    assert.match(
      lines.find((l) => l.includes(' old.test '))!,
      /^CRITICAL web\.status\.test old\.test .*served 0\/1.*serves an older certificate/,
    );
    assert.match(lines.at(-1)!, /^8 certificates on 1 host: 4 critical, 2 warning, 1 renewal due, 1 ok$/);
    assert.match(
      lines.find((l) => l.includes(' due.test '))!,
      /, next run \d{4}-\d{2}-\d{2} (03|15):00 [+-]\d{4} \(.+\): /,
    );
    assert.match(
      status('--format', 'prometheus').stdout,
      new RegExp(`^provision_schedule_next_run_timestamp_seconds\\{host="web\\.status\\.test"\\} ${schedule.nextAt}$`, 'm'),
    );
    assert.ok(!text.stdout.includes('\u001b['), 'no colour when not on a terminal');
    const withDown = status();
    assert.match(withDown.stdout, /^UNKNOWN +down\.status\.test unreachable: /m);
    assert.match(withDown.stdout, /; 1 host unknown \(not reached\)$/m);

    // ---- prometheus: promtool accepts it; the served gauge and the timestamps are there
    const metrics = status('--format', 'prometheus');
    assert.equal(metrics.status, 4);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: metrics.stdout, encoding: 'utf8' });
    assert.equal(promtool.status, 0, `${promtool.stdout}${promtool.stderr}`);
    assert.match(metrics.stdout, /^provision_host_up\{host="down\.status\.test"\} 0$/m);
    assert.match(
      metrics.stdout,
      /^provision_certificate_served_matches_installed\{host="web\.status\.test",certificate="old\.test",service="apache2",port="443"\} 0$/m,
    );
    assert.match(
      metrics.stdout,
      /^provision_certificate_served_matches_installed\{host="web\.status\.test",certificate="good\.test",service="apache2",port="443"\} 1$/m,
    );
    assert.match(
      metrics.stdout,
      new RegExp(`^provision_certificate_expiration_timestamp_seconds\\{host="web\\.status\\.test",certificate="good\\.test"\\} ${now + 89 * day}$`, 'm'),
    );
    assert.match(metrics.stdout, /^provision_certificate_renewal_consecutive_failures\{host="web\.status\.test",certificate="failed\.test"\} 3$/m);
    assert.match(metrics.stdout, /^provision_certificate_health\{host="web\.status\.test",certificate="expired\.test",health="critical"\} 1$/m);

    // ---- nagios: one line, perfdata, the plugin exit codes
    const nagios = status('--format', 'nagios');
    assert.equal(nagios.status, 2, nagios.stdout);
    assert.equal(nagios.stdout.trimEnd().split('\n').length, 1);
    assert.match(
      nagios.stdout,
      /^PROVISION CRITICAL - 8 certificates on 2 hosts: 4 critical, 2 warning, 1 renewal due, 1 ok - web\.status\.test old\.test: .* \| certificates=8 critical=4 /,
    );
    const onlyGood = status(
      '--format',
      'nagios',
      '--limit',
      'web.status.test',
      '-e',
      JSON.stringify({ acme_certificates: [certificates[0]], apache_certificates: ['good.test'] }),
    );
    assert.equal(onlyGood.status, 0, onlyGood.stdout + onlyGood.stderr);
    assert.match(onlyGood.stdout, /^PROVISION OK - 1 certificate on 1 host: 0 critical, 0 warning, 0 renewal due, 1 ok \| /);
    const onlyDown = status('--format', 'nagios', '--limit', 'down.status.test');
    assert.equal(onlyDown.status, 3, onlyDown.stdout);
    assert.match(onlyDown.stdout, /^PROVISION UNKNOWN - .* - down\.status\.test unreachable/);

    // ---- the schedule removed: every certificate warns, the healthy one included
    unlinkSync(join(hostDir, 'etc/cron.d/letsencrypt'));
    const noSchedule = status(
      '--format',
      'json',
      '--limit',
      'web.status.test',
      '-e',
      JSON.stringify({ acme_certificates: [certificates[0]], apache_certificates: ['good.test'] }),
    );
    assert.equal(noSchedule.status, 5, noSchedule.stdout + noSchedule.stderr);
    const alone = (JSON.parse(noSchedule.stdout) as typeof document).hosts[0]!.certificates[0]!;
    assert.equal(alone.health, 'warning');
    assert.match(alone.reasons.join('\n'), /no renewal schedule: \/etc\/cron\.d\/letsencrypt is missing \(acme_schedule daily\)/);

    // ---- a leftover: an enabled Apache site (a link provision did not make) using a certificate no role
    // of the host manages is warned about as plan warns, in every format; one using a managed
    // certificate is not.
    writeFileSync(join(hostDir, 'etc/cron.d/letsencrypt'), '0 3,15 * * * root /usr/local/sbin/letsencrypt-renew\n');
    mkdirSync(join(hostDir, 'etc/apache2/sites-available'), { recursive: true });
    mkdirSync(join(hostDir, 'etc/apache2/sites-enabled'), { recursive: true });
    for (const [site, used] of [
      ['leftover', 'gone.test'],
      ['kept', 'good.test'],
    ]) {
      writeFileSync(join(hostDir, `etc/apache2/sites-available/${site}.conf`), `SSLCertificateFile /etc/ssl/letsencrypt/${used}/fullchain.pem\n`);
      symlinkSync(`../sites-available/${site}.conf`, join(hostDir, `etc/apache2/sites-enabled/${site}.conf`));
    }
    const leftover =
      'enabled Apache site /etc/apache2/sites-enabled/leftover.conf uses /etc/ssl/letsencrypt/gone.test, which no role of this host manages: nothing renews that certificate (provision leaves the link alone; remove it if the site is not needed)';
    const onlyGoodVars = JSON.stringify({ acme_certificates: [certificates[0]], apache_certificates: ['good.test'] });
    const leftText = status('--limit', 'web.status.test', '-e', onlyGoodVars);
    assert.equal(leftText.status, 5, leftText.stdout + leftText.stderr);
    assert.deepEqual(
      leftText.stdout
        .trimEnd()
        .split('\n')
        .slice(0, -1)
        .map((l) => l.replace(/ good\.test .*/, ' good.test')),
      [`WARNING  web.status.test: ${leftover}`, 'OK       web.status.test good.test'],
    );
    const leftJson = status('--format', 'json', '--limit', 'web.status.test', '-e', onlyGoodVars);
    const leftHost = (JSON.parse(leftJson.stdout) as { hosts: { health: string; warnings: string[]; certificates: { health: string }[] }[] }).hosts[0]!;
    assert.deepEqual(leftHost.warnings, [leftover]);
    assert.equal(leftHost.health, 'warning');
    assert.equal(leftHost.certificates[0]!.health, 'ok');
    const leftNagios = status('--format', 'nagios', '--limit', 'web.status.test', '-e', onlyGoodVars);
    assert.equal(leftNagios.status, 1, leftNagios.stdout);
    assert.ok(
      leftNagios.stdout.startsWith(`PROVISION WARNING - 1 certificate on 1 host: 0 critical, 0 warning, 0 renewal due, 1 ok - web.status.test: ${leftover} | `),
      leftNagios.stdout,
    );

    // Read-only: nothing on the host changed (the files are as the test wrote them).
    assert.equal(readFileSync(join(certsDir, 'old.test/signed.crt'), 'utf8'), newLeaf.cert);
  } finally {
    if (apache?.pid !== undefined) await stopPid(apache.pid);
    await fleet?.stop();
    for (const child of started.reverse()) await stopPid(child.pid);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(namespace ? membersOf(namespace) : [], [], 'nothing left running in the namespace');
});
