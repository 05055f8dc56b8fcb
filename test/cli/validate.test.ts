// `provision validate` through the real CLI: the clean example passes with --strict, every checker
// catches a seeded fault naming file, line and host, every format parses, a missing checker is a
// warning (an error with --strict) naming its package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { projectRoot, provision, tempInventory } from '../helpers/cli.js';

const example = join(projectRoot, 'inventories/example/inventory.yml');

test('the example inventory validates with zero problems under --strict', () => {
  const result = provision(['validate', '--strict', example]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^0 error\(s\), 0 warning\(s\); 2 host\(s\), \d+ file\(s\) checked$/m);
});

/** The example plus a role `faults` on web1 whose templates carry the faults named in `templates`. */
function faultyInventory(resources: string[], templates: Record<string, string>, extraHostVars = '') {
  const copy = tempInventory();
  mkdirSync(join(copy.dir, 'roles/faults/templates'), { recursive: true });
  writeFileSync(join(copy.dir, 'roles/faults/role.yml'), ['prefix: faults_', 'resources:', ...resources.map((r) => `  - ${r}`), ''].join('\n'));
  for (const [name, text] of Object.entries(templates)) writeFileSync(join(copy.dir, 'roles/faults/templates', name), text);
  writeFileSync(
    join(copy.dir, 'host_vars/web1.example.test.yml'),
    `acme_domains: [web1.example.test, www.example.test]\nprovision_roles: [letsencrypt, apache, faults]\n${extraHostVars}`,
  );
  return copy;
}

function expectFault(copy: { inventory: string }, pattern: RegExp) {
  const result = provision(['validate', copy.inventory]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, pattern);
  return result.stdout;
}

test('shell: a syntax error and a shellcheck finding, at the template line, with the host', () => {
  const copy = faultyInventory(
    [
      'file: { template: broken.sh.njk, dest: /usr/local/bin/broken, mode: "0755", check: [shell] }',
      'file: { template: lint.sh.njk, dest: /usr/local/bin/lint, mode: "0755", check: [shell] }',
    ],
    { 'broken.sh.njk': '#!/bin/sh\n# {{ inventory_hostname }}\nif true; then\n  echo ok\n', 'lint.sh.njk': '#!/bin/sh\nset -eu\necho $1\n' },
  );
  const out = expectFault(copy, /roles\/faults\/templates\/broken\.sh\.njk:\d+: web1\.example\.test: \/usr\/local\/bin\/broken:\d+: .*/);
  assert.match(out, /roles\/faults\/templates\/lint\.sh\.njk:3: web1\.example\.test: \/usr\/local\/bin\/lint:3: .*SC2086/);
});

test('apache: an unknown directive in a snippet, at its line', () => {
  const copy = faultyInventory(
    [
      'file: { template: extra.conf.njk, dest: /etc/apache2/conf-available/extra.conf, check: [apache] }',
      'symlink: { path: /etc/apache2/conf-enabled/extra.conf, target: ../conf-available/extra.conf }',
    ],
    {
      'extra.conf.njk': '# extra\nServerTokens Prod\nSSLStaplingFrobnicate on\n',
    },
  );
  expectFault(
    copy,
    /roles\/faults\/templates\/extra\.conf\.njk:3: web1\.example\.test: \/etc\/apache2\/conf-available\/extra\.conf:3: .*SSLStaplingFrobnicate/,
  );
});

test('postfix: a parameter with a bad value, at its line', () => {
  const copy = tempInventory();
  writeFileSync(join(copy.dir, 'host_vars/mail1.example.test.yml'), 'acme_domains: [mail1.example.test]\npostfix_smtpd_tls_security_level: maybe\n');
  const result = provision(['validate', copy.inventory]);
  assert.equal(result.code, 1, result.stdout);
  // the schema already refuses it; the checker is shown catching it in a hand-written settings file below
  assert.match(result.stdout, /postfix_smtpd_tls_security_level/);
  const bad = faultyInventory(['file: { template: tls.cf.njk, dest: /etc/postfix/extra-tls.cf, check: [postfix] }'], {
    'tls.cf.njk': '# settings\nsmtpd_tls_security_level = maybe\n',
  });
  expectFault(bad, /roles\/faults\/templates\/tls\.cf\.njk:2: web1\.example\.test: \/etc\/postfix\/extra-tls\.cf:2: .*smtpd_tls_security_level/);
});

