import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { nunjucks } from '../../src/template/strict-nunjucks.js';
import { filters, shquote, shquoteList, stableNumber, withDefaults } from '../../src/template/filters.js';

const nasty = ['plain', '', "it's", 'a b', 'x.com; rm -rf /', '$(id)', '`id`', '"q"', '\\', '*', 'new\tline', '-n'];

test('shquote makes any value one literal shell word', () => {
  for (const value of nasty) {
    const echoed = execFileSync('/bin/sh', ['-c', `printf '%s' ${shquote(value)}`], { encoding: 'utf8' });
    assert.equal(echoed, value);
  }
});

test('shquote_list gives one word per element', () => {
  const out = execFileSync('/bin/sh', ['-c', `for w in ${shquoteList(nasty)}; do printf '[%s]' "$w"; done`], { encoding: 'utf8' });
  assert.equal(out, nasty.map((v) => `[${v}]`).join(''));
});

test('shquote refuses undefined and NUL bytes', () => {
  assert.throws(() => shquote(undefined), /undefined/);
  assert.throws(() => shquote('a\0b'), /NUL/);
});

test('with_defaults merges every element over the defaults; the element wins, even with null', () => {
  const certs = [{ name: 'a', key_type: 'ec256' }, { name: 'b' }, { name: 'c', services: null }];
  assert.deepEqual(withDefaults(certs, { key_type: 'rsa2048', services: ['postfix'] }), [
    { name: 'a', key_type: 'ec256', services: ['postfix'] },
    { name: 'b', key_type: 'rsa2048', services: ['postfix'] },
    { name: 'c', key_type: 'rsa2048', services: null },
  ]);
  assert.deepEqual(certs[1], { name: 'b' }, 'the input is not changed');
  assert.deepEqual(withDefaults([], { a: 1 }), []);
  assert.throws(() => withDefaults('x', {}), /not a list/);
  assert.throws(() => withDefaults([{}], ['x']), /not a mapping/);
  assert.throws(() => withDefaults([1], {}), /element 0 is not a mapping/);
});

test('stable_number is the same for the same value, within the limit, and spread across values', () => {
  assert.equal(stableNumber('web1.example.test', 1440), stableNumber('web1.example.test', 1440));
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) {
    const n = stableNumber(`host${i}`, 24);
    assert.ok(Number.isInteger(n) && n >= 0 && n < 24);
    seen.add(n);
  }
  assert.ok(seen.size >= 20, `200 hosts fall on only ${seen.size} of 24 hours`);
  assert.throws(() => stableNumber('x', 0), /limit/);
  assert.throws(() => stableNumber('x', 1.5), /limit/);
});

test('the filters work inside templates', () => {
  const env = new nunjucks.Environment();
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
  const out = env.renderString(
    "{% for c in certs | with_defaults({'key_type': 'rsa2048'}) %}{{ c.name }}={{ c.key_type }} {% endfor %}{{ 'h' | stable_number(60) }}",
    { certs: [{ name: 'a' }, { name: 'b', key_type: 'ec384' }] },
  );
  assert.equal(out, `a=rsa2048 b=ec384 ${stableNumber('h', 60)}`);
});
