// bench/status: `provision status` on N real sshd hosts (test/helpers/sshd.ts; default 20, --hosts 100),
// each with two certificates served by a real Apache, against the least any tool must pay: one bare
// `ssh host true` per host on new connections, at the same parallelism, in the same run.
// Usage: npm run bench:status [-- --hosts 100] [--repeat 3]
//
// The hosts share one network namespace of the benchmark's own, in which one Apache (Debian's
// package, run in the first host's mount namespace) serves every host's two sites on 127.0.0.1:443 by
// SNI; the hosts see one private /etc/ssl (a copy, with the certificates under letsencrypt/), so
// each host's status script asks Apache over loopback for its own two names. Certificates come from a
// throwaway CA (test/status/certs.ts). The run is checked: every host reached, every certificate
// installed and served. Times are medians of --repeat runs.
// Last line: RESULT status hosts=N provision_s=.. ssh_true_s=.. ratio=..
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const count = option('--hosts', 20);
const repeat = option('--repeat', 3);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const { startSshFleet } = await import(join(projectRoot, 'test/helpers/sshd.ts'));
const { install, makeTestCa } = await import(join(projectRoot, 'test/status/certs.ts'));

const running = new Set();
function run(command, commandArgs, env = process.env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const work = mkdtempSync('/tmp/pbs-');
const cleanups = [];
async function cleanUp() {
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`clean-up: ${error.message}`);
    }
  }
  cleanups.length = 0;
  rmSync(work, { recursive: true, force: true });
}
async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([gone, sleep(5000).then(() => child.kill('SIGKILL'))]);
  await gone;
}
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, async () => {
    await Promise.all([...running].map(stopChild));
    await cleanUp();
    process.exit(130);
  });

try {
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at the start`);
  chmodSync(work, 0o755);
  // The network namespace, held open by a process that dies with the benchmark.
  const holder = spawn('unshare', ['--net', '--', 'setpriv', '--pdeathsig', 'KILL', '--', 'sleep', '3600'], { stdio: 'ignore' });
  cleanups.push(() => stopChild(holder));
  const own = readlinkSync('/proc/self/ns/net');
  for (let i = 0; ; i++) {
    try {
      if (readlinkSync(`/proc/${holder.pid}/ns/net`) !== own) break;
    } catch {
      /* not yet */
    }
    if (i > 200) throw new Error('no network namespace');
    await sleep(20);
  }
  const netns = `/proc/${holder.pid}/ns/net`;
  execFileSync('nsenter', [`--net=${netns}`, '--', 'ip', 'link', 'set', 'lo', 'up']);

  // One /etc/ssl for every host: a copy of the machine's, with the certificates.
  const ssl = join(work, 'ssl');
  cpSync('/etc/ssl', ssl, { recursive: true, verbatimSymlinks: true });
  const ca = makeTestCa(join(work, 'ca'));
  const now = Math.floor(Date.now() / 1000);
  const names = (i) => [`h${i}-a.status.test`, `h${i}-b.status.test`];
  for (let i = 0; i < count; i++)
    for (const name of names(i)) install(join(ssl, 'letsencrypt', name), ca.leaf([name], now - 86400, now + 89 * 86400, ca.key('ec')), ca.chain);

  const fleet = await startSshFleet(count, { netns, setup: () => `mount --bind ${ssl} /etc/ssl` });
  cleanups.push(() => fleet.stop());

  const apacheDir = join(work, 'apache');
  mkdirSync(apacheDir);
  const vhosts = Array.from({ length: count }, (_, i) => names(i))
    .flat()
    .map((name) =>
      [
        '<VirtualHost *:443>',
        `  ServerName ${name}`,
        '  SSLEngine on',
        `  SSLCertificateFile /etc/ssl/letsencrypt/${name}/fullchain.pem`,
        `  SSLCertificateKeyFile /etc/ssl/letsencrypt/${name}/domain.key`,
        '</VirtualHost>',
      ].join('\n'),
    );
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
      ...vhosts,
      '',
    ].join('\n'),
  );
  const apache = spawn(
    'nsenter',
    ['--target', String(fleet.hosts[0].pid), '--mount', '--net', '--', '/usr/sbin/apache2', '-f', join(apacheDir, 'apache2.conf'), '-DFOREGROUND'],
    { stdio: 'ignore' },
  );
  cleanups.push(() => stopChild(apache));
  for (let i = 0; ; i++) {
    const probe = await run('nsenter', [`--net=${netns}`, '--', 'openssl', 's_client', '-connect', '127.0.0.1:443', '-servername', names(0)[0]]);
    if (probe.stdout.includes('BEGIN CERTIFICATE')) break;
    if (apache.exitCode !== null || i > 300) throw new Error(`Apache did not start: see ${apacheDir}/error.log`);
    await sleep(100);
  }

  const inventory = join(work, 'inventory.yml');
  const hosts = Object.fromEntries(
    fleet.hosts.map((h, i) => [
      `h${i}.status.test`,
      { ...fleet.inventoryVars(h), acme_certificates: names(i).map((name) => ({ name, domains: [name] })), apache_certificates: names(i) },
    ]),
  );
  writeFileSync(
    inventory,
    JSON.stringify({ all: { vars: { ansible_become: true, provision_roles: ['letsencrypt', 'apache'], acme_ca_file: ca.rootFile }, hosts } }),
  );
  const cli = join(projectRoot, 'dist/cli/cli.js');
  const inNet = (command, commandArgs) => run('nsenter', [`--net=${netns}`, '--', command, ...commandArgs], { ...process.env, NO_COLOR: '1' });

  const provisionTimes = [];
  const sshTimes = [];
  for (let r = 0; r < repeat; r++) {
    const status = await inNet(process.execPath, [cli, 'status', inventory, '--format', 'json', '--forks', String(count)]);
    const report = JSON.parse(status.stdout || '{}');
    const wrong = (report.hosts ?? []).flatMap((h) =>
      h.reach !== 'ok'
        ? [`${h.name}: ${h.error}`]
        : h.certificates.filter((c) => !c.installed || !c.served.every((s) => s.matches)).map((c) => `${h.name} ${c.name}: ${c.reasons.join('; ')}`),
    );
    if (!report.hosts || report.hosts.length !== count || wrong.length > 0)
      throw new Error(`status did not read the fleet right (exit ${status.status}): ${wrong.slice(0, 5).join('\n') || status.stderr}`);
    provisionTimes.push(status.seconds);
    // The baseline: a bare `ssh host true` per host on a new connection, all at once (as --forks N).
    const started = process.hrtime.bigint();
    const baselines = await Promise.all(
      fleet.hosts.map((h) => inNet('/usr/bin/ssh', [...fleet.sshOptions, '-p', String(h.port), `${fleet.user}@${h.address}`, 'true'])),
    );
    const failed = baselines.find((b) => b.status !== 0);
    if (failed) throw new Error(`baseline ssh failed: ${failed.stderr}`);
    sshTimes.push(Number(process.hrtime.bigint() - started) / 1e9);
    console.log(`run ${r + 1}: provision status ${status.seconds.toFixed(2)} s (exit ${status.status}), ssh true ${sshTimes.at(-1).toFixed(2)} s`);
  }
  const provisionS = median(provisionTimes);
  const sshS = median(sshTimes);
  console.log(`load average ${loadavg()[0].toFixed(1)} at the end`);
  console.log(`RESULT status hosts=${count} provision_s=${provisionS.toFixed(2)} ssh_true_s=${sshS.toFixed(2)} ratio=${(provisionS / sshS).toFixed(2)}`);
} finally {
  await cleanUp();
}
