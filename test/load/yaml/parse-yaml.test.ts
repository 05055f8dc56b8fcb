// The YAML reader: PyYAML's YAML 1.1 scalar rules, JSON first, merge keys, duplicate keys, positions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYaml } from '../../../src/load/yaml/parse-yaml.js';
import { pyTimestamp } from '../../../src/load/yaml/pyyaml-schema.js';

function value(text: string): unknown {
  const { source, problems } = parseYaml(text, 'test.yml');
  assert.deepEqual(problems, []);
  assert.ok(source);
  return source.value;
}

const scalar = (text: string) => (value(`v: ${text}\n`) as { v: unknown }).v;

test('booleans: yes/no/on/off/true/false in three spellings, but not y/n', () => {
  for (const t of ['yes', 'Yes', 'YES', 'on', 'On', 'ON', 'true', 'True', 'TRUE']) assert.equal(scalar(t), true, t);
  for (const t of ['no', 'No', 'NO', 'off', 'Off', 'OFF', 'false', 'False', 'FALSE']) assert.equal(scalar(t), false, t);
  for (const t of ['y', 'Y', 'n', 'N', 'yEs', 'oN']) assert.equal(scalar(t), t, t);
});

test('integers: octal with a leading 0, hex, binary, underscores, sexagesimal; 09 is a string', () => {
  assert.equal(scalar('0755'), 493);
  assert.equal(scalar('0x1F'), 31);
  assert.equal(scalar('0b101'), 5);
  assert.equal(scalar('1_000'), 1000);
  assert.equal(scalar('190:20:30'), 685230);
  assert.equal(scalar('+12'), 12);
  assert.ok(Object.is(scalar('-0'), 0), '-0 is the integer 0');
  assert.equal(scalar('09'), '09');
  assert.equal(scalar('0'), 0);
});

test('floats need a dot, and a sign in the exponent', () => {
  assert.equal(scalar('1.5'), 1.5);
  assert.equal(scalar('1.0e+5'), 100000);
  assert.equal(scalar('.5'), 0.5);
  assert.equal(scalar('1e3'), '1e3');
  assert.equal(scalar('1.0e5'), '1.0e5');
  assert.equal(scalar('.inf'), Infinity);
  assert.equal(scalar('-.Inf'), -Infinity);
  assert.ok(Number.isNaN(scalar('.NaN')));
});

test('null: ~, null, empty', () => {
  assert.equal(scalar('~'), null);
  assert.equal(scalar('Null'), null);
  assert.equal(scalar(''), null);
  assert.equal(scalar('nUll'), 'nUll');
});

test('timestamps become the string Python isoformat() gives, as ansible-inventory prints them', () => {
  assert.equal(scalar('2024-01-05'), '2024-01-05');
  assert.equal(scalar('2001-12-14t21:59:43.10-05:00'), '2001-12-14T21:59:43.100000-05:00');
  assert.equal(scalar('2001-12-14 21:59:43.10'), '2001-12-14T21:59:43.100000');
  assert.equal(pyTimestamp('2001-12-14T21:59:43Z'), '2001-12-14T21:59:43+00:00');
  assert.equal(pyTimestamp('2001-2-4 1:02:03 +5'), '2001-02-04T01:02:03+05:00');
  assert.equal(scalar('2001-2-4'), '2001-2-4', 'a date alone needs two-digit month and day');
  const { problems } = parseYaml('v: 2023-02-30\n', 'bad.yml');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /invalid date/);
});

test('quoted scalars stay strings', () => {
  assert.equal(scalar('"yes"'), 'yes');
  assert.equal(scalar("'0755'"), '0755');
});

test('Ansible tags: !unsafe is a plain string, !vault keeps the ciphertext', () => {
  assert.equal(scalar('!unsafe "{{ x }}"'), '{{ x }}');
  assert.equal(JSON.stringify(scalar('!vault "$ANSIBLE_VAULT;1.1;AES256"')), '{"__ansible_vault":"$ANSIBLE_VAULT;1.1;AES256"}');
});

test('merge keys: explicit keys win, earlier maps in a merge list win over later ones', () => {
  const v = value('a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: [*a, *b]\n  y: 3\n') as Record<string, unknown>;
  assert.deepEqual(v.m, { x: 1, y: 3, z: 2 });
  assert.deepEqual(Object.keys(v.m as object), ['x', 'z', 'y']);
});

test('a document that is valid JSON is read as JSON', () => {
  assert.deepEqual(value('{"a": 1e5, "b": "yes", "c": 1.0e5}'), { a: 100000, b: 'yes', c: 100000 });
});

test('a duplicate key is a warning at the second key (Ansible warns), with the key named; the last value wins', () => {
  const { problems, source } = parseYaml('a: 1\nb:\n  c: 1\n  c: 2\n', 'dup.yml');
  assert.deepEqual(problems, [
    { file: 'dup.yml', line: 4, col: 3, message: 'duplicate key `c`; the last value is used (as Ansible does)', severity: 'warning' },
  ]);
  assert.ok(source, 'a duplicate key does not stop the parse');
  assert.deepEqual(source.value, { a: 1, b: { c: 2 } });
});

test("in provision's own files (duplicateKeys: 'error') a duplicate key is an error", () => {
  const { problems } = parseYaml('c: 1\nc: 2\n', 'role.yml', { duplicateKeys: 'error' });
  assert.deepEqual(problems, [{ file: 'role.yml', line: 2, col: 1, message: 'duplicate key `c`' }]);
});

test('malformed YAML: no source, a problem with file, line and column', () => {
  const { problems, source } = parseYaml('a: 1\nb: "unterminated\n', 'bad.yml');
  assert.equal(source, null);
  assert.ok(problems.length >= 1);
  assert.equal(problems[0]!.file, 'bad.yml');
  assert.equal(problems[0]!.line, 2);
  assert.equal(problems[0]!.col, 4);
  assert.match(problems[0]!.message, /^malformed YAML: /);
});

test('an unknown tag is a problem', () => {
  const { problems } = parseYaml('a: !nope x\n', 'tag.yml');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /Unresolved tag: !nope/);
});

test('aliases: ordinary reuse is fine, more than 100,000 values through aliases is refused at the alias', () => {
  const list = `l: &l [${Array(50).fill('x').join(', ')}]\n`;
  const uses = Array.from({ length: 1000 }, (_, i) => `u${i}: *l`).join('\n');
  const v = value(`${list}${uses}\n`) as Record<string, unknown[]>;
  assert.equal(v.u999!.length, 50);
  const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 6; i++)
    bomb.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const { source, problems } = parseYaml(`${bomb.join('\n')}\n`, 'bomb.yml');
  assert.equal(source, null);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.file, 'bomb.yml');
  assert.ok(problems[0]!.line! >= 5, `at an alias of a deep level, line ${problems[0]!.line}`);
  assert.match(
    problems[0]!.message,
    /^malformed YAML: aliases expand to more than 100,000 values \(`\*a\d` here\); refusing what looks like a YAML alias bomb$/,
  );
});
