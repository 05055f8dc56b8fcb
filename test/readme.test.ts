// The README is the user's reference: it must name every role variable with its real default, and
// the test command it gives must be the one .ci/run calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './helpers/cli.js';

const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');

test('every role variable is documented with its default', () => {
  for (const role of readdirSync(join(projectRoot, 'roles'))) {
    const schema = JSON.parse(readFileSync(join(projectRoot, 'roles', role, 'schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    const defaults = (parse(readFileSync(join(projectRoot, 'roles', role, 'defaults.yml'), 'utf8')) ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(schema.properties)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\` |`));
      assert.ok(row, `README has no row for ${role} variable ${name}`);
      const value = defaults[name];
      if (typeof value === 'string' && value.includes('{{')) {
        // A default computed from other variables is described in words, not shown as an expression.
        assert.doesNotMatch(row, /^\| `[^`]+` \| (required|) \|/, `README must describe the computed default of ${name}: ${row}`);
        continue;
      }
      const shown = name in defaults ? `\`${JSON.stringify(value)}\`` : 'required';
      assert.ok(row.includes(`| ${shown} |`), `README default of ${name} should be ${shown}: ${row}`);
    }
  }
});

test('the README test command is what .ci/run runs', () => {
  assert.match(readme, /```sh\nsudo bash \.ci\/run\n```/);
  assert.match(readFileSync(join(projectRoot, '.ci/run'), 'utf8'), /\nnpm test\n/);
  assert.match(readme, /npm test/);
});
