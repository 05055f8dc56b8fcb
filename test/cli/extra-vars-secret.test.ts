// A problem found in a `-e` argument is located by the argument's position and key, never by its text:
// the text may carry a secret (`-e 'my_token=... other=bad'`), and problem locations reach CI logs
// (text, JSON, GitHub annotations, JUnit) and the apply/plan error output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { provision, tempInventory } from '../helpers/cli.js';

const token = 'tok3n-Zq81xWv';
// The second -e argument carries the token and a typo'd variable, which is the reported problem.
const extraVars = ['-e', 'acme_organization=Example', '-e', `my_token=${token} acme_domainz=bad`];

test('validate names the -e argument by position and key in every format, never its text', () => {
  const copy = tempInventory();
  for (const format of ['text', 'json', 'github', 'junit']) {
    const result = provision(['validate', copy.inventory, '--limit', 'web1.example.test', '--format', format, ...extraVars]);
    assert.equal(result.code, 1, `${format}: ${result.stdout}${result.stderr}`);
    const output = result.stdout + result.stderr;
    assert.match(output, /-e #2 \(acme_domainz\)/, `${format}: ${output}`);
    assert.ok(!output.includes(token), `${format} shows the token: ${output}`);
  }
});

test('apply and plan name the -e argument by position and key, write nothing, never show its text', () => {
  const copy = tempInventory();
  for (const command of ['apply', 'plan']) {
    for (const json of [[], ['--json']]) {
      const result = provision([command, copy.inventory, '--root', copy.root, ...json, ...extraVars]);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const output = result.stdout + result.stderr;
      assert.match(output, /-e #2 \(acme_domainz\)(:1:1)?: acme_domainz: unknown variable/);
      assert.ok(!output.includes(token), `${command} ${json.join(' ')} shows the token: ${output}`);
    }
  }
  assert.equal(existsSync(copy.root), false);
});

test('a malformed -e argument is named by position without quoting it', () => {
  const copy = tempInventory();
  const result = provision(['plan', copy.inventory, '--root', copy.root, '-e', `my_token=${token} stray-${token}`, '-e', `{"a": "${token}"`]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stderr, /-e #1: invalid extra vars: a word is not key=value/);
  assert.match(result.stderr, /-e #2:1:\d+: malformed YAML/);
  assert.ok(!result.stderr.includes(token), result.stderr);
});
