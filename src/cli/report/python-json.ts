// JSON as ansible-inventory (Python's json.dumps) writes values: integers of any size exactly,
// Infinity, -Infinity and NaN as bare words, and -0.0 with its sign. JSON.stringify would write the
// first as an error, the next three as null and the last as 0.

import { randomBytes } from 'node:crypto';

function special(value: unknown): string | null {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'number') return null;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0.0';
  return null;
}

export function pythonJson(value: unknown, indent?: number): string {
  // a marker no value can contain, replaced by the bare word after stringify
  const nonce = randomBytes(8).toString('hex');
  const marker = new RegExp(`"${nonce}:([^"]*)"`, 'g');
  const text = JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = special(this[key]);
      return raw === null ? v : `${nonce}:${raw}`;
    },
    indent,
  );
  return text.replace(marker, '$1');
}
