// bench/fleet: the same work done over SSH by `provision apply` and by `ansible-playbook`, on N hosts
// (default 20) that are real sshd processes on loopback (test/helpers/sshd.ts), each with its own tree.
// Usage: npm run bench:fleet [-- --hosts 50] [--repeat 3] [--ansible-repeat 1]
//
// The work: the letsencrypt + apache roles on every host, as the unprivileged fleet user, into one
// tree per tool (provision: its own roles under provision_root; Ansible: playbook.yml copying the
// files `provision render --out` wrote). A first run, then no-change runs: the median of --repeat for
// provision and the baselines, of --ansible-repeat for Ansible. Ansible runs as its documentation
// advises for speed: pipelining, ControlPersist (its default ssh_args), forks = N, no fact gathering,
// a fixed interpreter. Round trips are ssh/sftp invocations (ssh-log.mjs). Baseline: one bare
// `ssh host true` per host over warm multiplexed connections, all hosts at once like the tools.
// Checks: both trees identical except key and CSR contents; the no-change runs change nothing.
// Last line: RESULT fleet hosts=N provision_first_s=.. ansible_first_s=.. provision_noop_s=..
//            ansible_noop_s=.. noop_ratio=..   (noop_ratio = ansible / provision, no-change runs)
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installSshWrappers } from './ssh-log.mjs';
import { writeAnsibleInventory, writeProvisionInventory } from './inventories.mjs';
import { compareTrees } from './trees.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const count = option('--hosts', 20);
const repeat = option('--repeat', 3);
// Ansible's no-change run takes minutes and varies little relative to its length: once by default.
const ansibleRepeat = option('--ansible-repeat', 1);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const { prepareProjectOrThrow } = await import(join(projectRoot, 'dist/pipeline/pipeline.js'));
const { keyArguments, csrSubject } = await import(join(projectRoot, 'dist/apply/apply-script.js'));
const { placeholderDays } = await import(join(projectRoot, 'dist/model/desired.js'));
const { startSshFleet } = await import(join(projectRoot, 'test/helpers/sshd.ts'));

/** The commands running now: an interrupted benchmark stops them (exactly these PIDs) first. */
const running = new Set();

/** Runs a command to its end; resolves with its output and wall time. */
function run(command, commandArgs, env) {
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
const fmt = (s) => s.toFixed(2);

// Short paths: ControlPath sockets live under work/ and must stay under the 108-byte socket limit.
const work = mkdtempSync('/tmp/pbf-');
let fleet;
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
let stopping = false;
async function interrupted() {
  stopping = true;
  const children = [...running];
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  await cleanUp();
  process.exit(130);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, interrupted);

/** Ends every ControlPersist master listening in `dir` (`ssh -O exit`: the master's own way out). */
function closeMasters(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    try {
      execFileSync('/usr/bin/ssh', ['-o', `ControlPath=${join(dir, name)}`, '-O', 'exit', 'bench'], { stdio: 'ignore' });
    } catch {
      /* already gone */
    }
  }
}

