import type { ErrorObject } from 'ajv';
import { stringFormats } from './string-formats.js';

/** A schema violation in words a user understands, with the path of the value it is about. */
export interface SchemaViolation {
  /** path from the validated root to the offending value, e.g. ['acme_domains', 1] */
  path: (string | number)[];
  message: string;
}

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

const typeNames: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false)',
  null: 'null',
};

function typeList(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => typeNames[String(t)] ?? String(t)).join(' or ');
}

export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function describeError(error: ErrorObject): SchemaViolation {
  const path = pointerToPath(error.instancePath);
  const value = error.data;
  const expected = (error.parentSchema as Record<string, unknown> | undefined)?.['x-expected'];
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'format': {
      const format = stringFormats[String(params.format)];
      return { path, message: `${show(value)} is not ${format?.expected ?? `a valid ${String(params.format)}`}` };
    }
    case 'type':
      return { path, message: `expected ${typeList(params.type)}, got ${show(value)}` };
    case 'enum':
      return { path, message: `${show(value)} is not one of ${(params.allowedValues as unknown[]).map((v) => String(v)).join(', ')}` };
    case 'const':
      return { path, message: `expected ${show(params.allowedValue)}, got ${show(value)}` };
    case 'pattern':
      return { path, message: `${show(value)} is not ${typeof expected === 'string' ? expected : `matching ${String(params.pattern)}`}` };
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required but not set' };
    case 'additionalProperties':
      return { path: [...path, String(params.additionalProperty)], message: 'is not a known key here' };
    case 'minItems':
      return { path, message: `expected ${typeof expected === 'string' ? expected : `at least ${String(params.limit)} item(s)`}, got ${show(value)}` };
    case 'x-unique-by': {
      const key = String(params.key);
      const duplicate = (value as Record<string, unknown>[])[params.index as number]?.[key];
      return {
        path: [...path, params.index as number, key],
        message: `${show(duplicate)} is already the ${key} of ${formatPath([...path, params.earlier as number])}`,
      };
    }
    case 'uniqueItems':
      return { path, message: `has duplicate items: ${show(value)}` };
    case 'minimum':
    case 'maximum':
      return { path, message: `${show(value)} must be ${error.keyword === 'minimum' ? '>=' : '<='} ${String(params.limit)}` };
    default:
      return { path, message: `${show(value)}: ${error.message ?? 'is invalid'}` };
  }
}

/** `['acme_domains', 1, 'name']` -> `acme_domains[1].name` */
export function formatPath(path: (string | number)[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}
