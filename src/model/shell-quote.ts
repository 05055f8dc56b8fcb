// One literal POSIX shell word from any value: what every script provision renders or sends to a
// host quotes its values with (the templates' `shquote` filter is this function).

/** Quote a value as a single POSIX shell word: 'it'\''s' style, safe for any byte but NUL. */
export function shquote(value: unknown): string {
  if (value === undefined || value === null) throw new Error('shquote: value is undefined');
  const text = String(value);
  if (text.includes('\0')) throw new Error('shquote: value contains a NUL byte');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
