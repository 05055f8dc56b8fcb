// Names changing on a host (README: Changing the inventory), end to end over SSH, set up like
// lifecycle-e2e.test.ts: a real sshd host with a real Apache, a real Pebble (HTTP-01 through Apache's
// challenge Alias) and the real acme-tiny, all in a network namespace of the test's own, the host in a
// private mount namespace. A name dropped from a certificate is never asked of the CA again; a renamed
// certificate keeps its names served by a CA-issued certificate through the whole apply (an openssl
// poller runs during it), and its old files go only once the new certificate is issued: with the CA
// down they stay, served, and the apply says the removal is postponed; Postfix's and Dovecot's settings
// (the mail roles run in that test) keep naming the old certificate, never the new one's placeholder.
// Every process started is stopped by its PID, also when a test fails.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { startSshFleet } from '../helpers/sshd.js';
import type { SshFleet } from '../helpers/sshd.js';
import { privateVarLibMounts, untouchedMachineRecord } from '../helpers/private-var-lib.js';
import { stopPid, until } from '../helpers/processes.js';

untouchedMachineRecord();

const [renamed, kept, dropped, moved] = ['a.rename.test', 'c.rename.test', 'd.rename.test', 'e.rename.test'];

const dir = mkdtempSync('/tmp/pv-rename-');
const hostDir = join(dir, 'host');
const started: ChildProcess[] = [];
let fleet: SshFleet | undefined;
let apache: ChildProcess | undefined;
let netns = '';
let pebbleRoot = '';
let pebble: ChildProcess | undefined;
const pebbleLog = join(dir, 'pebble.log');

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
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tlsca.key', '-out', 'tlsca.pem', '-subj', '/CN=rename tls ca', '-days', '2');
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
  await startPebble();

  // The stand-in systemctl (see the header): it logs its arguments and succeeds.
  mkdirSync(join(hostDir, 'bin'), { recursive: true });
  writeFileSync(join(hostDir, 'bin/systemctl'), `#!/bin/sh\necho "$*" >> ${join(hostDir, 'systemctl.log')}\n`, { mode: 0o755 });
  const setup = () =>
    [
      `H=${hostDir}`,
      'mkdir -p "$H/etc" "$H/www/html" "$H/log/apache2" "$H/sbin" "$H/state" "$H/layers"',
      'cp -a /etc/. "$H/etc/"',
      `echo '127.0.0.1 ${renamed} ${kept} ${dropped} ${moved}' >> "$H/etc/hosts"`,
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

/**
 * Starts Pebble in the test's namespace (again, after a test stopped it: then with new roots) and
 * writes its root to pebbleRoot. Its log (what it validates) goes to a file: a pipe would fill while
 * a provision run blocks the test's event loop. `exec`: the PID started is Pebble's.
 */
async function startPebble(): Promise<void> {
  pebble = spawn(
    'nsenter',
    [
      `--net=${netns}`,
      '--',
      'setpriv',
      '--pdeathsig',
      'KILL',
      '--',
      'sh',
      '-c',
      'exec pebble -config "$1" -dnsserver 127.0.0.1:8053 >>"$2" 2>&1',
      'pebble',
      join(dir, 'pebble.json'),
      pebbleLog,
    ],
    { stdio: 'ignore', env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' } },
  );
  started.push(pebble);
  pebbleRoot = join(dir, 'pebble-root.pem');
  rmSync(pebbleRoot, { force: true });
  await until(
    'Pebble',
    () => {
      const fetched = inNet('curl', ['-sf', '--cacert', join(dir, 'tlsca.pem'), 'https://127.0.0.1:15000/roots/0']);
      if (fetched.status === 0 && fetched.stdout.includes('BEGIN CERTIFICATE')) writeFileSync(pebbleRoot, fetched.stdout);
      return existsSync(pebbleRoot);
    },
    120,
  );
}

/** Writes the inventory: the host with `vars` over the CA settings; returns its path. */
function inventory(vars: Record<string, unknown>): string {
  const file = join(dir, 'inventory.yml');
  writeFileSync(
    file,
    JSON.stringify({
      all: {
        hosts: {
          'rename.test': {
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

const fingerprint = (pem: string) => execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' }).trim();
const installed = (certificate: string) => fingerprint(readFileSync(onHost(`${certsDir}/${certificate}/fullchain.pem`), 'utf8'));
const sanOf = (path: string) =>
  execFileSync('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', path], { encoding: 'utf8' }).split('\n').slice(1).join('').trim();

/** The fingerprint of what Apache serves for `name`, or '' when the handshake fails. */
function servedFingerprint(name: string): string {
  const run = inNet('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', name, '-CAfile', pebbleRoot], '');
  return run.status === 0 ? fingerprint(run.stdout) : '';
}

/**
 * Runs `during` while a poller connects to Apache for `name` again and again, each handshake verified
 * against Pebble's root and for `name` (-verify_return_error: a placeholder fails it, and so does a
 * certificate without the name); returns one line per handshake:
 * `EXIT SHA256-FINGERPRINT-LINE | VERIFY-LINE`. The poller stops when its stop file appears.
 */
async function polling<T>(name: string, during: () => T): Promise<{ result: T; handshakes: string[] }> {
  const log = join(dir, `poll-${Date.now()}.log`);
  const stop = `${log}.stop`;
  writeFileSync(log, '');
  const script = [
    'while [ ! -e "$4" ]; do',
    '  out=$(openssl s_client -connect 127.0.0.1:443 -servername "$1" -CAfile "$2" -verify_return_error -verify_hostname "$1" </dev/null 2>&1)',
    '  code=$?',
    '  print=$(printf \'%s\\n\' "$out" | openssl x509 -noout -fingerprint -sha256 2>/dev/null)',
    '  verify=$(printf \'%s\\n\' "$out" | grep -m 1 -e "Verify return code" -e "verify error" -e "errno")',
    '  printf \'%s %s | %s\\n\' "$code" "${print:-no certificate}" "$verify" >>"$3"',
    'done',
  ].join('\n');
  const poller = spawn('nsenter', [`--net=${netns}`, '--', 'setpriv', '--pdeathsig', 'KILL', '--', 'sh', '-c', script, 'poll', name, pebbleRoot, log, stop], {
    stdio: 'ignore',
  });
  started.push(poller);
  const lines = () => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  try {
    await until('the poller connecting', () => lines().length >= 3, 120);
    const result = during();
    const seen = lines().length;
    await until('the poller after the apply', () => lines().length >= seen + 3, 120);
    return { result, handshakes: lines() };
  } finally {
    writeFileSync(stop, '');
    await until('the poller stopping', () => poller.exitCode !== null || poller.signalCode !== null, 120).catch(() => stopPid(poller.pid));
  }
}

const roles = ['letsencrypt', 'apache'];
// The CA-down rename runs the mail roles too: their settings name the first certificate (renamed).
const withMail = [...roles, 'postfix', 'dovecot'];
const mailSettings = ['/etc/postfix/provision-tls.cf', '/etc/dovecot/conf.d/99-provision-ssl.conf'];
/** The certificate directories Postfix's main.cf (as postconf reads it) and Dovecot's settings name. */
function mailNames(): { postfix: string; dovecot: string } {
  const postfix = execFileSync('postconf', ['-c', onHost('/etc/postfix'), '-h', 'smtpd_tls_chain_files'], { encoding: 'utf8' }).trim();
  const dovecot = readFileSync(onHost('/etc/dovecot/conf.d/99-provision-ssl.conf'), 'utf8');
  const dirOf = (text: string) => [...new Set([...text.matchAll(/\/etc\/ssl\/letsencrypt\/([^/\s]+)\//g)].map((m) => m[1]))].join(',');
  return { postfix: dirOf(postfix), dovecot: dirOf(dovecot) };
}
const pair = (...domains: string[]) => ({ name: 'pair', domains });

test(
  'a name dropped from a certificate: its CSR is made again, the certificate for the other names is requested at once, and the CA is never asked to validate the dropped name',
  { timeout: 600_000 },
  () => {
    const both = inventory({ provision_roles: roles, acme_certificates: [pair(kept, dropped)] });
    const first = provision('apply', both);
    assert.equal(first.code, 0, first.out);
    assert.equal(sanOf(onHost(`${certsDir}/pair/fullchain.pem`)), `DNS:${kept}, DNS:${dropped}`);
    assert.ok(readFileSync(pebbleLog, 'utf8').includes(dropped), `Pebble logs the names it validates:\n${readFileSync(pebbleLog, 'utf8')}`);
    const mark = readFileSync(pebbleLog, 'utf8').length;

    const one = inventory({ provision_roles: roles, acme_certificates: [pair(kept)] });
    const plan = provision('plan', one, '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.ok(plan.stdout.includes(`rename.test: update csr ${certsDir}/pair/domain.csr (names DNS:${kept},DNS:${dropped} -> DNS:${kept})`), plan.stdout);
    const applied = provision('apply', one);
    assert.equal(applied.code, 0, applied.out);
    assert.equal(sanOf(onHost(`${certsDir}/pair/fullchain.pem`)), `DNS:${kept}`, 'the new certificate lacks the dropped name');
    const since = readFileSync(pebbleLog, 'utf8').slice(mark);
    assert.ok(since.includes(kept), `the CA validated the kept name:\n${since}`);
    assert.ok(!since.includes(dropped), `the CA was never asked about the dropped name:\n${since}`);
    assert.equal(servedFingerprint(kept), installed('pair'), 'Apache serves the new certificate');
    assert.deepEqual(served(kept), { verified: true, subject: `subject=CN = ${kept}` });
    const again = provision('plan', one, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
  },
);

test(
  'a certificate renamed (same names): the names stay served by a CA-issued certificate through the apply; the old files go once the new certificate is in place',
  { timeout: 600_000 },
  async () => {
    const before = inventory({ provision_roles: roles, acme_certificates: [{ name: 'old', domains: [renamed] }, pair(kept)] });
    const first = provision('apply', before);
    assert.equal(first.code, 0, first.out);
    assert.equal(servedFingerprint(renamed), installed('old'));
    const oldKey = readFileSync(onHost(`${certsDir}/old/domain.key`));
    const oldCertificate = installed('old');

    // `new` sorts before `old` in sites-enabled: for a name two sites claim, Apache serves the first.
    const renamedTo = inventory({ provision_roles: roles, acme_certificates: [{ name: 'new', domains: [renamed] }, pair(kept)] });
    const plan = provision('plan', renamedTo, '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);

    const { result: applied, handshakes } = await polling(renamed, () => provision('apply', renamedTo));
    const bad = handshakes.filter((line) => !/^0 sha256 Fingerprint=\S+ \| Verify return code: 0 \(ok\)$/.test(line));
    assert.deepEqual(bad, [], `every handshake verifies against Pebble's root (${handshakes.length} handshakes)`);
    assert.equal(applied.code, 0, applied.out);
    assert.doesNotMatch(applied.out, /postponed/);
    const newCertificate = installed('new');
    assert.notEqual(newCertificate, oldCertificate);
    assert.match(
      plan.stdout,
      /^rename\.test: remove symlink \/etc\/apache2\/sites-enabled\/old-ssl\.conf \(.*waits for certificate new, which takes over its names/m,
    );
    const prints = new Set(handshakes.map((line) => line.replace(/^0 sha256 Fingerprint=(\S+) .*$/, 'sha256 Fingerprint=$1')));
    assert.deepEqual([...prints].sort(), [oldCertificate, newCertificate].sort(), 'the old certificate, then the new one: nothing else was served');
    assert.equal(handshakes.at(-1)!.split(' | ')[0], `0 ${newCertificate}`, 'the new one at the end');

    assert.equal(servedFingerprint(renamed), newCertificate);
    for (const path of ['/etc/apache2/sites-enabled/old-ssl.conf', '/etc/apache2/sites-available/old-ssl.conf', `${certsDir}/old`])
      assert.equal(existsSync(onHost(path)), false, `${path} is gone`);
    const archive = archived();
    assert.deepEqual(readFileSync(archive.get(`${certsDir}/old/domain.key`)!), oldKey, 'the old key is in the archive');
    assert.equal(fingerprint(readFileSync(archive.get(`${certsDir}/old/fullchain.pem`)!, 'utf8')), oldCertificate);
    assert.ok(archive.has('/etc/apache2/sites-available/old-ssl.conf'));
    assert.equal(servedFingerprint(kept), installed('pair'), 'the other certificate is untouched');
    const again = provision('plan', renamedTo, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
  },
);

test(
  'a certificate renamed while the CA is down: the old one stays in place, served and recorded, the apply says the removal is postponed, and the next plan still has it to remove',
  { timeout: 600_000 },
  async () => {
    const current = inventory({ provision_roles: withMail, acme_certificates: [{ name: 'new', domains: [renamed] }, pair(kept)] });
    const first = provision('apply', current);
    assert.equal(first.code, 0, first.out);
    assert.deepEqual(mailNames(), { postfix: 'new', dovecot: 'new' });
    const oldServed = installed('new');
    assert.equal(servedFingerprint(renamed), oldServed);
    await stopPid(pebble?.pid);

    const renamedAgain = inventory({ provision_roles: withMail, acme_certificates: [{ name: 'fresh', domains: [renamed] }, pair(kept)] });
    const { result: applied, handshakes } = await polling(renamed, () => provision('apply', renamedAgain));
    const bad = handshakes.filter((line) => line !== `0 ${oldServed} | Verify return code: 0 (ok)`);
    assert.deepEqual(bad, [], `only the old certificate is served, verified, through the apply (${handshakes.length} handshakes)`);
    assert.equal(applied.code, 3, `a failed handler fails the host: ${applied.out}`);
    assert.match(applied.stdout, /^rename\.test: failed handler issue certificate$/m);
    assert.match(applied.stdout, /^rename\.test: postponed remove symlink \/etc\/apache2\/sites-enabled\/new-ssl\.conf \(/m);
    assert.match(applied.stdout, /^rename\.test: postponed create symlink \/etc\/apache2\/sites-enabled\/fresh-ssl\.conf$/m);
    assert.match(applied.stdout, new RegExp(`^rename\\.test: create csr ${certsDir}/fresh/domain\\.csr`, 'm'), 'the new CSR is made at once');
    assert.match(
      applied.stdout,
      /^rename\.test: warning: the removal of certificate new \(its sites, key, CSR and certificate\) is postponed until certificate fresh, which takes over its names, is issued and in place: new stays in place and served; the next apply tries again$/m,
    );
    assert.equal(servedFingerprint(renamed), oldServed);
    for (const path of ['/etc/apache2/sites-enabled/new-ssl.conf', '/etc/apache2/sites-available/new-ssl.conf', `${certsDir}/new/domain.key`])
      assert.ok(existsSync(onHost(path)), `${path} stays`);
    assert.equal(existsSync(onHost('/etc/apache2/sites-enabled/fresh-ssl.conf')), false, 'the new site is not enabled with its placeholder');
    for (const path of mailSettings)
      assert.match(applied.stdout, new RegExp(`^rename\\.test: postponed update file ${path.replace(/\./g, '\\.')} \\(content\\)$`, 'm'));
    assert.deepEqual(mailNames(), { postfix: 'new', dovecot: 'new' }, 'Postfix and Dovecot keep the old certificate, not the placeholder');
    const record = readFileSync(onHost('/var/lib/provision/managed/rename.test'), 'utf8');
    assert.match(record, / \/etc\/apache2\/sites-enabled\/new-ssl\.conf$/m, 'the old site is still in the record');

    const plan = provision('plan', renamedAgain, '--detailed-exitcode');
    assert.equal(plan.code, 2, plan.out);
    assert.match(plan.stdout, /^rename\.test: remove symlink \/etc\/apache2\/sites-enabled\/new-ssl\.conf \(.*waits for certificate fresh/m);
    assert.match(plan.stdout, /^rename\.test: would run handler issue certificate$/m);
  },
);

test(
  'the CA back: the next apply issues the new certificate, enables its site and removes the old one; then nothing is left to do',
  { timeout: 600_000 },
  async () => {
    await startPebble(); // new roots: the certificates issued so far do not verify against them
    const renamedAgain = inventory({ provision_roles: withMail, acme_certificates: [{ name: 'fresh', domains: [renamed] }, pair(kept)] });
    const applied = provision('apply', renamedAgain);
    assert.equal(applied.code, 0, applied.out);
    assert.doesNotMatch(applied.out, /postponed/);
    assert.match(applied.stdout, /^rename\.test: ran handler issue certificate$/m);
    assert.equal(servedFingerprint(renamed), installed('fresh'), 'the new certificate is served');
    assert.deepEqual(served(renamed), { verified: true, subject: `subject=CN = ${renamed}` });
    for (const path of ['/etc/apache2/sites-enabled/new-ssl.conf', '/etc/apache2/sites-available/new-ssl.conf', `${certsDir}/new`])
      assert.equal(existsSync(onHost(path)), false, `${path} is gone`);
    assert.ok(archived().has(`${certsDir}/new/domain.key`));
    assert.deepEqual(mailNames(), { postfix: 'fresh', dovecot: 'fresh' });
    assert.ok(
      applied.stdout.indexOf('ran handler issue certificate') < applied.stdout.indexOf('ran handler apply postfix tls'),
      'Postfix applies its settings after the issuance',
    );
    const again = provision('plan', renamedAgain, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
  },
);

test(
  'a name moved to another certificate, which changes: the old one serves it until the other is issued for it, then goes',
  { timeout: 600_000 },
  async () => {
    const before = inventory({
      provision_roles: roles,
      acme_certificates: [{ name: 'fresh', domains: [renamed] }, pair(kept), { name: 'zeta', domains: [moved] }],
    });
    const first = provision('apply', before);
    assert.equal(first.code, 0, first.out);
    // The mail roles left the host with this apply: their settings go, and nothing runs the removed
    // /usr/local/sbin/provision-postfix-tls (main.cf keeps what postconf -e wrote).
    assert.doesNotMatch(first.stdout, /handler apply postfix tls/);
    for (const path of [...mailSettings, '/usr/local/sbin/provision-postfix-tls']) assert.ok(archived().has(path), `${path} archived`);
    const zeta = installed('zeta');
    assert.equal(servedFingerprint(moved), zeta);

    // `pair` sorts before `zeta`: its site claiming the name with its old certificate would win.
    const movedTo = inventory({ provision_roles: roles, acme_certificates: [{ name: 'fresh', domains: [renamed] }, pair(kept, moved)] });
    const { result: applied, handshakes } = await polling(moved, () => provision('apply', movedTo));
    const bad = handshakes.filter((line) => !/^0 sha256 Fingerprint=\S+ \| Verify return code: 0 \(ok\)$/.test(line));
    assert.deepEqual(bad, [], `every handshake verifies for ${moved} (${handshakes.length} handshakes)`);
    assert.equal(applied.code, 0, applied.out);
    assert.equal(sanOf(onHost(`${certsDir}/pair/fullchain.pem`)), `DNS:${kept}, DNS:${moved}`);
    const prints = new Set(handshakes.map((line) => line.replace(/^0 (sha256 Fingerprint=\S+) .*$/, '$1')));
    assert.deepEqual([...prints].sort(), [zeta, installed('pair')].sort(), 'the old certificate, then the other one');
    for (const path of ['/etc/apache2/sites-enabled/zeta-ssl.conf', `${certsDir}/zeta`]) assert.equal(existsSync(onHost(path)), false, `${path} is gone`);
    assert.equal(servedFingerprint(moved), installed('pair'));
    const again = provision('plan', movedTo, '--detailed-exitcode');
    assert.equal(again.code, 0, again.out);
  },
);
