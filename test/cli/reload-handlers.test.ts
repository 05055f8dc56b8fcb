// Handlers that reload a service (role.yml `reload:`) on a host where systemd is not PID 1, through the
// real service(8) and init scripts, and how their failures read. Each run of provision happens in a
// private mount namespace: /run is an empty tmpfs (no /run/systemd/system, whatever the machine runs),
// /etc/init.d and /var/lib/provision are temp directories (test/helpers/private-var-lib.ts). The init script of the test service
// (provtest-svc) is a stand-in written here, because a real daemon's reload cannot be made to fail or
// to be stopped on demand: it answers status and reload from flag files in the test's directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import type { PrivateVarLib } from '../helpers/private-var-lib.js';
import { privateVarLib, untouchedMachineRecord } from '../helpers/private-var-lib.js';

untouchedMachineRecord();

const unit = 'provtest-svc';

interface Service {
  base: string;
  inventory: string;
  tree: string;
  /** present: the service runs (status 0); absent: it is stopped (status 3) */
  running: string;
  /** present: a reload fails with an error on stderr */
  broken: string;
  reloads: string;
  /** /var/lib/provision of its runs */
  state: string;
  host: PrivateVarLib;
}

function service(handler: string[]): Service {
  const base = mkdtempSync(join(tmpdir(), 'provision-reload-'));
  const host = privateVarLib();
  const s: Service = {
    base,
    inventory: join(base, 'inventory.yml'),
    tree: join(base, 'tree'),
    running: join(base, 'running'),
    broken: join(base, 'broken'),
    reloads: join(base, 'reloads'),
    state: host.provisionDir,
    host,
  };
  mkdirSync(join(base, 'roles/svc/templates'), { recursive: true });
  writeFileSync(
    join(base, 'roles/svc/role.yml'),
    [
      'prefix: svc_',
      'resources:',
      '  - directory: { path: "{{ svc_dir }}", mode: "0755" }',
      '  - file: { template: a.njk, dest: "{{ svc_dir }}/a.conf", notify: [reload svc] }',
      'handlers:',
      '  - name: reload svc',
      ...handler.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(base, 'roles/svc/schema.json'),
    JSON.stringify({ type: 'object', properties: { svc_dir: { type: 'string' }, svc_value: { type: 'string' }, svc_unit: { type: 'string' } } }),
  );
  writeFileSync(join(base, 'roles/svc/defaults.yml'), `svc_value: one\nsvc_unit: ${unit}\n`);
  writeFileSync(join(base, 'roles/svc/templates/a.njk'), 'a = {{ svc_value }}\n');
  writeFileSync(
    s.inventory,
    `all:\n  hosts:\n    box:\n      ansible_connection: local\n      provision_roles: [svc]\n      svc_dir: ${JSON.stringify(s.tree)}\n`,
  );
  // The machine's init scripts plus the stand-in, so service(8) finds it where it looks.
  cpSync('/etc/init.d', join(base, 'init.d'), { recursive: true, verbatimSymlinks: true });
  const init = join(base, 'init.d', unit);
  writeFileSync(
    init,
    [
      '#!/bin/sh',
      '# Test stand-in for an init script (see the test file header).',
      'case "$1" in',
      `status) if [ -e '${s.running}' ]; then echo "${unit} is running"; exit 0; fi; echo "${unit} is not running"; exit 3 ;;`,
      `reload) echo "Reloading ${unit} configuration"`,
      `  if [ -e '${s.broken}' ]; then echo "${unit}: /etc/${unit}.conf line 3: unknown directive 'Bogus'" >&2; echo "${unit}: configuration refused, still running the old one" >&2; exit 1; fi`,
      `  echo reloaded >> '${s.reloads}'; exit 0 ;;`,
      '*) exit 3 ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(init, 0o755);
  return s;
}

/** The real CLI, as root, in the private mount namespace described in the file header. */
function apply(s: Service, ...args: string[]): { code: number; stdout: string; stderr: string } {
  return s.host.run([process.execPath, join(projectRoot, 'dist/cli/cli.js'), 'apply', s.inventory, ...args], {
    setup: 'mount -t tmpfs -o mode=0755 tmpfs /run && mount --bind "$INIT_D" /etc/init.d',
    env: { INIT_D: join(s.base, 'init.d') },
  });
}

const reloads = (s: Service) => (existsSync(s.reloads) ? readFileSync(s.reloads, 'utf8').split('\n').filter(Boolean).length : 0);
const pending = (s: Service) => existsSync(join(s.state, 'pending-handlers'));
const occurrences = (text: string, part: string) => text.split(part).length - 1;

test('without systemd a running service is reloaded through its init script; a stopped one is left stopped, with a note', () => {
  const s = service(['reload: "{{ svc_unit }}"']);
  try {
    writeFileSync(s.running, '');
    const first = apply(s);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /^box: ran handler reload svc$/m);
    assert.match(first.stdout, /^box: changed \(3 changed, 0 unchanged\) \d+\.\ds$/m, 'two resources and the handler');
    assert.equal(reloads(s), 1);

    rmSync(s.running);
    writeFileSync(join(s.base, 'roles/svc/defaults.yml'), `svc_value: two\nsvc_unit: ${unit}\n`);
    const stopped = apply(s, '--json', '--detailed-exitcode');
    assert.equal(stopped.code, 2, stopped.stdout + stopped.stderr);
    const host = JSON.parse(stopped.stdout).hosts[0];
    assert.equal(host.status, 'changed');
    assert.deepEqual(host.handlers, [{ name: 'reload svc', ran: true, ok: true }]);
    assert.deepEqual(host.notices, [`${unit} is not running, so it was not reloaded (handler reload svc): it reads the new files when it starts`]);
    assert.equal(reloads(s), 1, 'a stopped service is not reloaded (nor started)');
    assert.equal(pending(s), false, 'nothing owed: the next run does not try again');

    writeFileSync(join(s.base, 'roles/svc/defaults.yml'), `svc_value: three\nsvc_unit: ${unit}\n`);
    const human = apply(s);
    assert.equal(human.code, 0);
    assert.match(
      human.stdout,
      new RegExp(`^box: note: ${unit} is not running, so it was not reloaded \\(handler reload svc\\): it reads the new files when it starts$`, 'm'),
    );
    assert.equal(apply(s).stdout.includes('handler'), false, 'converged: nothing runs again');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('a failed reload of a running service: its stderr quoted once, indented, after the earlier steps stdout; the counts add up', () => {
  // As the postfix handler: a command that prints the settings it changed, then the reload.
  const s = service(['steps:', `  - command: "echo 'smtpd_tls_chain_files = /etc/new.pem (was: )'"`, '  - reload: "{{ svc_unit }}"']);
  try {
    writeFileSync(s.running, '');
    writeFileSync(s.broken, '');
    const failed = apply(s);
    assert.equal(failed.code, 3, failed.stdout + failed.stderr);
    const lines = failed.stdout.split('\n');
    const at = lines.indexOf('box: failed handler reload svc');
    assert.ok(at >= 0, failed.stdout);
    assert.deepEqual(lines.slice(at + 1, at + 3), [
      `  ${unit}: /etc/${unit}.conf line 3: unknown directive 'Bogus'`,
      `  ${unit}: configuration refused, still running the old one`,
    ]);
    assert.equal(occurrences(failed.stdout, 'unknown directive'), 1, 'quoted once');
    assert.equal(failed.stdout.includes('(was: )'), false, 'not the first line of stdout');
    assert.match(failed.stdout, /^box: failed \(2 changed, 0 unchanged, 1 failed\) \d+\.\ds$/m);
    assert.equal(pending(s), true);

    const json = JSON.parse(apply(s, '--json').stdout).hosts[0];
    assert.equal(json.status, 'failed');
    assert.deepEqual(json.handlers, [
      {
        name: 'reload svc',
        ran: true,
        ok: false,
        error: `${unit}: /etc/${unit}.conf line 3: unknown directive 'Bogus'\n${unit}: configuration refused, still running the old one`,
      },
    ]);
    assert.equal(
      json.error,
      `handler reload svc failed: ${unit}: /etc/${unit}.conf line 3: unknown directive 'Bogus'\n${unit}: configuration refused, still running the old one`,
    );

    rmSync(s.broken);
    const fixed = apply(s);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /^box: ran handler reload svc$/m, 'the pending handler ran again');
    assert.equal(reloads(s), 1);
    assert.equal(pending(s), false);
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('a failing command step: its last stderr lines, not its stdout; the later steps do not run', () => {
  const s = service([
    'steps:',
    `  - command: "echo starting; for i in 1 2 3 4 5 6 7; do echo noise $i >&2; done; echo 'fatal: cannot open /etc/x.pem' >&2; exit 4"`,
    '  - reload: "{{ svc_unit }}"',
  ]);
  try {
    writeFileSync(s.running, '');
    const failed = apply(s, '--json');
    assert.equal(failed.code, 3);
    const handler = JSON.parse(failed.stdout).hosts[0].handlers[0];
    assert.equal(handler.error, ['noise 4', 'noise 5', 'noise 6', 'noise 7', 'fatal: cannot open /etc/x.pem'].join('\n'));
    assert.equal(reloads(s), 0, 'no reload after a failed step');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});

test('a service with no init script and no systemd is an error that says so; a reload value that is not a service name is refused before anything runs', () => {
  const s = service(['reload: "{{ svc_unit }}"']);
  try {
    writeFileSync(join(s.base, 'roles/svc/defaults.yml'), 'svc_value: one\nsvc_unit: provtest-absent\n');
    const missing = apply(s, '--json');
    assert.equal(missing.code, 3);
    assert.equal(
      JSON.parse(missing.stdout).hosts[0].handlers[0].error,
      'cannot reload provtest-absent: systemd is not running and there is no init script /etc/init.d/provtest-absent',
    );

    rmSync(s.tree, { recursive: true, force: true });
    writeFileSync(join(s.base, 'roles/svc/defaults.yml'), "svc_value: one\nsvc_unit: 'x; touch /tmp/owned'\n");
    const bad = apply(s);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stderr, /role\.yml:\d+:\d+: .*reload: "x; touch \/tmp\/owned" is not a service name .*box/);
    assert.equal(existsSync(s.tree), false, 'nothing was written');
  } finally {
    rmSync(s.base, { recursive: true, force: true });
  }
});
