import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nunjucks, UndefinedVariableError } from '../../src/template/strict-nunjucks.js';

// The patches are global: any Nunjucks environment is strict once the module is loaded.
const env = new nunjucks.Environment([], { autoescape: false, dev: true });

function failure(source: string, context: object): { cause: unknown; lineno?: number } {
  try {
    env.renderString(source, context);
  } catch (error) {
    return error as { cause: unknown; lineno?: number };
  }
  assert.fail(`${source} rendered without an error`);
}

test('reading an undefined variable throws UndefinedVariableError naming it', () => {
  const error = failure('hello {{ who }}', {});
  assert.ok(error.cause instanceof UndefinedVariableError);
  assert.equal(error.cause.variable, 'who');
  assert.equal(error.cause.message, '"who" is undefined');
});

test('reading a missing key throws with the key marked by a leading dot', () => {
  const error = failure('{{ acme.nope }}', { acme: { domains: [] } });
  assert.ok(error.cause instanceof UndefinedVariableError);
  assert.equal(error.cause.variable, '.nope');
});

test('the line of the variable read is recorded on the error (0-based, as Nunjucks counts)', () => {
  const error = failure('a\nb\n{{ late }}', {});
  assert.equal(error.lineno, 2);
});

test('defined values render normally, including falsy ones and list indexing', () => {
  assert.equal(env.renderString('{{ a }}-{{ b }}-{{ c }}-{{ l[1] }}-{{ m.k }}', { a: 0, b: '', c: false, l: ['x', 'y'], m: { k: 'v' } }), '0--false-y-v');
});

test('a null variable and a null key can be tested without error', () => {
  assert.equal(env.renderString('{{ n is none }} {{ m.k is none }}', { n: null, m: { k: null } }), 'true true');
});

test('a variable set in the template ({% set %}) and a loop variable are found', () => {
  assert.equal(env.renderString('{% set x = 3 %}{% for i in [1, 2] %}{{ x * i }}{% endfor %}', {}), '36');
});

test('is defined, is undefined and default() may ask about a variable or key that does not exist', () => {
  const source =
    "{{ x is defined }} {{ x is undefined }} {{ o.k is defined }} {{ o.missing is defined }} {{ y | default('dflt') }} {{ o.missing | d(1) }} {{ o.k | default(2) }}";
  assert.equal(env.renderString(source, { o: { k: 'v' } }), 'false true true false dflt 1 v');
  assert.equal(env.renderString('{{ x is defined }}', { x: 0 }), 'true');
  // Anything else still fails, also inside a default's fallback.
  assert.ok(failure('{{ y | default(z) }}', {}).cause instanceof UndefinedVariableError);
  assert.ok(failure('{{ y | upper }}', {}).cause instanceof UndefinedVariableError);
});
