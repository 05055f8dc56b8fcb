// Host names with ranges and ports, as Ansible's inventory plugins read them
// (ansible/parsing/utils/addresses.py and expand_hostname_range in ansible/plugins/inventory/__init__.py).

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexadecimalRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alphanumericRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const ipv6Component = String.raw`(?:[0-9a-f]{1,4}|${hexadecimalRange})`;
const ipv4Component = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
// Python's \w in a str pattern is Unicode-aware.
const word = String.raw`[\p{L}\p{N}_]`;
const label = String.raw`(?:${word}|${alphanumericRange})(?:${word}|[_-]|${alphanumericRange})*(?<![_-])`;

const c6 = ipv6Component;
const i4 = ipv4Component;

const patterns = {
  bracketedHostport: /^\[(.+)\]:([0-9]+)$/,
  hostport: /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/,
  ipv4: new RegExp(String.raw`^(?:${i4}\.){3}${i4}$`, 'i'),
  ipv6: new RegExp(
    '^(?:' +
      [
        String.raw`(?:${c6}:){7}${c6}`,
        String.raw`(?:${c6}:){1,6}:`,
        String.raw`(?:${c6}:)(?::${c6}){1,6}`,
        String.raw`(?:${c6}:){2}(?::${c6}){1,5}`,
        String.raw`(?:${c6}:){3}(?::${c6}){1,4}`,
        String.raw`(?:${c6}:){4}(?::${c6}){1,3}`,
        String.raw`(?:${c6}:){5}(?::${c6}){1,2}`,
        String.raw`(?:${c6}:){6}(?::${c6})`,
        String.raw`:(?::${c6}){1,6}`,
        String.raw`${c6}?::`,
        String.raw`(?:0:){6}(?:${c6}\.){3}${c6}`,
        String.raw`::(?:ffff:)?(?:${c6}\.){3}${c6}`,
        String.raw`(?:0:){5}ffff:(?:${c6}\.){3}${c6}`,
      ].join('|') +
      ')$',
    'i',
  ),
  hostname: new RegExp(String.raw`^${label}(?:\.${label})*$`, 'iu'),
};

/**
 * Ansible's parse_address with allow_ranges: splits an optional `:port` (or `[addr]:port`) and checks
 * the rest is an IP address or host name, possibly with ranges. Returns null when it is neither.
 */
export function parseAddress(address: string): { host: string; port: number | null } | null {
  let rest = address;
  let port: number | null = null;
  for (const re of [patterns.bracketedHostport, patterns.hostport]) {
    const m = re.exec(rest);
    if (m) {
      rest = m[1]!;
      port = Number(m[2]);
    }
  }
  if (patterns.ipv4.test(rest) || patterns.ipv6.test(rest) || patterns.hostname.test(rest)) return { host: rest, port };
  return null;
}

export class HostRangeError extends Error {}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

function pyInt(text: string): number {
  if (!/^\s*[-+]?[0-9]+\s*$/.test(text)) throw new HostRangeError(`invalid number \`${text}\` in host range`);
  return Number(text);
}

/**
 * Ansible expands any range it is given; `web[0:99999999]` would take minutes and gigabytes before the
 * first error could be shown. No real fleet has this many hosts in one pattern.
 */
export const MAX_HOSTS_PER_PATTERN = 100_000;

function tooMany(): HostRangeError {
  return new HostRangeError(`host range expands to more than ${MAX_HOSTS_PER_PATTERN.toLocaleString('en')} hosts; provision refuses larger patterns`);
}

/** Ansible's expand_hostname_range: `web[01:03].x` → web01.x, web02.x, web03.x; `[a:c]`; `[1:9:2]`. */
export function expandHostnameRange(line: string, limit = MAX_HOSTS_PER_PATTERN): string[] {
  const parts = line.replace('[', '|').replace(']', '|').split('|');
  if (parts.length !== 3) throw new HostRangeError('host range must be written [begin:end] or [begin:end:step]');
  const [head, nrange, tail] = parts as [string, string, string];
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostRangeError('host range must be begin:end or begin:end:step');
  let beg = bounds[0]!;
  const end = bounds[1]!;
  const step = bounds.length === 3 ? pyInt(bounds[2]!) : 1;
  if (!beg) beg = '0';
  if (!end) throw new HostRangeError('host range must specify end value');
  let fill = (x: number | string) => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    const width = beg.length;
    if (width !== end.length) throw new HostRangeError('host range must specify equal-length begin and end formats');
    fill = (x) => String(x).padStart(width, '0');
  }
  if (step <= 0) throw new HostRangeError('host range step must be a positive number');
  const seq: (number | string)[] = [];
  const iBeg = LETTERS.indexOf(beg);
  const iEnd = LETTERS.indexOf(end);
  if (iBeg >= 0 && iEnd >= 0) {
    if (iBeg > iEnd) throw new HostRangeError('host range must have begin <= end');
    for (let i = iBeg; i <= iEnd; i += step) seq.push(LETTERS[i]!);
  } else {
    const b = pyInt(beg);
    const e = pyInt(end);
    // counted before anything is built; nested ranges below share what is left of the limit
    if (e >= b && Math.floor((e - b) / step) + 1 > limit) throw tooMany();
    for (let i = b; i <= e; i += step) seq.push(i);
  }
  const hosts: string[] = [];
  for (const item of seq) {
    const name = head + fill(item) + tail;
    if (name.includes('[')) {
      const inner = expandHostnameRange(name, Math.floor(limit / seq.length));
      if (hosts.length + inner.length > limit) throw tooMany();
      for (const h of inner) hosts.push(h);
    } else hosts.push(name);
  }
  return hosts;
}

/** Ansible's _expand_hostpattern: the host names a `hosts:` key stands for, and its port if any. */
export function expandHostPattern(pattern: string): { hosts: string[]; port: number | null } {
  const parsed = parseAddress(pattern);
  const name = parsed ? parsed.host : pattern;
  const port = parsed ? parsed.port : null;
  return { hosts: name.includes('[') ? expandHostnameRange(name) : [name], port };
}
