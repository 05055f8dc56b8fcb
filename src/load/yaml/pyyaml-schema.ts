// The scalar rules of PyYAML's SafeLoader (what Ansible uses), as custom tags for the `yaml` package.
// The `yaml` package's own YAML 1.1 schema differs in small ways that change values: it reads `y`/`n`
// as booleans, `1e3` and `1.0e5` as floats, `09` as 9 and timestamps as Date objects; PyYAML reads
// the first four as strings and Ansible prints timestamps as ISO strings.

import type { ScalarTag, Tags } from 'yaml';

const INT = 'tag:yaml.org,2002:int';
const FLOAT = 'tag:yaml.org,2002:float';

/** Collection and structural tags of the `yaml` package's YAML 1.1 schema that PyYAML agrees with. */
const KEEP = new Set([
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:binary',
  'tag:yaml.org,2002:merge',
  'tag:yaml.org,2002:omap',
  'tag:yaml.org,2002:pairs',
  'tag:yaml.org,2002:set',
]);

const nullTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:null',
  default: true,
  identify: (v) => v === null || v === undefined,
  test: /^(?:~|null|Null|NULL)?$/,
  resolve: () => null,
};

const boolTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:bool',
  default: true,
  identify: (v) => typeof v === 'boolean',
  test: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  resolve: (s) => ['yes', 'true', 'on'].includes(s.toLowerCase()),
};

function sexagesimal(parts: string[]): number {
  let value = 0;
  for (const part of parts) value = value * 60 + Number(part);
  return value;
}

/**
 * Python's integers have no size limit and ansible-inventory prints them exactly; beyond 2^53 a number
 * would be rounded, so such an integer is a BigInt. JSON.stringify cannot write a BigInt and would
 * throw wherever a value is quoted in a message; there it is written as its digits in a string (the
 * outputs that must be exact use src/cli/report/python-json.ts).
 */
(BigInt.prototype as unknown as { toJSON: () => string }).toJSON = function (this: bigint) {
  return this.toString();
};

/** PyYAML's construct_yaml_int; a BigInt when the value is not a safe integer. */
export function pyInt(source: string): number | bigint {
  let s = source.replace(/_/g, '');
  let negative = false;
  if (s[0] === '-') negative = true;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  if (s.includes(':')) return (negative ? -1 : 1) * sexagesimal(s.split(':')) || 0;
  let value: bigint;
  if (s === '0') value = 0n;
  else if (s.startsWith('0b')) value = BigInt(`0b${s.slice(2)}`);
  else if (s.startsWith('0x')) value = BigInt(`0x${s.slice(2)}`);
  else if (s[0] === '0') value = BigInt(`0o${s.slice(1)}`);
  else value = BigInt(s);
  if (negative) value = -value;
  const small = Number(value);
  return Number.isSafeInteger(small) ? small || 0 : value; // Python has no -0 integer
}

const intTag: ScalarTag = {
  tag: INT,
  default: true,
  identify: (v) => (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint',
  test: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  resolve: (s, onError) => {
    try {
      return pyInt(s) as number;
    } catch {
      onError(`invalid integer ${s}`);
      return s;
    }
  },
};

/** PyYAML's construct_yaml_float. */
export function pyFloat(source: string): number {
  let s = source.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-') sign = -1;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) return sign * sexagesimal(s.split(':'));
  return sign * Number(s);
}

const floatTag: ScalarTag = {
  tag: FLOAT,
  default: true,
  identify: (v) => typeof v === 'number',
  test: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (s) => pyFloat(s),
};

const TIMESTAMP =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(Z|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?)?$/;

const pad = (n: number | string, width = 2) => String(n).padStart(width, '0');

/**
 * PyYAML builds a `datetime.date`/`datetime` and Ansible prints it with Python's `isoformat()`;
 * we keep that string.
 */
export function pyTimestamp(source: string): string | null {
  const m = TIMESTAMP.exec(source);
  if (!m) return null;
  const [, year, month, day, hour, minute, second, fraction, tz, tzSign, tzHour, tzMinute] = m;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return null;
  const date = `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
  if (hour === undefined) return date;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  let text = `${date}T${pad(hour)}:${minute}:${second}`;
  const micro = fraction ? Number(fraction.slice(0, 6).padEnd(6, '0')) : 0;
  if (micro !== 0) text += `.${pad(micro, 6)}`;
  if (tzSign) text += `${tzSign}${pad(tzHour!)}:${tzMinute ?? '00'}`;
  else if (tz === 'Z') text += '+00:00';
  return text;
}

const timestampTag: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  default: true,
  identify: () => false,
  test: /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
  resolve: (s, onError) => {
    const value = pyTimestamp(s);
    if (value === null) {
      onError(`invalid date or time ${s}`);
      return s;
    }
    return value;
  },
};

/** Ansible's `!unsafe`: a string that must never be templated. We never template, so it is a string. */
const unsafeTag: ScalarTag = {
  tag: '!unsafe',
  identify: () => false,
  resolve: (s) => s,
};

/**
 * Ansible's `!vault`: kept encrypted until the load stage decrypts it (src/inventory/vault/); as JSON
 * it has the shape `ansible-inventory --list` prints.
 */
export class VaultCiphertext {
  constructor(readonly __ansible_vault: string) {}
}

const vaultTag: ScalarTag = {
  tag: '!vault',
  identify: (v) => v instanceof VaultCiphertext,
  resolve: (s) => new VaultCiphertext(s),
};

/** For the `customTags` option, with `version: '1.1'`. */
export function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'object' && !Array.isArray(t) && KEEP.has(t.tag));
  return [...kept, nullTag, boolTag, intTag, floatTag, timestampTag, unsafeTag, vaultTag];
}
