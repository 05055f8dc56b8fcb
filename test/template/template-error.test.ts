import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEnvironment } from '../../src/template/environment.js';
import { readTemplateFiles } from '../../src/load/template-files.js';
import { templateProblem } from '../../src/template/template-error.js';
import { formatProblem, type Problem } from '../../src/model/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'provision-template-error-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// The load stage reads a role's templates once; these tests write theirs as they go, so each
// template is looked up in a fresh read of the folder.
const env = { getTemplate: (name: string) => createEnvironment(readTemplateFiles(dir)).getTemplate(name) };

/** Renders `source` as templates/<name> and returns the Problem its failure becomes (fails if it renders). */
function problemOf(name: string, source: string, context: object): Problem {
  writeFileSync(join(dir, name), source);
  try {
    const output = env.getTemplate(name).render(context);
    assert.fail(`expected ${name} to fail, it rendered ${JSON.stringify(output)}`);
  } catch (error) {
    if (error instanceof assert.AssertionError) throw error;
    return templateProblem(error, name, 'web1');
  }
}

function render(name: string, source: string, context: object): string {
  writeFileSync(join(dir, name), source);
  return env.getTemplate(name).render(context);
}

test('an undefined variable on the first line names the file, line 1, its column and the variable', () => {
  const problem = problemOf('first.njk', '{{ x }}\nsecond line\n', {});
  assert.equal(resolve(problem.file!), join(dir, 'first.njk'));
  assert.equal(problem.line, 1);
  assert.equal(problem.col, 4);
  assert.equal(problem.message, 'template error: variable "x" is undefined');
  assert.deepEqual(problem.hosts, ['web1']);
});

test('the line is 1-based and counts the lines before the variable', () => {
  const problem = problemOf('third.njk', 'one\ntwo\nport = {{ web_port }}\n', { other: 1 });
  assert.equal(problem.line, 3);
  assert.equal(problem.col, 11);
  assert.match(problem.message, /variable "web_port" is undefined/);
});

test('an undefined variable inside {% if %} is reported at its own line', () => {
  const problem = problemOf('if.njk', 'a\nb\n{% if flag %}\n  {{ inner }}\n{% endif %}\n', { flag: true });
  assert.equal(problem.line, 4);
  assert.equal(problem.message, 'template error: variable "inner" is undefined');
});

test('an undefined variable used as the {% if %} condition is an error, not false', () => {
  const problem = problemOf('ifcond.njk', 'x\n{% if undefined_flag %}y{% endif %}\n', {});
  assert.equal(problem.line, 2);
  assert.match(problem.message, /variable "undefined_flag" is undefined/);
});

test('an undefined variable inside {% for %} is reported at its line', () => {
  const problem = problemOf('for.njk', 'head\n{% for i in items %}\n{{ i }} {{ missing }}\n{% endfor %}\n', { items: [1, 2] });
  assert.equal(problem.line, 3);
  assert.equal(problem.message, 'template error: variable "missing" is undefined');
});

test('looping over an undefined list is an error naming it', () => {
  const problem = problemOf('forlist.njk', '{% for d in acme_domainz %}{{ d }}{% endfor %}', {});
  assert.equal(problem.line, 1);
  assert.match(problem.message, /variable "acme_domainz" is undefined/);
});

test('a missing key of a mapping names the key', () => {
  const problem = problemOf('key.njk', 'line1\n{{ acme.nope }}\n', { acme: { domains: ['a.test'] } });
  assert.equal(problem.line, 2);
  assert.equal(problem.message, 'template error: key "nope" is undefined');
});

test('a missing nested key names the innermost key', () => {
  const problem = problemOf('deep.njk', '{{ a.b.c }}', { a: { b: {} } });
  assert.equal(problem.message, 'template error: key "c" is undefined');
});

test('a key that exists with a falsy value is not an error', () => {
  assert.equal(render('falsy.njk', '[{{ m.zero }}|{{ m.empty }}|{{ m.no }}]', { m: { zero: 0, empty: '', no: false } }), '[0||false]');
});

test('a variable defined as null is not an undefined-variable error', () => {
  const out = render('null.njk', '{% if n is none %}none{% endif %}|{{ n | default("d", true) }}|{% if n %}set{% else %}unset{% endif %}', { n: null });
  assert.equal(out, 'none|d|unset');
});

test('the Problem formats as file:line:col: message (host)', () => {
  const problem = problemOf('fmt.njk', 'a\n  {{ zz }}\n', {});
  assert.equal(formatProblem(problem), `${problem.file}:2:6: template error: variable "zz" is undefined (host: web1)`);
});

test('an error that is not from Nunjucks keeps the fallback template and its message', () => {
  const problem = templateProblem(new Error('boom'), 'roles/x/templates/a.njk', 'h2');
  assert.deepEqual(problem, { file: 'roles/x/templates/a.njk', line: undefined, col: undefined, hosts: ['h2'], message: 'template error: boom' });
});

test('a syntax error is reported at its own 1-based line and column', () => {
  const problem = problemOf('syntax.njk', 'a\nb\n{% if %}\n', {});
  assert.equal(problem.line, 3);
  assert.match(problem.message, /template error: /);
});

test('a variable set to null prints as an empty string; an index past the end of a list is an error', () => {
  assert.equal(render('null-prints-empty.njk', 'a\nb\nv={{ n }}\n', { n: null }), 'a\nb\nv=\n');
  const problem = problemOf('index.njk', 'a\n{{ l[5] }}\n', { l: [1] });
  assert.equal(problem.line, 2);
  assert.equal(problem.message, 'template error: index [5] is undefined');
});

test('an error inside an imported macro names the macro file, not the importing one', () => {
  writeFileSync(join(dir, 'macros.njk'), '{% macro m() %}\nx\n{{ undefinedinmacro }}\n{% endmacro %}\n');
  const problem = problemOf('imp.njk', '{% from "macros.njk" import m %}\n\n{{ m() }}\n', {});
  assert.equal(resolve(problem.file!), join(dir, 'macros.njk'));
  assert.equal(problem.line, 3);
  assert.equal(problem.message, 'template error: variable "undefinedinmacro" is undefined');
});

test('an undefined macro argument is named like any undefined variable', () => {
  writeFileSync(join(dir, 'm2.njk'), '{% macro header(x) %}{{ x }}{% endmacro %}');
  const problem = problemOf('callm.njk', '{% from "m2.njk" import header %}\n{{ header(nothere) }}\n', {});
  assert.equal(problem.message, 'template error: variable "nothere" is undefined');
  assert.equal(problem.line, 2);
});
