// Python's shlex.split(text, comments=...) in POSIX mode, which Ansible uses both for
// `ansible_ssh_common_args` (no comments) and for INI host lines (comments=True): words split on
// whitespace, quotes removed (adjacent quoted parts join one word), '...' literal, in "..." a backslash
// escapes only `"` and `\`, outside quotes a backslash escapes any character; with comments, `#` starts
// a comment wherever a new character could be read outside quotes. One split, so an inventory means
// the same thing to provision as to Ansible.

export class ShlexError extends Error {}

const WHITESPACE = new Set([' ', '\t', '\r', '\n']);

export function shlexSplit(text: string, options: { comments?: boolean } = {}): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false; // a word has started (possibly empty, as in '')
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (WHITESPACE.has(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === '#' && options.comments) {
      break;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ShlexError('No escaped character');
      word += text[i + 1];
      inWord = true;
      i += 2;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ShlexError('No closing quotation');
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new ShlexError('No closing quotation');
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 >= text.length) throw new ShlexError('No escaped character');
        if (d === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          word += text[i + 1];
          i += 2;
          continue;
        }
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
