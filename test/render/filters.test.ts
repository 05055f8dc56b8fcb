import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shquote, shquoteList } from '../../src/render/filters.js';

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
