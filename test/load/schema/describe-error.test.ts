import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema } from '../../../src/load/schema/ajv.js';
import { describeError, formatPath, pointerToPath, show, type SchemaViolation } from '../../../src/load/schema/describe-error.js';

const validate = compileSchema({
  type: 'object',
  additionalProperties: false,
  required: ['domains'],
  properties: {
    domains: { type: 'array', items: { type: 'string', format: 'dns-name' } },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    dir: { type: 'string', format: 'abs-path' },
    mode: { enum: ['strict', 'relaxed'] },
    names: { type: ['string', 'array'] },
    country: { type: 'string', pattern: '^[A-Z]{2}$', 'x-expected': 'a two-letter upper-case country code' },
    code: { type: 'string', pattern: '^[a-z]+$' },
    sites: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
    tags: { type: 'array', uniqueItems: true, minItems: 1 },
  },
});

/** The violations of `value`, described. */
function violations(value: object): SchemaViolation[] {
  assert.equal(validate(value), false, 'expected the value to be invalid');
  return (validate.errors ?? []).map(describeError);
}

function one(value: object): SchemaViolation {
  const all = violations(value);
  assert.equal(all.length, 1, JSON.stringify(all));
  return all[0]!;
}

test('format dns-name: the bad value and what was expected, at its list index', () => {
  assert.deepEqual(one({ domains: ['ok.example', 'bad_name.example'] }), { path: ['domains', 1], message: '"bad_name.example" is not a DNS name' });
});

test('format abs-path says what an acceptable path is', () => {
  assert.deepEqual(one({ domains: [], dir: 'relative' }), { path: ['dir'], message: '"relative" is not an absolute path without ".." segments' });
});

test('type: the expected type in words and the value', () => {
  assert.deepEqual(one({ domains: 'a.example' }), { path: ['domains'], message: 'expected a list, got "a.example"' });
  assert.deepEqual(one({ domains: [], port: '80' }), { path: ['port'], message: 'expected an integer, got "80"' });
  assert.deepEqual(one({ domains: [], names: 3 }), { path: ['names'], message: 'expected a string or a list, got 3' });
});

test('enum lists the allowed values', () => {
  assert.deepEqual(one({ domains: [], mode: 'lax' }), { path: ['mode'], message: '"lax" is not one of strict, relaxed' });
});

test('required names the missing key in the path', () => {
  assert.deepEqual(one({}), { path: ['domains'], message: 'is required but not set' });
  assert.deepEqual(one({ domains: [], sites: [{ name: 'a' }, {}] }), { path: ['sites', 1, 'name'], message: 'is required but not set' });
});

test('additionalProperties names the unknown key in the path', () => {
  assert.deepEqual(one({ domains: [], colour: 'red' }), { path: ['colour'], message: 'is not a known key here' });
});

test('pattern uses x-expected when the schema has it, the pattern otherwise', () => {
  assert.deepEqual(one({ domains: [], country: 'se' }), { path: ['country'], message: '"se" is not a two-letter upper-case country code' });
  assert.deepEqual(one({ domains: [], code: 'A1' }), { path: ['code'], message: '"A1" is not matching ^[a-z]+$' });
});

test('minimum/maximum, minItems and uniqueItems', () => {
  assert.deepEqual(one({ domains: [], port: 0 }), { path: ['port'], message: '0 must be >= 1' });
  assert.deepEqual(one({ domains: [], port: 70000 }), { path: ['port'], message: '70000 must be <= 65535' });
  assert.deepEqual(one({ domains: [], tags: [] }), { path: ['tags'], message: 'expected at least 1 item(s), got []' });
  assert.deepEqual(one({ domains: [], tags: ['a', 'a'] }), { path: ['tags'], message: 'has duplicate items: ["a","a"]' });
});

test('every violation is reported, not only the first', () => {
  assert.equal(violations({ domains: ['a_b'], port: 'x', mode: 'y' }).length, 3);
});

test("formatPath(['a', 1, 'b']) is a[1].b", () => {
  assert.equal(formatPath(['a', 1, 'b']), 'a[1].b');
  assert.equal(formatPath(['acme_domains', 0]), 'acme_domains[0]');
  assert.equal(formatPath(['a', 'b', 2, 3]), 'a.b[2][3]');
  assert.equal(formatPath([]), '');
});

test('pointerToPath decodes JSON pointers, with numeric segments as numbers', () => {
  assert.deepEqual(pointerToPath(''), []);
  assert.deepEqual(pointerToPath('/a/0/b'), ['a', 0, 'b']);
  assert.deepEqual(pointerToPath('/a~1b/c~0d'), ['a/b', 'c~d']);
});

test('show quotes strings, shows structures as JSON and shortens long values', () => {
  assert.equal(show('x'), '"x"');
  assert.equal(show(undefined), 'undefined');
  assert.equal(show({ a: [1] }), '{"a":[1]}');
  const long = show('y'.repeat(200));
  assert.equal(long.length, 80);
  assert.ok(long.endsWith('...'));
});

test('x-unique-by names the repeated key of the later element and the earlier element; x-expected explains minItems', () => {
  const check = compileSchema({
    type: 'object',
    properties: {
      certs: { type: 'array', minItems: 1, 'x-expected': 'at least one certificate', 'x-unique-by': 'name', items: { type: 'object' } },
    },
  });
  assert.equal(check({ certs: [{ name: 'a' }, { name: 'b' }] }), true);
  assert.equal(check({ certs: [{ name: 'a' }, { name: 'b' }, { name: 'a', domains: [] }] }), false);
  assert.deepEqual(check.errors!.map(describeError), [{ path: ['certs', 2, 'name'], message: '"a" is already the name of certs[0]' }]);
  assert.equal(check({ certs: [] }), false);
  assert.deepEqual(check.errors!.map(describeError), [{ path: ['certs'], message: 'expected at least one certificate, got []' }]);
});
