import AjvModule from 'ajv';
import type { ValidateFunction } from 'ajv';
import { formats } from './formats.js';

// ajv ships CommonJS with a default export; under NodeNext the class sits on `.default`.
const Ajv = AjvModule as unknown as typeof AjvModule.default;

let shared: InstanceType<typeof Ajv> | undefined;

/** One ajv instance for the run: schemas are compiled once, not per host. */
export function ajv(): InstanceType<typeof Ajv> {
  if (shared) return shared;
  shared = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  for (const [name, format] of Object.entries(formats)) shared.addFormat(name, { type: 'string', validate: format.test });
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

export function compileSchema(schema: object): ValidateFunction {
  return ajv().compile(schema);
}
