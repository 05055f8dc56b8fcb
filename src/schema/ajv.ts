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
  return shared;
}

export function compileSchema(schema: object): ValidateFunction {
  return ajv().compile(schema);
}
