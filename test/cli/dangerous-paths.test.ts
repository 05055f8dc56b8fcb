// Paths that would hand a system directory, the certificates or a web root to the wrong owner are
// errors before any host is touched, each at the file:line of the variable, with the host, and
// nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

const hostVars = 'host_vars/web1\\.example\\.test\\.yml:\\d+:\\d+';
const cases: { name: string; vars: string; expected: RegExp }[] = [
  {
    name: 'the challenge directory is /',
    vars: 'acme_challenge_dir: /\n',
    expected:
      /acme_challenge_dir: "\/" is the root directory, which the directory \(role letsencrypt\) would take over: no managed path may be \/ or a system directory/,
  },
  { name: 'the certificates directory is /etc', vars: 'acme_certs_dir: /etc\n', expected: /acme_certs_dir: "\/etc" is a system directory/ },
  {
    name: 'the certificates inside the challenge directory',
    vars: 'acme_certs_dir: /var/www/challenges/certs\n',
    expected:
      /acme_certs_dir: "\/var\/www\/challenges\/certs" is inside acme_challenge_dir "\/var\/www\/challenges", which holds "\/var\/www\/challenges\/\.well-known\/acme-challenge", a directory the account acme owns: a directory a non-root account owns must neither contain nor lie inside another setting's tree/,
  },
  {
    name: 'the challenge directory inside the certificates',
    vars: 'acme_challenge_dir: /etc/ssl/letsencrypt/challenges\n',
    expected:
      /acme_challenge_dir: "\/etc\/ssl\/letsencrypt\/challenges", which holds "\/etc\/ssl\/letsencrypt\/challenges\/\.well-known\/acme-challenge", a directory the account acme owns, is inside acme_certs_dir "\/etc\/ssl\/letsencrypt"/,
  },
  {
    name: 'the challenge directory is the DocumentRoot',
    vars: 'acme_challenge_dir: /var/www/html\n',
    expected:
      /acme_challenge_dir: "\/var\/www\/html", which holds "\/var\/www\/html\/\.well-known\/acme-challenge", a directory the account acme owns, is the same directory as apache_document_root "\/var\/www\/html"/,
  },
  {
    name: 'the DocumentRoot inside the challenge directory',
    vars: 'apache_document_root: /var/www/challenges/site\n',
    expected: /apache_document_root: "\/var\/www\/challenges\/site" is inside acme_challenge_dir "\/var\/www\/challenges"/,
  },
  {
    name: 'the challenge directory contains the DocumentRoot',
    vars: 'acme_challenge_dir: /srv/web\napache_document_root: /srv/web/html\n',
    expected: /apache_document_root: "\/srv\/web\/html" is inside acme_challenge_dir "\/srv\/web"/,
  },
  {
    name: 'a certificate named account.key',
    vars: 'acme_certificates:\n  - name: account.key\n    domains: [web1.example.test]\n',
    expected:
      /acme_certificates\[0\]\.name: "\/etc\/ssl\/letsencrypt\/account\.key" \(from "account\.key"\) would be managed twice, as the private key \(role letsencrypt\) and as the directory \(role letsencrypt\): no two resources may manage the same path/,
  },
];

for (const { name, vars, expected } of cases) {
  test(`plan refuses ${name}, at the variable, writing nothing`, () => {
    const copy = tempInventory();
    appendFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), vars);
    const result = provision(['plan', copy.inventory, '--root', copy.root]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, new RegExp(`^error: \\S*${hostVars}: ${expected.source}.*\\(host: web1\\.example\\.test\\)$`, 'm'));
    assert.match(result.stderr, /^1 problem\(s\) found; nothing was changed\.$/m);
    assert.equal(result.stdout, '');
    assert.equal(existsSync(copy.root), false);
  });
}

test('apply and validate refuse the same, and apply writes nothing', () => {
  const copy = tempInventory();
  appendFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), 'acme_challenge_dir: /\n');
  const applied = provision(['apply', copy.inventory, '--root', copy.root]);
  assert.equal(applied.code, 1, applied.stdout + applied.stderr);
  assert.match(applied.stderr, /acme_challenge_dir: "\/" is the root directory/);
  assert.equal(existsSync(copy.root), false);
  const validated = provision(['validate', copy.inventory, '--format', 'github']);
  assert.equal(validated.code, 1, validated.stdout + validated.stderr);
  assert.match(validated.stdout, /^::error file=\S*host_vars\/web1\.example\.test\.yml,line=\d+,col=\d+.*acme_challenge_dir: "\/" is the root directory/m);
});

test('two roles managing the same path are refused, naming both', () => {
  const copy = tempInventory();
  const role = join(copy.dir, 'roles/clash');
  appendFileSync(
    join(copy.dir, 'host_vars/web1.example.test.yml'),
    'provision_roles: [letsencrypt, apache, clash]\nclash_dir: /etc/apache2/conf-available/tls.conf\n',
  );
  provisionRole(role, 'prefix: clash_\nresources:\n  - directory: { path: "{{ clash_dir }}", owner: root }\n', {
    type: 'object',
    properties: { clash_dir: { type: 'string' } },
  });
  const result = provision(['plan', copy.inventory, '--root', copy.root]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(
    result.stderr,
    new RegExp(
      `${hostVars}: clash_dir: "/etc/apache2/conf-available/tls\\.conf" would be managed twice, as the file \\(role apache\\) and as the directory \\(role clash\\)`,
    ),
  );
  assert.equal(existsSync(copy.root), false);
});

function provisionRole(dir: string, manifest: string, schema: object) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'role.yml'), manifest);
  writeFileSync(join(dir, 'schema.json'), JSON.stringify(schema));
}
