// Our literal_eval against Python's own ast.literal_eval (python3 is there wherever ansible-core is),
// on the values INI inventories hold: what becomes a number, a boolean, a list, or stays the text.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { literalEval } from '../../../../src/load/inventory/ini/literal-eval.js';
import { shlexSplit } from '../../../../src/model/shlex.js';

const LITERALS = [
  '1',
  '01',
  '00',
  '0',
  '-5',
  '+3',
  '- 7',
  '--1',
  '1_000',
  '1__0',
  '0x1F',
  '0X_ff',
  '0o17',
  '0b101',
  '0b2',
  '017',
  '1e3',
  '1E-2',
  '1.',
  '.5',
  '1.5e+3',
  '1_0.2_5',
  '1.5.3',
  'inf',
  'nan',
  '1j',
  '10abc',
  'True',
  'False',
  'None',
  'true',
  'yes',
  'null',
  '-True',
  '"1"',
  "'x'",
  "'a' 'b'",
  '"tab\\there"',
  "'\\x41\\u00e9\\101'",
  "r'\\n'",
  "b'bytes'",
  "u'text'",
  "'unclosed",
  '"""triple"""',
  "'\\q'",
  '[1, 2]',
  '[1, [2, [3]]]',
  '[]',
  '[1,]',
  '(1, 2)',
  '()',
  '(1)',
  '1, 2',
  "{'a': 1}",
  '{}',
  "{1: 'one', True: 2}",
  '{1, 2}',
  "{'a': [True, None]}",
  'hello',
  'hello world',
  'a b c',
  '1 # comment',
  'hello # comment',
  '',
  '   42',
  'x=1',
  '[1, 2',
  '{"a": }',
  '...',
  'f"x"',
  'set()',
  'pool.ntp.org',
  '192.0.2.1',
  '/etc/ssl/cert.pem',
  '{{ var }}',
  "'03#pa33w0rd'",
];

const PYTHON = String.raw`
import ast, json, sys
out = []
for text in json.load(sys.stdin):
    try:
        v = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        out.append({"ok": False}); continue
    def conv(v):
        if isinstance(v, bytes): return v.decode()
        if isinstance(v, (list, tuple)): return [conv(x) for x in v]
        if isinstance(v, dict): return {json.dumps(k) if not isinstance(k, str) else k: conv(x) for k, x in v.items()}
        if isinstance(v, (set, frozenset, complex)) or v is ...: raise TypeError
        return v
    try:
        out.append({"ok": True, "value": conv(v)})
    except TypeError:
        out.append({"ok": False})
print(json.dumps(out))
`;

test('literal_eval agrees with Python on every sample', () => {
  const python = JSON.parse(execFileSync('python3', ['-c', PYTHON], { input: JSON.stringify(LITERALS), encoding: 'utf8' })) as {
    ok: boolean;
    value?: unknown;
  }[];
  LITERALS.forEach((text, i) => {
    const ours = literalEval(text);
    // Python prints non-string dict keys with json.dumps; our keys are strings the same way
    assert.deepEqual(ours, python[i], `literal_eval(${JSON.stringify(text)})`);
  });
});

const SPLITS = ['web1 a=1 b="two words"', "h k='x y'z", 'h a=b#comment', 'h a="b#not" # c', 'h a=x\\ y', 'h "a=\\"q\\"" c=\'\\n\'', "h ''", 'h a="unclosed'];

test('shlex split agrees with Python on host lines', () => {
  const python = JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        'import json,shlex,sys\nout=[]\nfor s in json.load(sys.stdin):\n  try: out.append(shlex.split(s, comments=True))\n  except ValueError as e: out.append(None)\nprint(json.dumps(out))',
      ],
      { input: JSON.stringify(SPLITS), encoding: 'utf8' },
    ),
  ) as (string[] | null)[];
  SPLITS.forEach((line, i) => {
    let ours: string[] | null;
    try {
      ours = shlexSplit(line, { comments: true });
    } catch {
      ours = null;
    }
    assert.deepEqual(ours, python[i], `shlex.split(${JSON.stringify(line)})`);
  });
});
