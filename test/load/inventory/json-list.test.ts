// The --list JSON format read as an inventory: names that are also JavaScript object members are data.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListFormat } from '../../../src/load/inventory/json-list.js';
import { newModel } from '../../../src/load/inventory/model.js';

test('a host named like an Object member gets its own variables, not the prototype', () => {
  const model = newModel();
  const data = JSON.parse('{"_meta": {"hostvars": {"toString": {"a": 1}}}, "web": {"hosts": ["constructor", "toString", "__proto__"]}}') as unknown;
  const problems = parseListFormat(data, { file: 'fleet.json', where: () => ({ file: 'fleet.json', line: 1, col: 1 }) }, model);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    [...model.hosts.values()].map((h) => [h.name, Object.fromEntries([...h.vars].map(([k, v]) => [k, v.value]))]),
    [
      ['constructor', {}],
      ['toString', { a: 1 }],
      ['__proto__', {}],
    ],
  );
});
