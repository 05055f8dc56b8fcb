// A private /var/lib/provision for tests that run provision as root on this machine (the local
// connection, no --root tree), where every real apply writes provision's record (managed/HOST,
// archive/, pending-handlers, accounts) and every probe reads it. Each command runs in its own mount
// namespace (`unshare --mount`) where /var/lib/provision is a directory of the test's, so a test
// never reads what another left there, and the machine's own /var/lib/provision is never read or
// changed. The real code path runs: the same built CLI, the same paths, nothing in src/ knows.
//
// The mount point need not exist on the machine: inside the namespace /var/lib is an overlay (the
// machine's /var/lib below, unchanged; an upper layer on a tmpfs of that namespace above), so
// /var/lib/provision can be made there and the test's directory bound onto it. The rest of /var/lib
// (dpkg's database, which the facts read) is the machine's as it is.
//
// Tests that build a whole private host (an sshd in its own namespace) put privateVarLibMounts() in
// its setup. untouchedMachineRecord() checks that all this holds: the machine's /var/lib/provision,
// as a file's first test finds it, is the same after its last.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, snapshot } from './cli.js';
import type { CliResult } from './cli.js';

const machineDir = '/var/lib/provision';
const cli = join(projectRoot, 'dist/cli/cli.js');

/**
 * Shell commands (each must succeed: join them with && or run them under set -e) that make `dir` this
 * mount namespace's /var/lib/provision, whether or not the machine has one. `dir` and `layers` (an
 * empty directory, for the overlay's layers) are expanded inside double quotes: "$H/state" is passed
 * as '$H/state'.
 */
export function privateVarLibMounts(dir: string, layers: string): string[] {
  return [
    // The layers live on a tmpfs of this namespace only: two namespaces never share an overlay's work directory.
    `mount -t tmpfs -o mode=0755 tmpfs "${layers}"`,
    `mkdir "${layers}/upper" "${layers}/work"`,
    `mount -t overlay overlay -o "lowerdir=/var/lib,upperdir=${layers}/upper,workdir=${layers}/work" /var/lib`,
    `mkdir -p ${machineDir}`,
    `mount --bind "${dir}" ${machineDir}`,
  ];
}

/** $1: the test's directory (holding overlay/ and provision/); then the command. $PRIVATE_SETUP: more mounts. */
const mounts = [
  'set -e',
  ...privateVarLibMounts('$1/provision', '$1/overlay'),
  'if [ -n "${PRIVATE_SETUP:-}" ]; then eval "$PRIVATE_SETUP" || exit 125; fi',
  'shift',
  'exec "$@"',
].join('\n');

export interface RunOptions {
  /** more mounts, made first: shell commands joined with &&, paths from `env` */
  setup?: string;
  env?: Record<string, string>;
  cwd?: string;
}

export interface PrivateVarLib {
  /** the directory that is /var/lib/provision inside the namespace (persists across commands) */
  provisionDir: string;
  /** runs argv in a new private namespace */
  run(argv: string[], options?: RunOptions): CliResult;
  /** as run, without waiting (stdio ignored) */
  start(argv: string[], options?: RunOptions): ChildProcess;
  /** the built CLI (dist/cli/cli.js), as `provision` in test/helpers/cli.ts runs it, in a new private namespace */
  provision(args: string[], cwd?: string): CliResult;
}

export function privateVarLib(): PrivateVarLib {
  const base = mkdtempSync(join(tmpdir(), 'provision-var-lib-'));
  chmodSync(base, 0o755);
  mkdirSync(join(base, 'overlay'));
  const provisionDir = join(base, 'provision');
  mkdirSync(provisionDir, { mode: 0o755 });
  const command = (argv: string[], options: RunOptions = {}) => {
    // Without the runner's NODE_TEST_CONTEXT: a test file run inside reports as a test run of its own.
    const { NODE_TEST_CONTEXT: _runner, ...env } = process.env;
    return {
      args: ['--mount', '--propagation', 'private', '--', 'sh', '-c', mounts, 'private-var-lib', base, ...argv],
      cwd: options.cwd ?? projectRoot,
      env: { ...env, NO_COLOR: '1', PRIVATE_SETUP: options.setup ?? '', ...options.env },
    };
  };
  const run: PrivateVarLib['run'] = (argv, options) => {
    const { args, ...rest } = command(argv, options);
    const result = spawnSync('unshare', args, { ...rest, encoding: 'utf8' });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  // unshare and sh exec: the child's PID is the command's own, which a test may signal.
  const start: PrivateVarLib['start'] = (argv, options) => {
    const { args, ...rest } = command(argv, options);
    return spawn('unshare', args, { ...rest, stdio: 'ignore' });
  };
  return { provisionDir, run, start, provision: (args, cwd) => run([process.execPath, cli, ...args], { cwd }) };
}

/** Registers hooks: the machine's /var/lib/provision after this file's tests is as it was before them. */
export function untouchedMachineRecord(): void {
  let found: Map<string, string>;
  before(() => {
    found = snapshot(machineDir);
  });
  after(() => {
    assert.deepEqual(snapshot(machineDir), found, `${machineDir} of this machine changed: a test ran provision outside its private /var/lib/provision`);
  });
}

const insideMark = 'PROVISION_TEST_PRIVATE_VAR_LIB';

/**
 * For tests that run provision in this process (LocalConnection, convergeHost): the whole file runs
 * again inside one private namespace. Returns node's `test` there; here, where nothing may run
 * outside, a `test` that registers nothing, and one test that runs the file inside and passes when
 * every test there does (their report is its failure message).
 */
export function testsInPrivateVarLib(file: string): typeof test {
  if (process.env[insideMark] === '1') return test;
  untouchedMachineRecord();
  test(`the tests of this file, run in a private /var/lib/provision`, (t) => {
    const inside = privateVarLib().run([process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap', file], { env: { [insideMark]: '1' } });
    const report = `${inside.stdout}\n${inside.stderr}`;
    assert.equal(inside.code, 0, report);
    for (const line of inside.stdout.split('\n').filter((l) => /^ok \d+ /.test(l))) t.diagnostic(line);
    assert.match(inside.stdout, /^# pass [1-9]\d*$/m, `no test ran inside: ${report}`);
  });
  return (() => undefined) as unknown as typeof test;
}
