import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opensslChecker } from '../../../src/validate/checkers/openssl.js';
import { csrsOf, exampleHost, runChecker, show } from './helpers.js';

test('openssl: the example hosts CSRs can be made', async () => {
  for (const name of ['web1.example.test', 'mail1.example.test'] as const) {
    const work = exampleHost(name);
    assert.equal(csrsOf(work).length, 1);
    const findings = await runChecker(opensslChecker, work, [], { csrs: csrsOf(work) });
    assert.deepEqual(findings, [], show(findings));
  }
});

test('openssl: a first name of 70 characters (a valid DNS name, too long for a CN) is an error on the CSR', async () => {
  const work = exampleHost('mail1.example.test');
  const [csr] = csrsOf(work);
  const long = `${'a'.repeat(58)}.example.com`;
  assert.equal(long.length, 70);
  const findings = await runChecker(opensslChecker, work, [], { csrs: [{ ...csr!, domains: [long, ...csr!.domains] }] });
  assert.equal(findings.length, 1, show(findings));
  assert.equal(findings[0]!.path, csr!.path);
  assert.equal(findings[0]!.severity, 'error');
  assert.match(findings[0]!.message, /string too long/);
  assert.match(findings[0]!.message, /64/);
});

test('openssl: an organization over 64 characters and a three-letter country are errors', async () => {
  const work = exampleHost('web1.example.test');
  const [csr] = csrsOf(work);
  const org = await runChecker(opensslChecker, work, [], { csrs: [{ ...csr!, organization: 'O'.repeat(65) }] });
  assert.match(org[0]?.message ?? '', /organization has 65 characters/, show(org));
  const country = await runChecker(opensslChecker, work, [], { csrs: [{ ...csr!, country: 'SWE' }] });
  assert.match(country[0]?.message ?? '', /two-letter/, show(country));
});