try {
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} at the start`);
  chmodSync(work, 0o755);
  fleet = await startSshFleet(count);
  cleanups.push(() => fleet.stop());
  // Ansible's ControlPersist masters, and the baseline's; ended before the hosts stop.
  const controlDirs = [join(work, 'cp'), join(work, 'bcp')];
  cleanups.push(() => controlDirs.forEach(closeMasters));
  // The fleet user exists only inside the hosts' namespaces: ask a host for its ids.
  const sshTo = (host, command) => [
    '/usr/bin/ssh',
    [
      ...fleet.sshOptions,
      '-p',
      String(host.port),
      '-o',
      'ControlMaster=auto',
      '-o',
      `ControlPath=${controlDirs[1]}/%C`,
      '-o',
      'ControlPersist=60',
      `${fleet.user}@${host.address}`,
      command,
    ],
  ];
  mkdirSync(controlDirs[1]);
  const ids = await run(...sshTo(fleet.hosts[0], 'id -u; id -g'), process.env);
  if (ids.status !== 0) throw new Error(`ssh to ${fleet.hosts[0].name} failed: ${ids.stderr}`);
  const [uid, gid] = ids.stdout.trim().split('\n').map(Number);
  const trees = { provision: join(work, 'p'), ansible: join(work, 'a') };
  for (const tree of Object.values(trees)) {
    mkdirSync(tree);
    chownSync(tree, uid, gid);
  }

  const log = installSshWrappers(join(work, 'bin'), join(work, 'ssh.log'));
  const env = { ...process.env, PATH: `${join(work, 'bin')}:${process.env.PATH}`, NO_COLOR: '1' };
  const cli = join(projectRoot, 'dist/cli/cli.js');

  // provision's inventory, the rendered files, and Ansible's inventory built from the same desired state.
  const provisionInventory = join(work, 'provision.yml');
  writeProvisionInventory(provisionInventory, fleet, trees.provision);
  const rendered = await run(process.execPath, [cli, 'render', provisionInventory, '--out', join(work, 'render')], env);
  if (rendered.status !== 0) throw new Error(`provision render failed:\n${rendered.stderr}`);
  const ansibleInventory = join(work, 'ansible.yml');
  writeAnsibleInventory(ansibleInventory, fleet, prepareProjectOrThrow(provisionInventory, { root: trees.ansible }).hosts, join(work, 'render'), {
    keyArguments,
    csrSubject,
    placeholderDays,
  });

  const ansibleHome = join(work, 'ah');
  writeFileSync(
    join(work, 'ansible.cfg'),
    [
      '[defaults]',
      `forks = ${count}`,
      'gathering = explicit',
      'interpreter_python = /usr/bin/python3',
      'retry_files_enabled = False',
      '[ssh_connection]',
      'pipelining = True',
      'ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s',
      `control_path_dir = ${controlDirs[0]}`,
      '',
    ].join('\n'),
  );
  const ansibleEnv = {
    ...env,
    ANSIBLE_CONFIG: join(work, 'ansible.cfg'),
    ANSIBLE_HOME: ansibleHome,
    ANSIBLE_LOCAL_TEMP: join(ansibleHome, 'tmp'),
    ANSIBLE_NOCOLOR: '1',
  };

  async function provisionRun(label, wantChanges) {
    const result = await run(process.execPath, [cli, 'apply', provisionInventory, '--json', '--forks', String(count)], env);
    const trips = log.take();
    let report;
    try {
      report = JSON.parse(result.stdout);
    } catch {
      throw new Error(`provision ${label}: exit ${result.status}, no JSON report:\n${result.stderr}${result.stdout}`);
    }
    const bad = report.hosts.filter((h) => h.status === 'failed' || h.status === 'unreachable');
    if (bad.length > 0)
      throw new Error(`provision ${label}: ${bad.map((h) => `${h.name} ${h.status}: ${h.error?.message ?? JSON.stringify(h.error)}`).join('; ')}`);
    const changed = report.hosts.filter((h) => h.changes.length > 0).length;
    if (wantChanges ? changed !== count : changed !== 0) throw new Error(`provision ${label}: ${changed} of ${count} hosts changed`);
    const hostSeconds = Math.max(...report.hosts.map((h) => h.seconds ?? 0));
    return { seconds: result.seconds, trips, changed, hostSeconds, reportedTrips: report.hosts.map((h) => h.roundTrips).filter((n) => n !== undefined) };
  }

  async function ansibleRun(label, wantChanges) {
    const result = await run('ansible-playbook', ['-i', ansibleInventory, join(projectRoot, 'bench/fleet/playbook.yml')], ansibleEnv);
    const trips = log.take();
    const recap = [...result.stdout.matchAll(/^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
    if (result.status !== 0 || recap.length !== count || recap.some((m) => m[4] !== '0' || m[5] !== '0')) {
      throw new Error(`ansible-playbook ${label}: exit ${result.status}\n${result.stdout.slice(-3000)}${result.stderr.slice(-2000)}`);
    }
    const changed = recap.filter((m) => m[3] !== '0').length;
    if (wantChanges ? changed !== count : changed !== 0) throw new Error(`ansible ${label}: ${changed} of ${count} hosts changed`);
    return { seconds: result.seconds, trips, changed };
  }

  async function series(tool, runOnce, times) {
    const first = await runOnce('first run', true);
    const noops = [];
    for (let i = 0; i < times; i++) noops.push(await runOnce(`no-change run ${i + 1}`, false));
    // ssh/sftp invocations per host, provision's own count (--json roundTrips) beside it, and apart
    // the `ssh -O` questions to the local master (no round trip, but a process each).
    const perHost = (r) => {
      const reported = r.reportedTrips?.length ? ` (--json: ${(r.reportedTrips.reduce((a, b) => a + b, 0) / count).toFixed(1)})` : '';
      const control = r.trips.control ? `, plus ${(r.trips.control / count).toFixed(1)} local ssh -O` : '';
      return `${(r.trips.sessions / count).toFixed(1)} round trips per host${reported}${control}`;
    };
    console.log(
      `${tool}: first run ${fmt(first.seconds)} s (${first.changed} hosts changed, ${perHost(first)}); ` +
        `no-change runs ${noops.map((r) => fmt(r.seconds)).join(', ')} s (changed=0, ${perHost(noops[0])})`,
    );
    const noop = noops.map((r) => r.seconds).indexOf(median(noops.map((r) => r.seconds)));
    return { first, noop: noops[noop].seconds, noopRun: noops[noop] };
  }

  const provision = await series('provision', provisionRun, repeat);
  const ansible = await series('ansible  ', ansibleRun, ansibleRepeat);

  const problems = compareTrees(
    fleet.hosts.map((h) => h.name),
    trees.provision,
    trees.ansible,
    ['provision', 'ansible'],
  );
  if (problems.length > 0) throw new Error(`the two trees differ:\n${problems.slice(0, 40).join('\n')}`);
  console.log(`trees: identical on all ${count} hosts (entries, modes, link targets, file contents except keys and CSRs)`);

  // Baseline: one bare `ssh host true` per host over masters opened beforehand, all hosts at once
  // (the tools' parallelism); for reading the figures, also one host after the other, and with a
  // new connection per host (what a run pays when it opens its own connections).
  async function medianSeconds(once) {
    const times = [];
    for (let i = 0; i < repeat; i++) {
      const started = process.hrtime.bigint();
      const results = await once();
      const failed = results.find((r) => r.status !== 0);
      if (failed) throw new Error(`baseline command failed: ${failed.stderr}`);
      times.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    return median(times);
  }
  const cold = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  const plainSsh = (host) => ['/usr/bin/ssh', [...fleet.sshOptions, ...cold, '-p', String(host.port), `${fleet.user}@${host.address}`, 'true']];
  await Promise.all(fleet.hosts.map((h) => run(...sshTo(h, 'true'), env)));
  const baseline = await medianSeconds(() => Promise.all(fleet.hosts.map((h) => run(...sshTo(h, 'true'), env))));
  const sequential = await medianSeconds(async () => {
    const all = [];
    for (const h of fleet.hosts) all.push(await run(...sshTo(h, 'true'), env));
    return all;
  });
  const coldBaseline = await medianSeconds(() => Promise.all(fleet.hosts.map((h) => run(...plainSsh(h), env))));
  const startOnly = await medianSeconds(async () => [await run(process.execPath, [cli, '--version'], env)]);
  const controllerOnly = await medianSeconds(async () => [
    await run(process.execPath, [cli, 'render', provisionInventory, '--out', join(work, 'render-again')], env),
  ]);
  console.log(
    `baseline: one ssh true per host over warm multiplexed connections, ${count} hosts at once: ${fmt(baseline)} s ` +
      `(one after the other ${fmt(sequential)} s; new connections, at once ${fmt(coldBaseline)} s; medians of ${repeat})`,
  );
  console.log(
    `provision without any host: start and imports (provision --version) ${fmt(startOnly)} s; load and render (provision render, same inventory) ${fmt(controllerOnly)} s`,
  );
  // Where provision's no-change run goes: the slowest host's own time (connect, probe, close, from
  // --json `seconds`) and everything around the hosts (process start, load, render, report).
  const hostPart = provision.noopRun.hostSeconds;
  console.log(
    `provision no-change run ${fmt(provision.noop)} s: slowest host ${fmt(hostPart)} s (connect, probe, close), around the hosts ${fmt(provision.noop - hostPart)} s`,
  );
  const baselineRatio = provision.noop / baseline;
  const noopRatio = ansible.noop / provision.noop;
  console.log(`provision no-change run / ssh-true baseline: ${baselineRatio.toFixed(1)}x (target: at most 3x) ${baselineRatio <= 3 ? 'met' : 'MISSED'}`);
  // provision opens its masters at the start of a run and closes them at the end (as it must: no
  // connection outlives the run), so its like-for-like floor is one ssh true per host on a new connection.
  const coldRatio = provision.noop / coldBaseline;
  console.log(`provision no-change run / ssh-true on new connections: ${coldRatio.toFixed(1)}x (target: at most 3x) ${coldRatio <= 3 ? 'met' : 'MISSED'}`);
  console.log(`ansible / provision no-change run: ${noopRatio.toFixed(1)}x (target: at least 10x at 20 hosts) ${noopRatio >= 10 ? 'met' : 'MISSED'}`);
  console.log(`machine: load average ${loadavg()[0].toFixed(1)} at the end (1-minute averages; they count this benchmark's own processes too)`);
  console.log(
    `RESULT fleet hosts=${count} provision_first_s=${fmt(provision.first.seconds)} ansible_first_s=${fmt(ansible.first.seconds)} ` +
      `provision_noop_s=${fmt(provision.noop)} ansible_noop_s=${fmt(ansible.noop)} noop_ratio=${noopRatio.toFixed(1)}`,
  );
} catch (error) {
  // An interrupt fails the running command; that is no finding.
  if (!stopping) {
    console.error(`bench:fleet failed: ${error.message}`);
    process.exitCode = 1;
  }
} finally {
  await cleanUp();
}
