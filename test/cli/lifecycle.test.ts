// What provision removes when the inventory drops something, and what it never removes, on a real
// host (this machine, the local connection, as root): each run in a private mount namespace where a
// temp directory is /var/lib/provision (test/helpers/private-var-lib.ts), so the record of what
// provision manages (/var/lib/provision/managed/HOST) and its archive are the test's own; the managed
// files live in a temp directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot, snapshot } from '../helpers/cli.js';
import { privateVarLib, untouchedMachineRecord } from '../helpers/private-var-lib.js';

untouchedMachineRecord();

const cli = join(projectRoot, 'dist/cli/cli.js');
const slowSeconds = '41.75';

/** A role managing one directory and one file in it per item of svc_items; a file's validate command is svc_validate. */
function host() {
  const base = mkdtempSync(join(tmpdir(), 'provision-lifecycle-'));
  chmodSync(base, 0o755);
  const tree = join(base, 'tree');
  const isolated = privateVarLib();
  mkdirSync(join(base, 'roles/svc/templates'), { recursive: true });
  writeFileSync(
    join(base, 'roles/svc/role.yml'),
    [
      'prefix: svc_',
      'resources:',
      '  - directory: { path: "{{ svc_dir }}", mode: "0755" }',
      '  - directory: { path: "{{ svc_dir }}/{{ item }}", loop: "{{ svc_items }}" }',
      '  - file: { template: a.njk, dest: "{{ svc_dir }}/{{ item }}/a.conf", loop: "{{ svc_items }}", validate: "{{ svc_validate }}" }',
      '  - file: { template: a.njk, dest: "{{ svc_dir }}/{{ item }}.conf", loop: "{{ svc_files }}", check: [svc] }',
      '  - symlink: { path: "{{ svc_dir }}/enabled/{{ item }}", target: "../{{ item }}.conf", loop: "{{ svc_files }}" }',
      'checks:',
      '  svc: { label: svc-check, root: "{{ svc_dir }}", command: "{{ svc_check }}" }',
      'foreign_links:',
      '  - { dir: "{{ svc_dir }}/enabled", uses: "{{ svc_dir }}/certs", label: enabled test site }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(base, 'roles/svc/schema.json'),
    JSON.stringify({
      type: 'object',
      properties: {
        svc_dir: { type: 'string', format: 'abs-path' },
        svc_items: { type: 'array', items: { type: 'string' } },
        svc_files: { type: 'array', items: { type: 'string' } },
        svc_validate: { type: 'string' },
        svc_check: { type: 'string' },
      },
    }),
  );
  writeFileSync(join(base, 'roles/svc/defaults.yml'), 'svc_items: []\nsvc_files: []\nsvc_validate: "true %s"\nsvc_check: "true"\n');
  writeFileSync(join(base, 'roles/svc/templates/a.njk'), 'a = {{ item }}\n');
  const inventory = join(base, 'inventory.yml');
  const setVars = (vars: Record<string, unknown>) =>
    writeFileSync(inventory, JSON.stringify({ all: { hosts: { box: { ansible_connection: 'local', provision_roles: ['svc'], svc_dir: tree, ...vars } } } }));
  return {
    tree,
    inventory,
    setVars,
    run: (...args: string[]) => {
      const result = isolated.run([process.execPath, cli, ...args]);
      return { code: result.code, stdout: result.stdout, out: `${result.stdout}\n${result.stderr}` };
    },
    start: (...args: string[]) => isolated.start([process.execPath, cli, ...args]),
    /** the paths of the record's `path` lines */
    recorded: (): string[] => {
      const file = join(isolated.provisionDir, 'managed/box');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('path '))
        .map((line) => line.split(' ').slice(6).join(' '));
    },
    archive: join(isolated.provisionDir, 'archive'),
  };
}

/** The paths under `tree` (and `tree` itself), without the temp files of a run cut off. */
function present(tree: string): string[] {
  if (!existsSync(tree)) return [];
  const below = readdirSync(tree, { recursive: true })
    .map(String)
    .filter((p) => !p.split('/').pop()!.startsWith('.provision-'));
  return [tree, ...below.map((p) => join(tree, p))].sort();
}

test('a file that was there before provision first managed its path is never removed; plan removes nothing', () => {
  const h = host();
  mkdirSync(h.tree);
  writeFileSync(join(h.tree, 'theirs.conf'), 'theirs\n');
  h.setVars({ svc_files: ['theirs', 'ours'] });
  assert.equal(h.run('apply', h.inventory).code, 0);
  assert.equal(readFileSync(join(h.tree, 'theirs.conf'), 'utf8'), 'a = theirs\n', "managed: its content is the role's");

  h.setVars({ svc_files: [] });
  const before = snapshot(h.tree);
  const plan = h.run('plan', h.inventory, '--detailed-exitcode');
  assert.equal(plan.code, 2, plan.out);
  assert.match(
    plan.stdout,
    new RegExp(
      `^box: remove file ${h.tree}/ours\\.conf \\(no longer managed: kept in /var/lib/provision/archive\\)\\n--- before: ${h.tree}/ours\\.conf\\n\\+\\+\\+ after: ${h.tree}/ours\\.conf\\n@@ -1,1 \\+0,0 @@\\n-a = ours$`,
      'm',
    ),
  );
  assert.match(
    plan.stdout,
    new RegExp(`^box: note: left in place, no longer managed: ${h.tree}/theirs\\.conf \\(it was there before provision managed it\\)$`, 'm'),
  );
  assert.doesNotMatch(plan.stdout, /remove file .*theirs/);
  assert.deepEqual(snapshot(h.tree), before, 'plan removes nothing');

  const applied = h.run('apply', h.inventory, '--detailed-exitcode');
  assert.equal(applied.code, 2, applied.out);
  assert.equal(existsSync(join(h.tree, 'ours.conf')), false);
  assert.equal(readFileSync(join(h.tree, 'theirs.conf'), 'utf8'), 'a = theirs\n', 'never removed');
  const runs = readdirSync(h.archive);
  assert.equal(runs.length, 1);
  assert.equal(readFileSync(join(h.archive, runs[0]!, h.tree, 'ours.conf'), 'utf8'), 'a = ours\n', 'the removed file is kept in the archive');
  assert.equal(h.run('plan', h.inventory, '--detailed-exitcode').code, 0, 'nothing left to do');
  assert.deepEqual(h.recorded(), [h.tree]);
});

