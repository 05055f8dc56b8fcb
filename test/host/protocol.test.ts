// The answer lines of src/host/protocol/answers.ts are the ones the host scripts print, and script ids
// round-trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyAnswer, probeAnswer, processGroupMarker, resourceAnswer, statusAnswer, statusItemAnswer } from '../../src/host/protocol/answers.js';
import { resourceIndex, scriptId } from '../../src/host/protocol/script-ids.js';
import { wrapScript } from '../../src/host/script.js';
import { packageRoot } from '../../src/model/paths.js';

/** `@KIND` and `@%s STATE` words on the lines of a shell text that are not comments. */
function answersIn(text: string): { kinds: Set<string>; states: Set<string> } {
  const kinds = new Set<string>();
  const states = new Set<string>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/@(%s )?([a-z_]+)/g)) (m[1] ? states : kinds).add(m[2]!);
  }
  return { kinds, states };
}

const shellFile = (name: string) => readFileSync(join(packageRoot, 'shell', name), 'utf8');

test('every @ line shell/probe.sh prints is a probe answer, and every probe answer is printed', () => {
  const { kinds, states } = answersIn(`${shellFile('probe.sh')}\n${shellFile('foreign-links.sh')}`);
  // @done ends the probe script's body (src/probe/probe-script.ts), not a library function
  assert.deepEqual([...new Set([...kinds, probeAnswer.done])].sort(), Object.values(probeAnswer).sort());
  assert.deepEqual([...states].sort(), Object.values(resourceAnswer).sort());
});

test('every @ line shell/apply.sh prints is an apply answer, and every apply answer is printed', () => {
  const { kinds, states } = answersIn(shellFile('apply.sh'));
  assert.deepEqual([...kinds].sort(), Object.values(applyAnswer).sort());
  assert.deepEqual([...states], []);
});

test('every @ line shell/status.sh prints is a status answer, and every status answer is printed', () => {
  const { kinds, states } = answersIn(`${shellFile('status.sh')}\n${shellFile('foreign-links.sh')}`);
  // @done ends the status script's body (src/status/status-script.ts); `x509` and `served` lines are
  // printed through status_lines, whose kind is its second argument.
  assert.deepEqual([...new Set([...kinds, statusAnswer.done])].sort(), Object.values(statusAnswer).sort());
  assert.deepEqual([...new Set([...states, statusItemAnswer.x509, statusItemAnswer.served])].sort(), Object.values(statusItemAnswer).sort());
  const text = shellFile('status.sh');
  for (const kind of [statusItemAnswer.x509, statusItemAnswer.served]) assert.match(text, new RegExp(`status_lines "\\$1" ${kind} `));
});

test('the wrapper announces its process group with the marker the connection reads', () => {
  const script = wrapScript(undefined, '', ':');
  assert.match(script, new RegExp(`printf '${processGroupMarker} %s\\\\n' "\\$3" >&2`));
});

test('a script id names a resource index and nothing else', () => {
  assert.equal(scriptId(12), 'r12');
  assert.equal(resourceIndex(scriptId(12)), 12);
  for (const word of ['r', 'r1x', 'x1', 'R1', 'r-1', 'handlers', 'r 1']) assert.equal(resourceIndex(word), undefined, word);
});