test('dovecot: a 2.3 setting in a 2.4 configuration, at its line', () => {
  const copy = tempInventory();
  writeFileSync(join(copy.dir, 'host_vars/mail1.example.test.yml'), 'acme_domains: [mail1.example.test]\ndovecot_version: "2.4"\n');
  const clean = provision(['validate', copy.inventory]);
  assert.equal(clean.code, 0, `the role's own 2.4 output is clean: ${clean.stdout}`);
  const bad = faultyInventory(
    ['file: { template: ssl.conf.njk, dest: /etc/dovecot/conf.d/98-extra.conf, check: [dovecot] }'],
    { 'ssl.conf.njk': '# extra\nssl_cert = </etc/ssl/x.pem\n' },
    'dovecot_version: "2.4"\n',
  );
  expectFault(bad, /roles\/faults\/templates\/ssl\.conf\.njk:2: web1\.example\.test: \/etc\/dovecot\/conf\.d\/98-extra\.conf:2: .*ssl_cert/);
});

test('openssl: a SAN list openssl refuses (a first name longer than a CN may be)', () => {
  const copy = tempInventory();
  const long = `${'a'.repeat(40)}.${'b'.repeat(29)}`; // 70 characters, a valid DNS name
  writeFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), `acme_domains: [${long}]\n`);
  const out = expectFault(copy, new RegExp(`web1\\.example\\.test: /etc/ssl/letsencrypt/${long}/domain\\.csr: .*`));
  assert.match(out, /64/);
});

test('every format parses: json, junit, github', () => {
  const copy = faultyInventory(['file: { template: lint.sh.njk, dest: /usr/local/bin/lint, check: [shell] }'], { 'lint.sh.njk': '#!/bin/sh\necho $1\n' });
  const json = provision(['validate', copy.inventory, '--format', 'json']);
  assert.equal(json.code, 1);
  const doc = JSON.parse(json.stdout);
  assert.ok(doc.summary.errors >= 1);
  assert.ok(doc.problems.some((p: { host: string; check: string }) => p.host === 'web1.example.test' && p.check === 'shell'));

  const junit = provision(['validate', copy.inventory, '--format', 'junit']);
  assert.equal(XMLValidator.validate(junit.stdout), true);
  const suite = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(junit.stdout).testsuites.testsuite;
  const cases = [suite.testcase].flat();
  assert.equal(Number(suite.tests), cases.length);
  assert.equal(Number(suite.failures), cases.filter((c: { failure?: unknown }) => c.failure).length);
  assert.ok(
    cases.some(
      (c: { classname: string; name: string; failure?: unknown }) => c.classname === 'web1.example.test' && c.name === '/usr/local/bin/lint' && c.failure,
    ),
  );
  assert.ok(cases.some((c: { classname: string; name: string }) => c.classname === 'mail1.example.test'));

  const github = provision(['validate', copy.inventory, '--format', 'github']);
  const lines = github.stdout.trimEnd().split('\n');
  assert.ok(lines.length >= 1);
  for (const line of lines) assert.match(line, /^::(error|warning) (file=[^,]+,)?(line=\d+,)?(col=\d+,)?title=[^,:]+::.+$/);
});

test('a checker that is not installed is a warning naming its package, an error with --strict', () => {
  // A PATH with everything /usr/bin and /bin have, except shellcheck.
  const bin = mkdtempSync(join(tmpdir(), 'provision-path-'));
  for (const dir of ['/usr/bin', '/bin']) {
    for (const name of readdirSync(dir)) {
      if (name === 'shellcheck') continue;
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch {
        /* already linked from the other directory */
      }
    }
  }
  const run = (args: string[]) =>
    spawnSync(process.execPath, [join(projectRoot, 'dist/cli/cli.js'), ...args], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:/usr/sbin:/sbin` } });
  const lax = run(['validate', example]);
  assert.equal(lax.status, 0, lax.stdout + lax.stderr);
  assert.match(lax.stdout, /warning: the shell check was not run: shellcheck \(Debian package shellcheck\) is not installed/);
  const strict = run(['validate', '--strict', example]);
  assert.equal(strict.status, 1);
  assert.match(strict.stdout, /the shell check was not run: shellcheck \(Debian package shellcheck\) is not installed/);
});

test("a secret quoted by a checker's message is masked", () => {
  const copy = faultyInventory(
    ['file: { template: extra.conf.njk, dest: /etc/apache2/conf-available/extra.conf, check: [apache] }'],
    { 'extra.conf.njk': '# extra\n{{ faults_token }} on\n' },
    'faults_token: Sekr1tT0kenValue\n',
  );
  writeFileSync(join(copy.dir, 'roles/faults/schema.json'), JSON.stringify({ type: 'object', properties: { faults_token: { type: 'string', secret: true } } }));
  for (const format of ['text', 'json', 'github', 'junit']) {
    const result = provision(['validate', copy.inventory, '--format', format]);
    assert.equal(result.code, 1, result.stdout);
    assert.doesNotMatch(result.stdout + result.stderr, /Sekr1tT0kenValue/, format);
    assert.match(result.stdout, /\(secret\)/, format);
  }
});
