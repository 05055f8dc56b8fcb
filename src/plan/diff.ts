import { createTwoFilesPatch } from 'diff';

export const hidden = '(content hidden)';

/** Ansible-style unified diff (`--- before: PATH` / `+++ after: PATH`, 3 lines of context). */
export function unifiedDiff(path: string, before: string, after: string): string {
  const patch = createTwoFilesPatch(`before: ${path}`, `after: ${path}`, before, after, undefined, undefined, { context: 3 });
  // The library starts with an "Index"/"====" banner that diff(1) and Ansible do not print.
  return patch
    .split('\n')
    .filter((line) => !/^={10,}$/.test(line) && !line.startsWith('Index: '))
    .join('\n')
    .replace(/\t$/gm, '')
    .trimEnd();
}

/** True when a file's text would reveal a secret, so its diff must be hidden. */
export function revealsSecret(texts: (string | undefined)[], secretValues: string[]): boolean {
  return secretValues.some((secret) => texts.some((text) => text !== undefined && text.includes(secret)));
}
