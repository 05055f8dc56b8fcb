import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const found = new Map<string, boolean>();

/** Is `command` an executable on PATH (or at its absolute path)? Looked up once per run. */
export function hasTool(command: string): boolean {
  let known = found.get(command);
  if (known === undefined) {
    const candidates = isAbsolute(command)
      ? [command]
      : (process.env.PATH ?? '')
          .split(delimiter)
          .concat(['/usr/sbin', '/sbin'])
          .map((dir) => join(dir, command));
    known = candidates.some((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    found.set(command, known);
  }
  return known;
}
