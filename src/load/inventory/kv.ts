// Ansible's `key=value key2='quoted value'` argument syntax (ansible/parsing/splitter.py: split_args
// and parse_kv, with check_raw off), used by `-e`.

export class KvError extends Error {}

function quoteState(token: string, quoteChar: string | null): string | null {
  let q = quoteChar;
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!;
    const prev = i > 0 ? token[i - 1] : null;
    if ((c === '"' || c === "'") && prev !== '\\') {
      if (q) {
        if (c === q) q = null;
      } else q = c;
    }
  }
  return q;
}

function countBlocks(token: string, depth: number, open: string, close: string): number {
  const opens = token.split(open).length - 1;
  const closes = token.split(close).length - 1;
  if (opens === closes) return depth;
  return Math.max(0, depth + opens - closes);
}

/** Splits on spaces, keeping quoted strings and Jinja2 blocks together. */
export function splitArgs(args: string): string[] {
  const params: string[] = [];
  const items = args.split('\n');
  let quoteChar: string | null = null;
  let insideQuotes = false;
  let printDepth = 0;
  let blockDepth = 0;
  let commentDepth = 0;
  const appendToLast = (s: string) => {
    if (params.length === 0) params.push(s);
    else params[params.length - 1] += s;
  };
  items.forEach((item, itemIdx) => {
    const tokens = item.split(' ');
    let lineContinuation = false;
    tokens.forEach((token, idx) => {
      if (token.length === 0 && idx !== 0) {
        appendToLast(' ');
        return;
      }
      if (token === '\\' && !insideQuotes) {
        lineContinuation = true;
        return;
      }
      const wasInsideQuotes = insideQuotes;
      quoteChar = quoteState(token, quoteChar);
      insideQuotes = quoteChar !== null;
      let appended = false;
      const inBlock = printDepth || blockDepth || commentDepth;
      if (insideQuotes && !wasInsideQuotes && !inBlock) {
        params.push(token);
        appended = true;
      } else if (inBlock || insideQuotes || wasInsideQuotes) {
        if (idx === 0 && wasInsideQuotes) appendToLast(token);
        else if (tokens.length > 1) appendToLast((idx > 0 ? ' ' : '') + token);
        else appendToLast('\n' + token);
        appended = true;
      }
      const prevPrint = printDepth;
      printDepth = countBlocks(token, printDepth, '{{', '}}');
      if (printDepth !== prevPrint && !appended) {
        params.push(token);
        appended = true;
      }
      const prevBlock = blockDepth;
      blockDepth = countBlocks(token, blockDepth, '{%', '%}');
      if (blockDepth !== prevBlock && !appended) {
        params.push(token);
        appended = true;
      }
      const prevComment = commentDepth;
      commentDepth = countBlocks(token, commentDepth, '{#', '#}');
      if (commentDepth !== prevComment && !appended) {
        params.push(token);
        appended = true;
      }
      if (!(printDepth || blockDepth || commentDepth) && !insideQuotes && !appended && token !== '') params.push(token);
    });
    if (items.length > 1 && itemIdx !== items.length - 1 && !lineContinuation) appendToLast('\n');
  });
  if (printDepth || blockDepth || commentDepth || insideQuotes) {
    throw new KvError('unbalanced quotes or Jinja2 block');
  }
  return params;
}

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python's unicode-escape decoding of \n, \t, \xHH, \uHHHH, \UHHHHHHHH... as parse_kv applies it. */
function decodeEscapes(s: string): string {
  return s.replace(/\\U([0-9a-fA-F]{8})|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})|\\([\\'"abfnrtv])/g, (match, u8, u4, x2, c) => {
    const hex = (u8 ?? u4 ?? x2) as string | undefined;
    if (hex) {
      const code = parseInt(hex, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return SIMPLE_ESCAPES[c as string] ?? match;
  });
}

function unquote(s: string): string {
  if (s.length > 1 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'") && s[s.length - 2] !== '\\') return s.slice(1, -1);
  return s;
}

/**
 * `a=1 b='x y'` → { a: '1', b: 'x y' }. Values stay strings, as in Ansible. Words without `=` are
 * returned in `free` (Ansible would store them as `_raw_params`).
 */
export function parseKv(args: string): { vars: Record<string, string>; free: string[] } {
  const vars: Record<string, string> = {};
  const free: string[] = [];
  for (const original of splitArgs(args)) {
    const x = decodeEscapes(original);
    let pos = -1;
    for (let i = x.indexOf('=', 1); i !== -1; i = x.indexOf('=', i + 1)) {
      if (x[i - 1] !== '\\') {
        pos = i;
        break;
      }
    }
    if (pos === -1) {
      free.push(x.includes('=') ? x.replace(/\\=/g, '=') : original);
      continue;
    }
    Object.defineProperty(vars, x.slice(0, pos).trim(), {
      value: unquote(x.slice(pos + 1).trim()),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { vars, free };
}
