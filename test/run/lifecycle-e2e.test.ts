// What happens on a host when the inventory drops something (README: Changing the inventory), end to
// end over SSH: a real sshd host (test/helpers/sshd.ts) with a real Apache started by the test, a real
// ACME CA (Pebble with pebble-challtestsrv for DNS, HTTP-01 validated through Apache's challenge
// Alias) and the real acme-tiny, set up like no-systemd-e2e.test.ts: everything in a network
// namespace of the test's own, the host with a private mount namespace holding copies of /etc and
// private /run, /var/www, /var/log, /usr/local/sbin, /usr/local/bin and /var/lib/provision.
// The one stand-in: systemd cannot run here, so /usr/local/bin/systemctl (on the host's sudo PATH
// before /usr/bin) only logs what it is asked, for the systemd schedule's handler.
// Every process started is stopped by its PID, also when a test fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet } from '../helpers/sshd.js';
import { privateVarLibMounts, untouchedMachineRecord } from '../helpers/private-var-lib.js';
import { stopPid, until } from '../helpers/processes.js';

untouchedMachineRecord();

const [first, second] = ['a.life.test', 'b.life.test'];

const dir = mkdtempSync('/tmp/pv-life-');
const hostDir = join(dir, 'host');
const started: ChildProcess[] = [];
let fleet: SshFleet | undefined;
let apache: ChildProcess | undefined;
let netns = '';
let pebbleRoot = '';

const inNet = (command: string, args: string[], input?: string) =>
  spawnSync('nsenter', [`--net=${netns}`, '--', command, ...args], { encoding: 'utf8', input, timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });

before(async () => {
  chmodSync(dir, 0o755); // the host's acme user reads Pebble's root (acme_ca_file) here
  const holder = spawn('unshare', ['--net', '--', 'setpriv', '--pdeathsig', 'KILL', '--', 'sleep', '900'], { stdio: 'ignore' });
  started.push(holder);
  const own = readlinkSync('/proc/self/ns/net');
  await until('network namespace', () => {
    try {
      return readlinkSync(`/proc/${holder.pid}/ns/net`) !== own;
    } catch {
      return false;
    }
  });
  netns = `/proc/${holder.pid}/ns/net`;
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

  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tlsca.key', '-out', 'tlsca.pem', '-subj', '/CN=life tls ca', '-days', '2');
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
  pebbleRoot = join(dir, 'pebble-root.pem');
  await until('Pebble', () => {
    const fetched = inNet('curl', ['-sf', '--cacert', join(dir, 'tlsca.pem'), 'https://127.0.0.1:15000/roots/0']);
    if (fetched.status === 0 && fetched.stdout.includes('BEGIN CERTIFICATE')) writeFileSync(pebbleRoot, fetched.stdout);
    return existsSync(pebbleRoot);
  });

  // The stand-in systemctl (see the header): it logs its arguments and succeeds.
  mkdirSync(join(hostDir, 'bin'), { recursive: true });
  writeFileSync(join(hostDir, 'bin/systemctl'), `#!/bin/sh\necho "$*" >> ${join(hostDir, 'systemctl.log')}\n`, { mode: 0o755 });
  const setup = () =>
    [
      `H=${hostDir}`,
      'mkdir -p "$H/etc" "$H/www/html" "$H/log/apache2" "$H/sbin" "$H/state" "$H/layers"',
      'cp -a /etc/. "$H/etc/"',
      `echo '127.0.0.1 ${first} ${second}' >> "$H/etc/hosts"`,
      `cat ${join(dir, 'tlsca.pem')} >> "$H/etc/ssl/certs/ca-certificates.crt"`,
      'mount --bind "$H/etc" /etc',
      'mount -t tmpfs -o mode=0755 tmpfs /run',
      'mkdir -p /run/sshd /run/lock',
      'mount --bind "$H/www" /var/www',
      'mount --bind "$H/log" /var/log',
      'mount --bind "$H/sbin" /usr/local/sbin',
      'mount --bind "$H/bin" /usr/local/bin',
      ...privateVarLibMounts('$H/state', '$H/layers'),
    ].join(' &&\n');
  fleet = await startSshFleet(1, { netns, setup });
  const host = fleet.hosts[0]!;
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
});

after(async () => {
  if (apache?.pid !== undefined) await stopPid(apache.pid);
  await fleet?.stop();
  for (const child of started.reverse()) await stopPid(child.pid);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes the inventory: the host with `vars` over the CA settings; returns its path. */
function inventory(vars: Record<string, unknown>): string {
  const file = join(dir, 'inventory.yml');
  writeFileSync(
    file,
    JSON.stringify({
      all: {
        hosts: {
          'life.test': {
            ...fleet!.inventoryVars(fleet!.hosts[0]!),
            ansible_become: true,
            acme_directory_url: 'https://127.0.0.1:14000/dir',
            acme_ca_file: pebbleRoot,
            acme_http_port: 80,
            ...vars,
          },
        },
      },
    }),
  );
  return file;
}

const certificates = (...names: string[]) => names.map((name) => ({ name, domains: [name] }));

function provision(command: 'apply' | 'plan', file: string, ...args: string[]) {
  const run = inNet(process.execPath, [join(projectRoot, 'dist/cli/cli.js'), command, file, ...args]);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, out: `${run.stdout}\n${run.stderr}` };
}

/** The subject of the certificate Apache serves for `name` (SNI), verified against Pebble's root. */
function served(name: string): { verified: boolean; subject: string } {
  const run = inNet('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', name, '-CAfile', pebbleRoot], '');
  const subject = run.status === 0 ? execFileSync('openssl', ['x509', '-noout', '-subject'], { input: run.stdout, encoding: 'utf8' }).trim() : '';
  return { verified: /Verify return code: 0 \(ok\)/.test(run.stdout), subject };
}

