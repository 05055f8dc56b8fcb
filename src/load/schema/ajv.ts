import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { stringFormats } from './string-formats.js';

// ajv ships CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = AjvModule as unknown as typeof AjvModule.default;

let shared: InstanceType<typeof Ajv> | undefined;

/** One ajv instance for the run: schemas are compiled once, not per host. */
export function ajv(): InstanceType<typeof Ajv> {
  if (shared) return shared;
  // code.optimize off: ajv's second pass over the generated code costs more start-up time (about a
  // third of compiling) than it saves in validating a few hosts; what is checked and reported is the same.
  // validateSchema off: checking a schema against JSON Schema's meta-schema first compiles the
  // meta-schema, the dearest compile of a run. The schemas provision ships are checked once, by
  // test/load/schema/shipped-schemas.test.ts; a user's (a role beside the inventory) still on every run.
  shared = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, code: { optimize: false }, validateSchema: false });
  for (const [name, format] of Object.entries(stringFormats)) shared.addFormat(name, { type: 'string', validate: format.test });
  // Annotations that role schemas carry for provision itself.
  shared.addKeyword({ keyword: 'secret', schemaType: 'boolean' });
  shared.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  // "x-unique-by": "name" on a list of mappings: no two elements have the same `name` (JSON Schema's
  // uniqueItems compares whole elements). The error names the later element and the earlier one.
  shared.addKeyword({
    keyword: 'x-unique-by',
    type: 'array',
    schemaType: 'string',
    errors: true,
    validate: function uniqueBy(key: string, data: unknown[]): boolean {
      const first = new Map<string, number>();
      for (const [index, element] of data.entries()) {
        if (!element || typeof element !== 'object' || !(key in element)) continue;
        const value = JSON.stringify((element as Record<string, unknown>)[key]);
        const earlier = first.get(value);
        if (earlier !== undefined) {
          (uniqueBy as unknown as { errors: object[] }).errors = [{ keyword: 'x-unique-by', params: { key, index, earlier }, message: 'duplicate' }];
          return false;
        }
        first.set(value, index);
      }
      return true;
    },
  });
  return shared;
}

export interface CompileOptions {
  /** not one of provision's own schemas: check it against the meta-schema before compiling */
  fromUser?: boolean;
}

export function compileSchema(schema: object, options: CompileOptions = {}): ValidateFunction {
  // Throws `schema is invalid: ...`, the error ajv's own check (validateSchema: true) throws.
  if (options.fromUser) ajv().validateSchema(schema, true);
  return ajv().compile(schema);
}
