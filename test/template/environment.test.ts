import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvironment } from '../../src/template/environment.js';
import { readTemplateFiles } from '../../src/load/template-files.js';
import { sharedTemplatesDir } from '../../src/model/paths.js';
import { shquote } from '../../src/template/filters.js';

const dir = mkdtempSync(join(tmpdir(), 'provision-env-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const templates = join(dir, 'templates');
mkdirSync(join(templates, 'shared'), { recursive: true });
// A decoy: `shared/...` must come from the top-level templates/, never from the role's own folder.
writeFileSync(join(templates, 'shared', 'header.njk'), '{% macro header(role, prefix="#") %}DECOY{% endmacro %}');
writeFileSync(join(templates, 'own.njk'), 'own {{ value }}');
// The load stage reads a role's templates once; these tests write theirs as they go, so each
// template is looked up in a fresh read of the folder.
const env = { getTemplate: (name: string) => createEnvironment(readTemplateFiles(templates)).getTemplate(name) };

function render(name: string, source: string, context: object = {}): string {
  writeFileSync(join(templates, name), source);
  return env.getTemplate(name).render(context);
}

test('a role template is found by its file name in the role templates dir', () => {
  assert.equal(env.getTemplate('own.njk').render({ value: 42 }), 'own 42');
});

test('shared partials load as shared/<file> from the top-level templates/ dir', () => {
  assert.ok(readFileSync(join(sharedTemplatesDir, 'header.njk'), 'utf8').includes('macro header'));
  const out = render('uses-header.njk', '{% from "shared/header.njk" import header %}{{ header("letsencrypt") }}\n');
  assert.match(out, /^# Managed by provision \(role letsencrypt\)\./);
  assert.doesNotMatch(out, /DECOY/);
});

test('a shared macro takes its arguments (another comment prefix)', () => {
  const out = render('semicolon.njk', '{% from "shared/header.njk" import header %}{{ header("apache", prefix=";") }}');
  assert.match(out, /^; Managed by provision \(role apache\)/);
});

test('a role template is not reachable as shared/<file>, and shared/.. cannot leave the shared dir', () => {
  assert.throws(() => render('bad-shared.njk', '{% include "shared/own.njk" %}'), /template not found: shared\/own\.njk/);
  assert.throws(() => render('escape.njk', '{% include "shared/../templates/own.njk" %}'), /template not found/);
  assert.throws(() => env.getTemplate('../templates/own.njk'), /template not found/);
});

test('block tags leave no blank lines or indentation behind (trimBlocks, lstripBlocks)', () => {
  const out = render('blocks.njk', 'a\n  {% if on %}\nb\n  {% endif %}\n{% for x in [1, 2] %}\n- {{ x }}\n{% endfor %}\nc\n', { on: true });
  assert.equal(out, 'a\nb\n- 1\n- 2\nc\n');
});

test('output is not HTML-escaped', () => {
  assert.equal(render('raw.njk', '{{ v }}', { v: '<a href="x">&</a>' }), '<a href="x">&</a>');
});

test('the project filters are available (shquote)', () => {
  const out = render('filter.njk', '{{ v | shquote }}', { v: "it's" });
  assert.equal(out, shquote("it's"));
  assert.notEqual(out, "it's");
});

test('undefined variables are errors in this environment too', () => {
  assert.throws(() => render('undef.njk', '{{ nope }}', {}), /"nope" is undefined/);
});