const onHost = (path: string) => join(hostDir, path.replace(/^\/etc\//, 'etc/').replace(/^\/var\/lib\/provision\//, 'state/'));
const certsDir = '/etc/ssl/letsencrypt';

/** Every file under the archive (/var/lib/provision/archive/RUN/...), by its original path. */
function archived(): Map<string, string> {
  const out = new Map<string, string>();
  const base = join(hostDir, 'state/archive');
  if (!existsSync(base)) return out;
  for (const run of readdirSync(base)) {
    for (const rel of readdirSync(join(base, run), { recursive: true }).map(String)) out.set(`/${rel}`, join(base, run, rel));
  }
  return out;
}

test(
  'a certificate dropped from the inventory: its site disabled, Apache reloaded and serving the other, its key and certificate archived; the next plan has nothing to do',
  { timeout: 300_000 },
  () => {
    const both = inventory({ provision_roles: ['letsencrypt', 'apache'], acme_certificates: certificates(first, second) });
    const issued = provision('apply', both, '--json');
    assert.equal(issued.code, 0, issued.out);
    for (const name of [first, second]) assert.deepEqual(served(name), { verified: true, subject: `subject=CN = ${name}` }, name);
    const fingerprint = (path: string) => execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', path], { encoding: 'utf8' });
    const droppedCert = fingerprint(onHost(`${certsDir}/${second}/fullchain.pem`));
    const droppedKey = readFileSync(onHost(`${certsDir}/${second}/domain.key`));

    const one = inventory({ provision_roles: ['letsencrypt', 'apache'], acme_certificates: certificates(first) });
    const plan = provision('plan', one, '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.match(
      plan.stdout,
      new RegExp(
        `^life\\.test: remove symlink /etc/apache2/sites-enabled/${second}-ssl\\.conf \\(no longer managed \\(certificate ${second}\\): the link is removed\\)$`,
        'm',
      ),
    );
    assert.match(plan.stdout, new RegExp(`^--- before: /etc/apache2/sites-available/${second}-ssl\\.conf$`, 'm'), 'the site that goes, as a diff');
    assert.match(plan.stdout, new RegExp(`^-\\s*SSLCertificateFile "${certsDir}/${second}/fullchain\\.pem"$`, 'm'));
    assert.match(
      plan.stdout,
      new RegExp(`^life\\.test: remove private key ${certsDir}/${second}/domain\\.key .*\\n\\(private key archived, never shown\\)$`, 'm'),
    );
    assert.match(plan.stdout, /^life\.test: would run handler reload apache2$/m);
    assert.ok(existsSync(onHost(`/etc/apache2/sites-enabled/${second}-ssl.conf`)), 'plan removes nothing');

    const json = JSON.parse(provision('plan', one, '--json').stdout).hosts[0];
    assert.deepEqual(
      json.changes
        .filter((c: { action: string }) => c.action === 'remove')
        .map((c: { resource: string; path: string }) => `${c.resource} ${c.path}`)
        .sort(),
      [
        `certificate ${certsDir}/${second}/fullchain.pem`,
        `csr ${certsDir}/${second}/domain.csr`,
        `directory ${certsDir}/${second}`,
        `file /etc/apache2/sites-available/${second}-ssl.conf`,
        `private_key ${certsDir}/${second}/domain.key`,
        `symlink /etc/apache2/sites-enabled/${second}-ssl.conf`,
      ],
    );

    const dropped = provision('apply', one, '--json', '--detailed-exitcode');
    assert.equal(dropped.code, 2, dropped.out);
    const report = JSON.parse(dropped.stdout).hosts[0];
    assert.equal(report.error, null);
    assert.ok(
      report.handlers.some((h: { name: string; ok: boolean }) => h.name === 'reload apache2' && h.ok),
      JSON.stringify(report.handlers),
    );
    assert.equal(existsSync(onHost(`/etc/apache2/sites-enabled/${second}-ssl.conf`)), false, 'the site is disabled');
    assert.equal(existsSync(onHost(`/etc/apache2/sites-available/${second}-ssl.conf`)), false);
    assert.equal(existsSync(onHost(`${certsDir}/${second}/domain.key`)), false, 'the key left the live path');
    assert.equal(existsSync(onHost(`${certsDir}/${second}/fullchain.pem`)), false);
    const archive = archived();
    assert.deepEqual(readFileSync(archive.get(`${certsDir}/${second}/domain.key`)!), droppedKey, 'the key is in the archive');
    assert.equal(fingerprint(archive.get(`${certsDir}/${second}/fullchain.pem`)!), droppedCert, 'and its certificate');
    assert.ok(archive.has(`/etc/apache2/sites-available/${second}-ssl.conf`));
    assert.deepEqual(served(first), { verified: true, subject: `subject=CN = ${first}` }, 'the other certificate is still served');
    assert.notEqual(served(second).subject, `subject=CN = ${second}`, 'the dropped one is not served any more');

    const again = provision('plan', one, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);

    // A site enabled by hand for the dropped names: never removed, but nothing renews its certificate.
    const manual = onHost('/etc/apache2/sites-available/manual.conf');
    writeFileSync(manual, `<VirtualHost *:443>\n\tSSLCertificateFile ${certsDir}/${second}/fullchain.pem\n</VirtualHost>\n`);
    symlinkSync('../sites-available/manual.conf', onHost('/etc/apache2/sites-enabled/manual.conf'));
    try {
      const warned = provision('plan', one, '--detailed-exitcode');
      assert.equal(warned.code, 0, warned.out);
      assert.match(
        warned.stdout,
        new RegExp(
          `^life\\.test: warning: enabled Apache site /etc/apache2/sites-enabled/manual\\.conf uses ${certsDir}/${second}, which no role of this host manages: nothing renews that certificate`,
          'm',
        ),
      );
    } finally {
      rmSync(onHost('/etc/apache2/sites-enabled/manual.conf'));
      rmSync(manual);
    }
  },
);

test('acme_schedule monthly -> daily -> systemd -> daily: exactly one schedule after each apply, the timer stopped when it goes', { timeout: 300_000 }, () => {
  const schedules = [
    '/etc/cron.monthly/letsencrypt',
    '/etc/cron.d/letsencrypt',
    '/etc/systemd/system/letsencrypt-renew.timer',
    '/etc/systemd/system/letsencrypt-renew.service',
  ];
  const present = () => schedules.filter((path) => existsSync(onHost(path)));
  for (const [schedule, expected] of [
    ['monthly', ['/etc/cron.monthly/letsencrypt']],
    ['daily', ['/etc/cron.d/letsencrypt']],
    ['systemd', ['/etc/systemd/system/letsencrypt-renew.timer', '/etc/systemd/system/letsencrypt-renew.service']],
    ['daily', ['/etc/cron.d/letsencrypt']],
  ] as const) {
    const file = inventory({ provision_roles: ['letsencrypt', 'apache'], acme_certificates: certificates(first), acme_schedule: schedule });
    const applied = provision('apply', file);
    assert.equal(applied.code, 0, applied.out);
    assert.deepEqual(present(), expected, schedule);
    assert.equal(provision('plan', file, '--detailed-exitcode').code, 0, `${schedule}: nothing left to do`);
  }
  assert.deepEqual(
    readFileSync(join(hostDir, 'systemctl.log'), 'utf8').split('\n'),
    ['daemon-reload', 'enable --now letsencrypt-renew.timer', 'stop letsencrypt-renew.timer', 'daemon-reload', ''],
    'the timer enabled, then stopped when the schedule left systemd',
  );
});

test('the apache role removed from the host: its files and links leave, Apache is reloaded and keeps running', { timeout: 300_000 }, () => {
  const withApache = inventory({ provision_roles: ['letsencrypt', 'apache'], acme_certificates: certificates(first) });
  assert.equal(provision('apply', withApache).code, 0);
  const apacheFiles = [
    '/etc/apache2/conf-available/letsencrypt.conf',
    '/etc/apache2/conf-available/tls.conf',
    '/etc/apache2/conf-enabled/letsencrypt.conf',
    '/etc/apache2/conf-enabled/tls.conf',
    `/etc/apache2/sites-available/${first}-ssl.conf`,
    `/etc/apache2/sites-enabled/${first}-ssl.conf`,
    '/etc/apache2/mods-enabled/ssl.load',
  ];
  for (const path of apacheFiles) assert.ok(existsSync(onHost(path)), path);

  const without = inventory({ provision_roles: ['letsencrypt'], acme_certificates: certificates(first) });
  const removed = provision('apply', without);
  assert.equal(removed.code, 0, removed.out);
  assert.match(removed.stdout, /^life\.test: ran handler reload apache2$/m, "the removed role's handler, from the record");
  for (const path of apacheFiles) assert.equal(existsSync(onHost(path)), false, `${path} left`);
  assert.ok(existsSync(onHost(`${certsDir}/${first}/fullchain.pem`)), 'the letsencrypt role keeps its certificate');
  assert.equal(inNet('curl', ['-s', '-o', '/dev/null', 'http://127.0.0.1/']).status, 0, 'Apache still serves its own sites');
  assert.equal(served(first).subject, '', 'and no HTTPS site any more');
  assert.equal(provision('plan', without, '--detailed-exitcode').code, 0);
});
