// Python's ast.literal_eval, for the values of an INI inventory: Ansible's ini plugin passes every value
// through it and keeps the original string when it raises. Only what Ansible can then print counts:
// numbers, strings, True/False/None, lists, tuples (printed as lists) and dicts. Sets, complex numbers,
// bytes that are not text and `...` are reported as "not a literal" so the text stays a string.

export type LiteralResult = { ok: true; value: unknown } | { ok: false };

// Most INI values are plain words that are not literals: one shared object, no stack trace to build each time.
const NOT_LITERAL = Symbol('not a literal');

const fail = (): never => {
  throw NOT_LITERAL;
};

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' };

type Token = { kind: 'num'; value: number } | { kind: 'str'; value: string } | { kind: 'name'; value: string } | { kind: 'op'; value: string };

const PUNCT = new Set(['(', ')', '[', ']', '{', '}', ',', ':', '-', '+']);
// Python int/float literals (PEP 515 underscores); `01` is a syntax error in Python 3, so not matched.
const NUMBER = new RegExp(
  [
    String.raw`0[xX](?:_?[0-9a-fA-F])+`,
    String.raw`0[oO](?:_?[0-7])+`,
    String.raw`0[bB](?:_?[01])+`,
    String.raw`(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.)(?:[eE][-+]?[0-9](?:_?[0-9])*)?`,
    String.raw`[0-9](?:_?[0-9])*[eE][-+]?[0-9](?:_?[0-9])*`,
    String.raw`[1-9](?:_?[0-9])*`,
    String.raw`0(?:_?0)*`,
  ]
    .map((p) => `(?:${p})`)
    .join('|') + String.raw`(?![0-9a-zA-Z_.])`,
  'y',
);
const STRING_PREFIX = /[rRuUbB]{0,2}(?='|")/y;
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;

function parseNumber(text: string): number {
  const t = text.replace(/_/g, '');
  if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
  return Number(t);
}

function readString(src: string, start: number, prefix: string): { value: string; end: number } {
  const raw = /r/i.test(prefix);
  const bytes = /b/i.test(prefix);
  if (/u/i.test(prefix) && prefix.length > 1) fail();
  const quote = src.startsWith(src[start]!.repeat(3), start) ? src[start]!.repeat(3) : src[start]!;
  let i = start + quote.length;
  let out = '';
  for (;;) {
    if (i >= src.length) fail();
    if (src.startsWith(quote, i)) return { value: out, end: i + quote.length };
    const c = src[i]!;
    if (c === '\n' && quote.length === 1) fail();
    if (c !== '\\') {
      if (bytes && c.charCodeAt(0) > 127) fail();
      out += c;
      i++;
      continue;
    }
    const n = src[i + 1];
    if (n === undefined) fail();
    if (raw) {
      out += c + n;
      i += 2;
      continue;
    }
    if (n! in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[n!];
      i += 2;
    } else if (/[0-7]/.test(n!)) {
      const m = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += 1 + m.length;
    } else if (n === 'x' || (!bytes && (n === 'u' || n === 'U'))) {
      const width = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = src.slice(i + 2, i + 2 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) fail();
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) fail();
      out += String.fromCodePoint(code);
      i += 2 + width;
    } else if (n === 'N' && !bytes) {
      fail(); // \N{NAME}: no Unicode name table here; rare enough to keep as a string
    } else {
      out += c + n; // unknown escapes keep their backslash
      i += 2;
    }
  }
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') break; // a Python comment runs to the end of the (single) line
    if (c === '\\' && src[i + 1] === '\n') {
      i += 2;
      continue;
    }
    STRING_PREFIX.lastIndex = i;
    const prefix = STRING_PREFIX.exec(src);
    if (prefix) {
      const { value, end } = readString(src, i + prefix[0].length, prefix[0]);
      tokens.push({ kind: 'str', value });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(src);
    if (number && (/[0-9]/.test(c) || c === '.')) {
      tokens.push({ kind: 'num', value: parseNumber(number[0]) });
      i += number[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'op', value: c });
      i++;
      continue;
    }
    fail();
  }
  return tokens;
}

