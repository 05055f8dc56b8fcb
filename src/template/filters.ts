import { createHash } from 'node:crypto';
import { shquote } from '../model/shell-quote.js';

// Nunjucks filters available in every template. Anything that lands in a shell script goes through
// `shquote`, which makes a value one literal POSIX shell word whatever it contains.

export { shquote };

/** Quote every element of a list and join them with spaces, for `for x in {{ list | shquote_list }}`. */
export function shquoteList(values: unknown): string {
  if (!Array.isArray(values)) throw new Error('shquote_list: value is not a list');
  return values.map(shquote).join(' ');
}

/** `example.com` -> `example_com`, the seed's name for per-domain files. */
export function underscoreDots(value: unknown): string {
  return String(value).replace(/\./g, '_');
}

export function basename(value: unknown): string {
  const text = String(value);
  return text.slice(text.lastIndexOf('/') + 1);
}

export function dirname(value: unknown): string {
  const text = String(value);
  const slash = text.lastIndexOf('/');
  return slash <= 0 ? '/' : text.slice(0, slash);
}

/**
 * Ansible's `map`: `certificates | map(attribute='name') | list` takes one attribute of every element;
 * `names | map('upper')` applies a filter of this set to every element.
 */
export function map(values: unknown, ...args: unknown[]): unknown[] {
  if (!Array.isArray(values)) throw new Error('map: value is not a list');
  const keywords = args.at(-1) as { __keywords?: boolean; attribute?: unknown } | undefined;
  if (keywords?.__keywords && keywords.attribute !== undefined) {
    const attribute = String(keywords.attribute);
    return values.map((value) => {
      // Own data only, as every other read in a template (data-only-runtime.ts): no `constructor`.
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, attribute)) throw new Error(`map: an element has no attribute "${attribute}"`);
      const picked = (value as Record<string, unknown>)[attribute];
      if (typeof picked === 'function') throw new Error(`map: attribute "${attribute}" is a function, not data`);
      return picked;
    });
  }
  const filter = filters[String(args[0])];
  if (!filter) throw new Error(`map: give attribute='NAME' or one of the filters ${Object.keys(filters).join(', ')}`);
  return values.map((value) => filter(value));
}

/**
 * `list | with_defaults(dict)`: each element of a list of mappings merged over `dict`, so a per-item
 * setting falls back to a role-wide default (`acme_certificates | with_defaults({'key_type': acme_key_type})`).
 * A key the element sets, even to null, wins.
 */
export function withDefaults(values: unknown, defaults: unknown): Record<string, unknown>[] {
  if (!Array.isArray(values)) throw new Error('with_defaults: value is not a list');
  if (!defaults || typeof defaults !== 'object' || Array.isArray(defaults)) throw new Error('with_defaults: the defaults are not a mapping');
  return values.map((value, index) => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error(`with_defaults: element ${index} is not a mapping`);
    return { ...(defaults as Record<string, unknown>), ...(value as Record<string, unknown>) };
  });
}

/**
 * `value | stable_number(limit)`: a whole number from 0 to limit-1 taken from the SHA-256 of the value.
 * The same value always gives the same number, different values spread evenly: a per-host time
 * that looks random across the fleet but does not change from one apply to the next.
 */
export function stableNumber(value: unknown, limit: unknown): number {
  if (!Number.isInteger(limit) || (limit as number) < 1 || (limit as number) > 2 ** 32)
    throw new Error('stable_number: the limit must be a whole number from 1 to 2^32');
  const digest = createHash('sha256').update(String(value)).digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(limit as number));
}

export const filters: Record<string, (value: unknown, ...args: unknown[]) => unknown> = {
  shquote,
  shquote_list: shquoteList,
  underscore_dots: underscoreDots,
  basename,
  dirname,
  map,
  with_defaults: withDefaults as (value: unknown, ...args: unknown[]) => unknown,
  stable_number: stableNumber as (value: unknown, ...args: unknown[]) => unknown,
};
