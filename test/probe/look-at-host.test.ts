// Facts from the real machine over the local connection (no --root tree): a test role writes the
// versions it is rendered with into a temp directory, so nothing under /etc is touched. The machine's
// versions are read independently here; the programs must be installed (.ci/run installs them).
// The runs happen in this process (the round trips are counted), so the whole file runs again in a
// private /var/lib/provision (test/helpers/private-var-lib.ts), where the apply keeps its record.
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../src/host/local.js';
import { Connector } from '../../src/host/connect.js';
import { planHost } from '../../src/plan/plan-host.js';
import { pendingChanges } from '../../src/plan/types.js';
import { convergeHost, lookAtHost, prepareProjectOrThrow } from '../../src/pipeline/pipeline.js';
import type { RenderedHost, RolesAtWork, RunOptions } from '../../src/pipeline/pipeline.js';
import { testsInPrivateVarLib } from '../helpers/private-var-lib.js';

const test = testsInPrivateVarLib(import.meta.filename);

function machine(command: string, args: string[], pattern: RegExp): string {
  const output = execFileSync(command, args, { encoding: 'utf8' });
  const version = pattern.exec(output)?.[1];
  assert.ok(version, `no version in ${command} ${args.join(' ')}: ${output}`);
  return version;
}

const versions = {
  apache: machine('/usr/sbin/apache2', ['-v'], /Apache\/(\d+(?:\.\d+)+)/),
  openssl: machine('openssl', ['version'], /Library: OpenSSL (\d+(?:\.\d+)+)/),
  postfix: machine('/usr/sbin/postconf', ['-d', '-h', 'mail_version'], /^(\d+(?:\.\d+)+)/),
  dovecot: machine('/usr/sbin/dovecot', ['--version'], /^(\d+(?:\.\d+)+)/),
};
const family = versions.dovecot.startsWith('2.3') ? '2.3' : '2.4';
const other = family === '2.3' ? '2.4' : '2.3';

/** A role whose output depends on every fact; one file exists only with the machine's Dovecot family. */
function project(stated: Record<string, string>) {
  const base = mkdtempSync(join(tmpdir(), 'provision-facts-'));
  const role = join(base, 'roles/versions');
  mkdirSync(join(role, 'templates'), { recursive: true });
  writeFileSync(
    join(role, 'role.yml'),
    [
      'prefix: versions_',
      'resources:',
      '  - file: { template: versions.njk, dest: "{{ versions_dir }}/versions.txt", mode: "0644" }',
      `  - file: { template: versions.njk, dest: "{{ versions_dir }}/dovecot-${family}.txt", mode: "0644", when: "dovecot_version is version('${family}', '>=') and dovecot_version is version('${family}.999', '<')" }`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(role, 'schema.json'),
    JSON.stringify({
      type: 'object',
      properties: { versions_dir: { type: 'string' }, apache_version: {}, apache_openssl_version: {}, postfix_version: {}, dovecot_version: {} },
    }),
  );
  // Role defaults as the real roles have them; the inventory may state others.
  writeFileSync(join(role, 'defaults.yml'), `apache_version: "2.4"\napache_openssl_version: "3.0"\npostfix_version: "3.7"\ndovecot_version: "${family}"\n`);
  writeFileSync(
    join(role, 'templates/versions.njk'),
    'apache {{ apache_version }}\nopenssl {{ apache_openssl_version }}\npostfix {{ postfix_version }}\ndovecot {{ dovecot_version }}\n',
  );
  const out = join(base, 'out');
  const vars = Object.entries(stated)
    .map(([k, v]) => `      ${k}: "${v}"\n`)
    .join('');
  writeFileSync(
    join(base, 'inventory.yml'),
    `all:\n  hosts:\n    this-machine:\n      ansible_connection: local\n      provision_roles: [versions]\n      versions_dir: ${out}\n${vars}`,
  );
  const project = prepareProjectOrThrow(join(base, 'inventory.yml'), {});
  return { work: { ...project.hosts[0]!, roles: project }, out };
}

// Round trips are what the connection counts.
const counting = () => new LocalConnection('this-machine');
const connector = new Connector();
after(() => connector.close());

/** One host's run over the shared connector, as `provision apply` does it. */
async function runHost(work: Work, options: RunOptions, over: Connector) {
  const connection = over.connect(work.host);
  try {
    return await convergeHost(work, work.roles, options, connection);
  } finally {
    await connection.close();
  }
}
type Work = RenderedHost & { roles: RolesAtWork };

const expected = `apache ${versions.apache}\nopenssl ${versions.openssl}\npostfix ${versions.postfix}\ndovecot ${versions.dovecot}\n`;

test("the machine's versions are used, not the role defaults, and a no-change re-run is one probe", async () => {
  const { work, out } = project({});
  assert.match(
    work.desired.resources.map((r) => (r.kind === 'file' ? r.content : '')).join(''),
    /^apache 2\.4$/m,
    'rendered with the defaults before the probe',
  );
  const first = await runHost(work, { check: false, backup: false }, connector);
  assert.equal(first.status, 'changed', first.error);
  assert.equal(readFileSync(join(out, 'versions.txt'), 'utf8'), expected);
  assert.equal(readFileSync(join(out, `dovecot-${family}.txt`), 'utf8'), expected);
  assert.deepEqual(first.notices, [], 'nothing stated by the inventory, nothing to note');

  const connection = counting();
  const look = await lookAtHost(connection, work, work.roles);
  assert.equal(connection.roundTrips, 1);
  const plan = planHost(look.desired, look.actual, { secretValues: [] });
  assert.deepEqual(pendingChanges(plan), []);
});

test('a version the inventory states differently: the host wins, a notice says so, and the plan needs a second probe only for what the stated version hid', async () => {
  const { work, out } = project({ dovecot_version: other, postfix_version: versions.postfix.split('.').slice(0, 2).join('.'), apache_openssl_version: '9.9' });
  assert.equal(work.desired.resources.length, 1, `the ${family}-only file is not rendered with Dovecot ${other}`);
  const check = await runHost(work, { check: true, backup: false }, connector);
  assert.deepEqual(
    check.plan!.changes.map((c) => [c.resource.id, c.action]),
    [
      [`file:${out}/versions.txt`, 'create'],
      [`file:${out}/dovecot-${family}.txt`, 'create'],
    ],
  );
  assert.deepEqual(check.notices, [
    `the host runs OpenSSL ${versions.openssl}; apache_openssl_version "9.9" from the inventory is not used`,
    `the host runs Dovecot ${versions.dovecot}; dovecot_version "${other}" from the inventory is not used`,
  ]);

  const connection = counting();
  const look = await lookAtHost(connection, work, work.roles);
  assert.equal(connection.roundTrips, 2, `the ${family}-only file was never probed`);
  assert.equal(look.vars.dovecot_version, versions.dovecot);

  const applied = await runHost(work, { check: false, backup: false }, connector);
  assert.equal(applied.status, 'changed', applied.error);
  assert.equal(readFileSync(join(out, 'versions.txt'), 'utf8'), expected);
  const again = await runHost(work, { check: false, backup: false }, connector);
  assert.equal(again.status, 'ok');
  assert.equal(again.notices!.length, 2, 'the notice is said on a run with nothing to change too');
});