/** Python's repr-free str() of a dict key, as json.dumps writes keys. */
function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (key === true) return 'true';
  if (key === false) return 'false';
  if (key === null) return 'null';
  if (typeof key === 'number') return Number.isInteger(key) ? String(key) : String(key);
  return fail();
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private isOp(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.value === value;
  }

  private expectOp(value: string): void {
    if (!this.isOp(value)) fail();
    this.pos++;
  }

  parseTop(): unknown {
    if (this.tokens.length === 0) fail();
    const value = this.parseTupleOrValue(true);
    if (this.pos !== this.tokens.length) fail();
    return value;
  }

  /** `a, b` without parentheses is a tuple at the top level and inside parentheses. */
  private parseTupleOrValue(allowBare: boolean): unknown {
    const first = this.parseValue();
    if (!allowBare || !this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.pos++;
      if (this.atEnd()) break;
      items.push(this.parseValue());
    }
    return items;
  }

  private atEnd(): boolean {
    return this.pos >= this.tokens.length || this.isOp(')');
  }

  private parseValue(): unknown {
    const t = this.peek();
    if (!t) return fail();
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.pos++;
      const operand = this.peek();
      // literal_eval allows one sign on a number literal (not on True)
      if (operand?.kind === 'num') {
        this.pos++;
        return t.value === '-' ? -operand.value : operand.value;
      }
      return fail();
    }
    this.pos++;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'str') {
      let value = t.value;
      while (this.peek()?.kind === 'str') value += (this.tokens[this.pos++] as { value: string }).value; // 'a' 'b' is 'ab'
      return value;
    }
    if (t.kind === 'name') {
      if (t.value === 'True') return true;
      if (t.value === 'False') return false;
      if (t.value === 'None') return null;
      return fail();
    }
    if (t.value === '[') return this.parseSequence(']');
    if (t.value === '(') {
      if (this.isOp(')')) {
        this.pos++;
        return [];
      }
      const inner = this.parseTupleOrValue(true);
      this.expectOp(')');
      return inner;
    }
    if (t.value === '{') return this.parseDict();
    return fail();
  }

  private parseSequence(close: string): unknown[] {
    const items: unknown[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseValue());
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp(close)) fail();
    }
    this.pos++;
    return items;
  }

  private parseDict(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    // Python compares keys by value (True == 1 == 1.0): a later equal key keeps the first key's text
    const keyOf = new Map<string, string>();
    if (this.isOp('}')) {
      this.pos++;
      return result;
    }
    for (;;) {
      const key = this.parseValue();
      if (!this.isOp(':')) return fail(); // `{1, 2}` is a set: not something Ansible can print
      this.pos++;
      const value = this.parseValue();
      const identity = typeof key === 'string' ? `s:${key}` : typeof key === 'boolean' ? `n:${Number(key)}` : `n:${String(key)}`;
      const text = keyOf.get(identity) ?? keyText(key);
      keyOf.set(identity, text);
      Object.defineProperty(result, text, { value, enumerable: true, writable: true, configurable: true });
      if (this.isOp(',')) this.pos++;
      else if (!this.isOp('}')) fail();
      if (this.isOp('}')) break;
    }
    this.pos++;
    return result;
  }
}

/** ast.literal_eval(text); `{ ok: false }` where Python would raise ValueError or SyntaxError. */
export function literalEval(text: string): LiteralResult {
  try {
    // literal_eval strips leading spaces and tabs itself
    return { ok: true, value: new Parser(tokenize(text.replace(/^[ \t]+/, ''))).parseTop() };
  } catch (e) {
    if (e === NOT_LITERAL) return { ok: false };
    throw e;
  }
}

/** The value Ansible's ini plugin stores for `text`: the literal, or the text itself. */
export function iniValue(text: string): unknown {
  const result = literalEval(text);
  return result.ok ? result.value : text;
}
