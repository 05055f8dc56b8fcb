// The data-only runtime: what templates may still do (variables, keys, items, the listed string and list
// methods, globals, macros, imports) and what is refused with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateVars } from '../../src/resolve/template-vars.js';
import { createEnvironment } from '../../src/template/environment.js';
import { readTemplateFiles } from '../../src/load/template-files.js';

const value = (text: string, vars: Record<string, unknown> = {}) => {
  const result = templateVars({ ...vars, v: text });
  if (result.errors.length > 0) throw result.errors[0]!.error;
  return result.vars.v;
};

test('data, globals and the listed methods keep working', () => {
  const vars = { names: ['a', 'b'], chain: 'inet filter input', certs: [{ name: 'x', domains: ['x', 'y'] }] };
  assert.equal(value('{{ chain.split(" ")[1] }}', vars), 'filter');
  assert.deepEqual(value('{{ names.concat(["c"]) }}', vars), ['a', 'b', 'c']);
  assert.deepEqual(value('{{ certs[0].domains.slice(1) }}', vars), ['y']);
  assert.equal(value('{{ names.length }}{{ chain[0] }}{{ chain.length }}', vars), '2i17');
  assert.deepEqual(value('{{ range(3) | list }}'), [0, 1, 2]);
  assert.equal(value('{% set j = joiner(",") %}{% for n in names %}{{ j() }}{{ n }}{% endfor %}', vars), 'a,b');
  assert.equal(value('{% set c = cycler("p", "q") %}{{ c.next() }}{{ c.next() }}{{ c.next() }}'), 'pqp');
  assert.equal(value('{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}{{ twice("z") }}'), 'zz');
  assert.deepEqual(value("{{ certs | map(attribute='name') | list }}", vars), ['x']);
});

test('what is not data is refused, naming the key', () => {
  const refused: [string, RegExp][] = [
    ['{{ range.constructor }}', /key "constructor" of a function/],
    ['{{ "".constructor }}', /key "constructor" is not data/],
    ['{{ names.map }}', /key "map" is not data/],
    ['{{ names.push("x") }}', /key "push" is not data/],
    ['{{ constructor }}', /"constructor" is undefined/],
    ['{{ names[["length"]] }}', /a key must be a string or a number/],
    ['{{ "a" | replace(r/a/, "b") }}', /regular expression literals are not supported/],
    ['{{ a\\ }}', /"a\\\\" is not a name/],
    ["{{ [{}] | map(attribute='constructor') }}", /has no attribute "constructor"/],
  ];
  for (const [text, message] of refused) assert.throws(() => value(text, { names: ['a'] }), message, text);
});

test('role templates get the same runtime, imports and macros included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-data-only-'));
  writeFileSync(join(dir, 'lib.njk'), '{% macro hello(n) %}hello {{ n }}{% endmacro %}');
  writeFileSync(join(dir, 'ok.njk'), '{% import "lib.njk" as lib %}{{ lib.hello(name) }}');
  writeFileSync(join(dir, 'bad.njk'), '{% import "lib.njk" as lib %}{{ lib.hello.constructor }}');
  const env = createEnvironment(readTemplateFiles(dir));
  assert.equal(env.getTemplate('ok.njk').render({ name: 'web1' }), 'hello web1');
  assert.throws(() => env.getTemplate('bad.njk').render({ name: 'web1' }), /key "constructor" of a function/);
});
