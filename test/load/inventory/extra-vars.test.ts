// -e extra vars: key=value (Ansible's parse_kv), inline YAML/JSON, @file; precedence; errors.

import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadExtraVars } from '../../../src/load/inventory/extra-vars.js';
import { parseKv, splitArgs } from '../../../src/load/inventory/kv.js';
import { locate } from '../../../src/load/inventory/locate.js';
import { FIXTURES, host, loadFixture, problemsOf } from './helpers.js';

// [input, split_args(input), parse_kv(input)] as printed by Ansible 2.14's own functions
const ANSIBLE_KV: [string, string[], Record<string, string>][] = [
  ["greeting='hello world' count=3", ["greeting='hello world'", 'count=3'], { greeting: 'hello world', count: '3' }],
  ['msg={{ a }} b=1', ['msg={{ a }}', 'b=1'], { msg: '{{ a }}', b: '1' }],
  ["msg='{{ a }}' b=1", ["msg='{{ a }}'", 'b=1'], { msg: '{{ a }}', b: '1' }],
  ['k=v=w', ['k=v=w'], { k: 'v=w' }],
  ['e=a\\nb', ['e=a\\nb'], { e: 'a\nb' }],
  ['x="" y=', ['x=""', 'y='], { x: '', y: '' }],
  ['a=\\=b', ['a=\\=b'], { a: '\\=b' }],
  ['a=1  b=2', ['a=1 ', 'b=2'], { a: '1', b: '2' }],
  ['u=\\u00e9', ['u=\\u00e9'], { u: 'é' }],
  ['multi=a\nb=2', ['multi=a\n', 'b=2'], { multi: 'a', b: '2' }],
];

test('key=value splitting and unquoting match Ansible', () => {
  for (const [input, split, kv] of ANSIBLE_KV) {
    assert.deepEqual(splitArgs(input), split, input);
    assert.deepEqual(parseKv(input), { vars: kv, free: [] }, input);
  }
  assert.deepEqual(parseKv('foo a=1').free, ['foo']);
  assert.throws(() => splitArgs("a='unbalanced"), /unbalanced/);
});

test('-e key=value, @file, inline JSON: later ones win, all beat inventory vars', () => {
  const h1 = host(loadFixture('extra-vars'), 'h1');
  assert.deepEqual(h1.vars, {
    count: 5,
    host_only: 'extra',
    untouched: 'inline',
    greeting: 'hello world',
    nested: { a: 1 },
    list: [1, 2],
    flag: 'yes', // key=value values are strings, never YAML-typed
  });
  assert.equal(h1.origins.get('count')?.file, 'extra.yml');
  assert.deepEqual(locate(h1.origins.get('count')!, []), { file: 'extra.yml', line: 1, col: 8 });
  assert.equal(h1.origins.get('greeting')?.file, '-e #1 (greeting)');
  assert.equal(h1.origins.get('greeting')?.node, null);
  assert.equal(h1.origins.get('list')?.file, '-e #3');
});

test('-e applies to every host', () => {
  const inv = loadFixture('basic-precedence', ['level=cli']);
  assert.ok(inv.hosts.length > 1);
  for (const h of inv.hosts) assert.equal(h.vars.level, 'cli', h.name);
});

test('-e inline YAML is read as YAML 1.1 and positions are within the argument', () => {
  const { layer, problems } = loadExtraVars(['{a: yes, b: [1, 2]}']);
  assert.deepEqual(problems, []);
  assert.equal(layer.get('a')?.value, true);
  assert.deepEqual(locate(layer.get('b')!.origin, [1]), { file: '-e #1', line: 1, col: 17 });
});

test('-e @file is relative to the current directory', () => {
  const { layer, problems } = loadExtraVars(['@extra-vars/extra.yml'], FIXTURES);
  assert.deepEqual(problems, []);
  assert.equal(layer.get('count')?.value, 5);
  assert.equal(layer.get('count')?.origin.file, 'extra-vars/extra.yml');
});

test('bad -e arguments are all reported, each naming its argument', () => {
  const args = ['foo', './vars.yml', '@missing.yml', '[1, 2]', '{a: [1', "a='open"];
  const { problems } = loadExtraVars(args, path.join(FIXTURES, 'extra-vars'));
  const lines = problems.map((p) => `${p.file}: ${p.message}`);
  const expected = [
    /^-e #1: invalid extra vars: a word is not key=value/,
    /^-e #2: to read extra vars from a file, write `-e @FILE`/,
    /^missing\.yml: extra vars file given as `-e @missing\.yml`: extra vars file not found/,
    /^-e #4: extra vars in -e #4 must be a mapping/,
    /^-e #5: malformed YAML/,
    /^-e #6: invalid extra vars: unbalanced quotes/,
  ];
  for (const re of expected)
    assert.ok(
      lines.some((l) => re.test(l)),
      `no problem matching ${re}:\n${lines.join('\n')}`,
    );
  // nothing else: every problem belongs to one of the arguments
  for (const p of problems)
    assert.ok(
      args.some((a, i) => p.file === `-e #${i + 1}` || `@${p.file}` === a),
      p.file,
    );
});

test('loadInventory reports -e problems with the inventory ones', () => {
  const problems = problemsOf(() => loadFixture('extra-vars', ['nope']));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.file, '-e #1');
});
