// provision's own variables (provision_*, schemas/core-vars.schema.json), checked for every host as a
// role's are. Read by the load stage, so that resolving a host reads no file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { schemasDir } from '../model/paths.js';
import { compileSchema } from './schema/ajv.js';

export interface CoreVariables {
  prefix: string;
  variables: Set<string>;
  validate: ValidateFunction;
}

let core: CoreVariables | undefined;

export function loadCoreVariables(): CoreVariables {
  if (!core) {
    const schema = JSON.parse(readFileSync(join(schemasDir, 'core-vars.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    core = { prefix: 'provision_', variables: new Set(Object.keys(schema.properties)), validate: compileSchema(schema) };
  }
  return core;
}
