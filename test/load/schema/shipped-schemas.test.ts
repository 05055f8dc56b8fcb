// provision compiles its own schemas without checking them against JSON Schema's meta-schema (it is
// the dearest compile of a run): this test is that check, for every schema it ships.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ajv, compileSchema } from '../../../src/load/schema/ajv.js';
import { builtinRolesDir, schemasDir } from '../../../src/model/paths.js';

const shipped = [
  ...readdirSync(schemasDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(schemasDir, f)),
  ...readdirSync(builtinRolesDir).map((role) => join(builtinRolesDir, role, 'schema.json')),
];

test('provision ships schemas: schemas/ and every built-in role', () => {
  assert.ok(shipped.some((f) => f.endsWith('core-vars.schema.json')));
  assert.ok(shipped.some((f) => f.endsWith(join('apache', 'schema.json'))));
});

for (const file of shipped) {
  test(`${file} is valid against the JSON Schema meta-schema`, () => {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as object;
    assert.equal(ajv().validateSchema(schema), true, ajv().errorsText());
  });
}

test("a user's schema is checked against the meta-schema, with ajv's message", () => {
  assert.throws(
    () => compileSchema({ type: 'object', properties: { x: { type: 'strin' } } }, { fromUser: true }),
    /^Error: schema is invalid: data\/properties\/x\/type must be equal to one of the allowed values/,
  );
});
