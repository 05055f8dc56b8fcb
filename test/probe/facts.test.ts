import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFacts, factsOf, parseFacts as parseWith, wantedFacts as wantedOf } from '../../src/probe/facts.js';
import { builtinRolesDir } from '../../src/model/paths.js';
import { loadRoles } from '../../src/load/load-roles.js';

// The facts are the built-in roles' (their role.yml `facts:`).
const facts = factsOf(loadRoles([builtinRolesDir]).roles.values());
const parseFacts = (output: string) => parseWith(output, facts);
const wantedFacts = (vars: Record<string, unknown>) => wantedOf(vars, facts);

const fact = (name: string) => facts.find((f) => f.name === name)!;

test("the probe's fact lines are read from each program's own output", () => {
  const found = parseFacts(
    [
      '@uid 0',
      '@fact apache Server version: Apache/2.4.62 (Debian) Server built:   2025-01-01T00:00:00 ',
      '@fact openssl OpenSSL 3.0.17 1 Jul 2025 (Library: OpenSSL 3.5.1 1 Jul 2025) ',
      '@fact postfix 3.7.11 ',
      '@fact dovecot 2.4.1-4 (7d8c0e5759) ',
      '@done',
    ].join('\n'),
  );
  assert.equal(found.get(fact('apache')), '2.4.62');
  assert.equal(found.get(fact('openssl')), '3.5.1', "the library's version, which mod_ssl uses");
  assert.equal(found.get(fact('postfix')), '3.7.11');
  assert.equal(found.get(fact('dovecot')), '2.4.1');
});

test('a program that is not installed, or says something else, gives no fact', () => {
  const found = parseFacts('@fact apache -\n@fact openssl LibreSSL 3.8.2 \n@fact nosuch 1.2\n');
  assert.equal(found.size, 0);
});

test("facts are wanted for the variables a host's roles have", () => {
  assert.deepEqual(
    wantedFacts({ apache_version: '2.4', apache_openssl_version: '3.0', acme_domains: [] }).map((f) => f.name),
    ['apache', 'openssl'],
  );
  assert.deepEqual(
    wantedFacts({ postfix_version: '3.7', dovecot_version: '2.3' }).map((f) => f.name),
    ['postfix', 'dovecot'],
  );
  assert.deepEqual(wantedFacts({}), []);
});

test('a fact wins over the variable; a notice only when the inventory states another version', () => {
  const vars = { dovecot_version: '2.4', postfix_version: '3.7', apache_version: '2.4' };
  const found = new Map([
    [fact('dovecot'), '2.3.19.1'],
    [fact('postfix'), '3.7.11'],
    [fact('apache'), '2.4.62'],
  ]);
  const outcome = applyFacts(vars, { dovecot_version: '2.4', postfix_version: '3.7' }, found);
  assert.deepEqual(outcome.vars, { dovecot_version: '2.3.19.1', postfix_version: '3.7.11', apache_version: '2.4.62' });
  assert.deepEqual(outcome.changed, ['dovecot_version', 'postfix_version', 'apache_version']);
  // postfix "3.7" agrees with 3.7.11; apache_version is a role default, not stated by the inventory.
  assert.deepEqual(outcome.notices, ['the host runs Dovecot 2.3.19.1; dovecot_version "2.4" from the inventory is not used']);
  assert.deepEqual(vars.dovecot_version, '2.4', 'the host variables are not modified');
});

test('facts equal to the variables change nothing', () => {
  const outcome = applyFacts({ postfix_version: '3.7.11' }, {}, new Map([[fact('postfix'), '3.7.11']]));
  assert.deepEqual(outcome.changed, []);
  assert.deepEqual(outcome.notices, []);
});
