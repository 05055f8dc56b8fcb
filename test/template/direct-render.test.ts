// Fields and variables that only read are evaluated from the parse tree (direct-render.ts) instead of
// being rendered per host; the output must be nunjucks' own, byte for byte, and whatever nunjucks
// refuses must still be refused with nunjucks' located error.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvironment } from '../../src/template/environment.js';
import { readTemplateFiles } from '../../src/load/template-files.js';
import { directRenderer } from '../../src/template/direct-render.js';
import { ExpressionEvaluator } from '../../src/template/expressions.js';
import { layered } from '../../src/template/data-only-runtime.js';
import { nunjucks } from '../../src/template/strict-nunjucks.js';
import { templateVars } from '../../src/resolve/template-vars.js';

const dir = mkdtempSync(join(tmpdir(), 'provision-direct-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = createEnvironment(readTemplateFiles(dir));

const vars = {
  name: 'web1.example.test',
  port: 8080,
  zero: 0,
  negative: -0,
  on: true,
  nothing: null,
  empty: '',
  domains: ['a.test', 'b.test'],
  certs: [
    { name: 'a', domains: ['a.test'] },
    { name: 'b', domains: ['b.test'], key_type: 'ecdsa' },
  ],
  nested: { list: [1, 'two', { three: 3 }], 'with space': 'x' },
  schedule: 'daily',
  roles: ['letsencrypt', 'apache'],
  unicode: 'é \u2028 \ud800',
};

/** Sources the direct evaluation takes, with what they must give (nunjucks' own output). */
const direct = [
  '{{ name }}',
  '  {{ name }}\n',
  'port {{ port }} of {{ name }}',
  '/etc/{{ nested.list[1] }}/{{ certs[1].name }}/{{ domains[0] }}',
  '{{ zero }}{{ negative }}{{ on }}{{ nothing }}{{ empty }}|',
  '{{ domains }} {{ certs }} {{ nested }}',
  '{{ (domains) | dump }}',
  '{{ (certs) | dump }}',
  '{{ (negative) | dump }}',
  '{{ (unicode) | dump }}',
  '{{ ("7") | dump }}',
  '{{ (7.5) | dump }}',
  '{{ (true) | dump }}{{ (none) | dump }}',
  "{{ (certs | map(attribute='name') | list) | dump }}",
  "{{ (certs | with_defaults({'key_type': 'rsa2048', name: 'x'})) | dump }}",
  "{{ ('apache' in roles) | dump }}{{ ('nginx' in roles) | dump }}",
  "{{ (certs[0].name in (certs | map(attribute='name') | list)) | dump }}",
  "{{ (schedule == 'daily') | dump }}{{ (schedule != 'daily') | dump }}{{ (port >= 80) | dump }}{{ (port < zero) | dump }}",
  "{{ (zero == '') | dump }}{{ (zero === '') | dump }}{{ (nothing == empty) | dump }}",
  "{{ ([{'name': domains[0], 'domains': domains}] if domains is defined else []) | dump }}",
  "{{ ([{'name': missing[0]}] if missing is defined else []) | dump }}",
  '{{ (missing is undefined) | dump }}{{ (nested.nope is defined) | dump }}',
  "{{ 'yes' if on }}|{{ 'yes' if zero }}|",
  '{{ name | shquote }} {{ domains | shquote_list }} {{ name | stable_number(1440) }}',
  '{{ domains | join(",") }} {{ name | upper }} {{ (name | length) | dump }}',
  "{{ ([1, 'a', [port]]) | dump }}",
  '{{ ((port == 8080) == true) | dump }}',
  '{# a comment #}{{ name }}',
  'a  {{- name -}}  b',
];

/** Sources left to nunjucks: tags, operators, calls, default(). */
const rendered = [
  '{% if on %}yes{% endif %}',
  '{{ port + 1 }}',
  '{{ not on }}',
  '{{ on and port }}',
  '{{ missing | default("x") }}',
  '{{ name.split(".")[0] }}',
  '{{ range(3) | list }}',
  "{{ {'__proto__': nested} }}",
  '{{ zero < port < 9000 }}',
  '{{ name is version("1", ">=") }}',
];

test('what the direct evaluation takes renders exactly as nunjucks renders it', () => {
  for (const source of direct) {
    const evaluate = directRenderer(source, env);
    assert.ok(evaluate, `taken directly: ${source}`);
    const expected = new nunjucks.Template(source, env, 'test', true).render(vars);
    assert.equal(evaluate(vars), expected, source);
    // and the same on variables layered over others (a loop's item)
    const withItem = layered(vars, { item: 'x' });
    assert.equal(evaluate(withItem), new nunjucks.Template(source, env, 'test', true).render(withItem), source);
  }
});

test('tags, operators, calls and default() are left to nunjucks', () => {
  for (const source of rendered) assert.equal(directRenderer(source, env), undefined, source);
});

test('what nunjucks refuses is refused, with nunjucks error, through the evaluator and variables', () => {
  const evaluator = new ExpressionEvaluator(env, 'roles/x/role.yml');
  const cases: [string, RegExp][] = [
    ['{{ missing }}', /"missing" is undefined/],
    ['{{ nested.nope }}', /"\.nope" is undefined/],
    ['{{ domains[5] }}', /"\[5\]" is undefined/],
    ['{{ "".constructor }}', /key "constructor" is not data/],
    ['{{ range.constructor }}', /key "constructor" of a function/],
    ['{{ constructor }}', /"constructor" is undefined/],
    ['{{ __proto__ }}', /"__proto__" is undefined/],
    ['{{ name | no_such_filter }}', /filter not found: no_such_filter/],
    ['x {{ missing }} y', /"missing" is undefined/],
  ];
  for (const [source, message] of cases) {
    // nunjucks' error, which records where in the source
    assert.throws(
      () => evaluator.field(source, vars),
      (error: Error & { lineno?: number }) => message.test(error.message) && typeof error.lineno === 'number',
      source,
    );
    const result = templateVars({ ...vars, v: source });
    assert.equal(result.errors.length, 1, source);
    assert.match(result.errors[0]!.error.message, message, source);
  }
});

test('a template sees its variables as they were when it was included or imported with context', () => {
  writeFileSync(join(dir, 'lib.njk'), '{% macro show() %}{{ x }}{% endmacro %}');
  writeFileSync(join(dir, 'inc.njk'), 'inc:{{ x }}');
  writeFileSync(
    join(dir, 'main.njk'),
    '{% set x = "a" %}{% import "lib.njk" as lib with context %}{% include "inc.njk" %}{% set x = "b" %}|{{ lib.show() }}|{% include "inc.njk" %}|{{ x }}|{{ item.name }}',
  );
  const host = { x: 'v', item: { name: 'host' } };
  // The load stage reads a role's templates once: read the folder again now that it has these.
  const withFiles = createEnvironment(readTemplateFiles(dir));
  assert.equal(withFiles.getTemplate('main.njk').render(host), 'inc:a|a|inc:b|b|host');
  assert.equal(withFiles.getTemplate('main.njk').render(layered(host, { item: { name: 'loop' } })), 'inc:a|a|inc:b|b|loop');
  // what a template sets stays in its render
  assert.deepEqual(host, { x: 'v', item: { name: 'host' } });
});
