// String formats that role schemas use. Each comes with the words an error message says about a bad value.

const dnsLabel = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const dnsName = new RegExp(`^(?=.{1,253}$)${dnsLabel}(?:\\.${dnsLabel})*$`);

export function isDnsName(value: string): boolean {
  return dnsName.test(value);
}

/** Absolute, normalised enough to be safe: no `..` or `.` segments, no NUL or newline. */
export function isSafeAbsolutePath(value: string): boolean {
  if (!value.startsWith('/') || /[\0\n\r]/.test(value)) return false;
  return !value.split('/').some((segment) => segment === '..' || segment === '.');
}

export interface StringFormat {
  test: (value: string) => boolean;
  /** completes the sentence `"value" is not ...` */
  expected: string;
}

export const stringFormats: Record<string, StringFormat> = {
  'dns-name': { test: isDnsName, expected: 'a DNS name' },
  'abs-path': { test: isSafeAbsolutePath, expected: 'an absolute path without ".." segments' },
  mode: { test: (v) => /^0*[0-7]{3,4}$/.test(v) && parseInt(v, 8) <= 0o7777, expected: 'an octal file mode such as "0640"' },
  'unit-name': { test: (v) => /^[A-Za-z0-9@._-]+$/.test(v) && !v.startsWith('-'), expected: 'a service name' },
  'user-name': { test: (v) => /^[a-z_][a-z0-9_-]{0,31}\$?$/.test(v), expected: 'a user or group name' },
  url: { test: (v) => /^https?:\/\/[^\s'"\\]+$/.test(v), expected: 'an http(s) URL' },
};
