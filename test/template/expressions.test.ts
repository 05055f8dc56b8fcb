import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvironment } from '../../src/template/environment.js';
import { readTemplateFiles } from '../../src/load/template-files.js';
import { ExpressionEvaluator } from '../../src/template/expressions.js';
import { nunjucks, UndefinedVariableError } from '../../src/template/strict-nunjucks.js';

const dir = mkdtempSync(join(tmpdir(), 'provision-expr-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = createEnvironment(readTemplateFiles(dir));
const evaluator = new ExpressionEvaluator(env, 'roles/x/role.yml');
const context = {
  domains: ['a.test', 'b.test'],
  port: 8080,
  on: true,
  off: false,
  name: 'web',
  map: { k: 1 },
  empty: [],
  emptyMap: {},
  zero: 0,
  nothing: null,
};

test('a single {{ expr }} keeps a list a list', () => {
  assert.deepEqual(evaluator.field('{{ domains }}', context), ['a.test', 'b.test']);
});

test('a single {{ expr }} keeps numbers and booleans native', () => {
  assert.equal(evaluator.field('{{ port }}', context), 8080);
  assert.equal(evaluator.field('{{ port + 1 }}', context), 8081);
  assert.equal(evaluator.field('{{ on }}', context), true);
  assert.equal(evaluator.field('{{ off }}', context), false);
  assert.deepEqual(evaluator.field('{{ map }}', context), { k: 1 });
});

test('surrounding whitespace does not stop a single expression from being native', () => {
  assert.equal(evaluator.field('  {{ port }}\n', context), 8080);
});

test('a string expression stays a string, even one that looks like a number', () => {
  assert.equal(evaluator.field('{{ name }}', context), 'web');
  assert.equal(evaluator.field('{{ "7" }}', context), '7');
});

test('mixed text gives a string', () => {
  assert.equal(evaluator.field('port {{ port }}', context), 'port 8080');
  assert.equal(evaluator.field('{{ domains[0] }}-{{ domains[1] }}', context), 'a.test-b.test');
  assert.equal(evaluator.field('{% if on %}yes{% endif %}', context), 'yes');
});

test('literal text and non-string values come back unchanged', () => {
  assert.equal(evaluator.field('/etc/plain.conf', context), '/etc/plain.conf');
  assert.equal(evaluator.field('a { b } c', context), 'a { b } c');
  assert.equal(evaluator.field(42, context), 42);
  assert.equal(evaluator.field(true, context), true);
  const list = ['{{ port }}'];
  assert.equal(evaluator.field(list, context), list);
});

test('value() accepts an expression with or without braces', () => {
  assert.deepEqual(evaluator.value('domains', context), ['a.test', 'b.test']);
  assert.deepEqual(evaluator.value('{{ domains | length }}', context), 2);
});

test('an undefined variable in a field throws the strict error', () => {
  assert.throws(
    () => evaluator.field('{{ nope }}', context),
    (error: { cause?: unknown }) => error.cause instanceof UndefinedVariableError && error.cause.variable === 'nope',
  );
});

test('truthy follows Jinja: empty lists and mappings, 0, "" and null are false', () => {
  for (const expression of ['empty', 'emptyMap', 'zero', '""', 'nothing', 'off', '{{ empty }}']) {
    assert.equal(evaluator.truthy(expression, context), false, expression);
  }
  for (const expression of ['domains', 'map', 'port', 'name', '"0"', 'on', 'port > 80', "'a.test' in domains"]) {
    assert.equal(evaluator.truthy(expression, context), true, expression);
  }
});

test('each distinct source is compiled once per evaluator, however often it is evaluated', (t) => {
  const compiler = (nunjucks as unknown as { compiler: { compile: (...args: unknown[]) => string } }).compiler;
  const compile = t.mock.method(compiler, 'compile');
  const fresh = new ExpressionEvaluator(env, 'roles/x/role.yml');
  for (let i = 0; i < 5; i++) {
    fresh.field('{{ domains }}', { ...context, domains: [`d${i}.test`] });
    fresh.field('port {{ port }}', context);
    fresh.truthy('on', context);
  }
  assert.equal(compile.mock.callCount(), 3);
  // and each evaluation really used the context it was given
  assert.deepEqual(fresh.field('{{ domains }}', { ...context, domains: ['z.test'] }), ['z.test']);
  assert.equal(compile.mock.callCount(), 3);
  new ExpressionEvaluator(env, 'other').field('{{ domains }}', context);
  assert.equal(compile.mock.callCount(), 4);
});