test('a link provision does not manage, to a site using a certificate no role manages, is a warning; it is never removed', () => {
  const h = host();
  mkdirSync(join(h.tree, 'enabled'), { recursive: true });
  writeFileSync(join(h.tree, 'old-site.conf'), `cert "${h.tree}/certs/old/fullchain.pem"\n`);
  writeFileSync(join(h.tree, 'kept-site.conf'), `cert ${h.tree}/certs/kept/fullchain.pem\n`);
  writeFileSync(join(h.tree, 'plain-site.conf'), 'no certificate here\n');
  for (const name of ['old-site', 'kept-site', 'plain-site']) symlinkSync(`../${name}.conf`, join(h.tree, 'enabled', name));
  // certs/kept is managed (a directory of the role), certs/old is not.
  h.setVars({ svc_items: ['certs/kept'] });
  const warning = `box: warning: enabled test site ${h.tree}/enabled/old-site uses ${h.tree}/certs/old, which no role of this host manages: nothing renews that certificate (provision leaves the link alone; remove it if the site is not needed)`;
  const plan = h.run('plan', h.inventory);
  assert.equal(plan.code, 0, plan.out);
  assert.deepEqual(
    plan.stdout.split('\n').filter((line) => line.includes('warning')),
    [warning],
  );
  assert.equal(h.run('apply', h.inventory).code, 0);
  const again = h.run('apply', h.inventory, '--detailed-exitcode');
  assert.equal(again.code, 0, again.out);
  assert.ok(again.stdout.includes(warning), 'said on every run, also when nothing changes');
  assert.ok(existsSync(join(h.tree, 'enabled/old-site')), 'never removed');
});

test("a removal that would break the configuration (the role's whole-configuration check) is refused before anything changes", () => {
  const h = host();
  h.setVars({ svc_files: ['needed', 'other'] });
  assert.equal(h.run('apply', h.inventory).code, 0);
  // The check stands for a daemon's own configuration test: it fails without needed.conf.
  h.setVars({ svc_files: ['other'], svc_check: `test -e ${h.tree}/needed.conf` });
  const plan = h.run('plan', h.inventory);
  assert.equal(plan.code, 3, plan.out);
  assert.match(plan.stdout, /svc-check fails with the new files in place/);
  const applied = h.run('apply', h.inventory);
  assert.equal(applied.code, 3, applied.out);
  assert.equal(readFileSync(join(h.tree, 'needed.conf'), 'utf8'), 'a = needed\n', 'nothing removed');
  h.setVars({ svc_files: ['other'] });
  assert.equal(h.run('apply', h.inventory).code, 0);
  assert.equal(existsSync(join(h.tree, 'needed.conf')), false);
});

/** Process groups of the apply scripts this test started (found by their unique sleep). */
function orphanGroups(): number[] {
  return execFileSync('ps', ['-eo', 'pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`sleep ${slowSeconds}`) && !line.includes('sh -c'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

test('an apply killed half way leaves a record that holds everything provision made; the next run converges', async () => {
  const h = host();
  h.setVars({ svc_items: ['one'] });
  assert.equal(h.run('apply', h.inventory).code, 0);

  // two replaces one; its file's validate command takes long, so the apply is killed while it runs.
  h.setVars({ svc_items: ['two'], svc_validate: `sleep ${slowSeconds} && true %s` });
  const child = h.start('apply', h.inventory);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (orphanGroups().length === 0) {
    assert.ok(Date.now() < deadline, 'the apply never reached the validate command');
    await sleep(50);
  }
  child.kill('SIGKILL');
  await exited;
  // The script on the host dies too, as with a reboot or a lost connection: nothing cleans up after it.
  for (const pgid of orphanGroups()) process.kill(-pgid, 'SIGKILL');
  while (orphanGroups().length > 0) await sleep(50);

  const recorded = new Set(h.recorded());
  const made = present(h.tree);
  assert.ok(made.includes(join(h.tree, 'two')), 'the cut-off apply had made the new directory');
  for (const path of made) assert.ok(recorded.has(path), `${path} is on the host and in the record`);
  assert.ok(recorded.has(join(h.tree, 'one/a.conf')), 'what was not removed yet is still recorded');

  h.setVars({ svc_items: ['two'] });
  const next = h.run('apply', h.inventory);
  assert.equal(next.code, 0, next.out);
  assert.deepEqual(present(h.tree), [h.tree, join(h.tree, 'two'), join(h.tree, 'two/a.conf')]);
  assert.deepEqual(h.recorded().sort(), [h.tree, join(h.tree, 'two'), join(h.tree, 'two/a.conf')]);
  assert.equal(h.run('plan', h.inventory, '--detailed-exitcode').code, 0);
});
