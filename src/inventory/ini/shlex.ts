// Python's shlex.split(line, comments=True) in POSIX mode, which Ansible's ini plugin uses for host
// lines: words split on whitespace, quotes removed (adjacent quoted parts join one word), a backslash
// escapes the next character outside quotes and only `\` and `"` inside double quotes, and `#` starts a
// comment wherever a word could continue.

export class ShlexError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

export function shlexSplit(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // a word has started (possibly empty, as in '')
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (WHITESPACE.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '#') {
      break;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShlexError('No escaped character');
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('No closing quotation');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new ShlexError('No closing quotation');
        const d = line[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && (line[i + 1] === '"' || line[i + 1] === '\\')) {
          word += line[i + 1];
          i += 2;
          continue;
        }
        if (d === '\\' && i + 1 >= line.length) throw new ShlexError('No escaped character');
        word += d;
        i++;
      }
      inWord = true;
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
