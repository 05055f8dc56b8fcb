// The one way the load stage reads a file (inventory, group_vars/host_vars, -e @file, role YAML):
// a regular file only, at most MAX_FILE_BYTES, strict UTF-8, and, when a tree is given, a file whose
// real path stays inside it. A FIFO would block the read forever, /dev/zero would grow without end,
// and a link out of the inventory (to /etc/shadow) would be parsed and printed; all three are refused
// before anything is parsed.

import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../../model/errors.js';

/** Larger than any real inventory or vars file (the biggest we met is under 200 kB). */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export type ReadResult = { text: string; problem?: undefined } | { text?: undefined; problem: Problem };

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

function isInside(tree: string, file: string): boolean {
  const rel = path.relative(tree, file);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** The 1-based line of the first byte sequence that is not UTF-8, or null when all of it is. */
export function firstInvalidUtf8Line(bytes: Buffer): number | null {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 1;
  // A newline byte never occurs inside a multi-byte sequence, so each line can be checked alone.
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
    line++;
  }
  return null;
}

export interface ReadOptions {
  /** an absolute directory the file's real path must stay in (symlinks inside it are fine) */
  tree?: string;
  /** what the file is, for messages: "inventory", "vars file"... */
  what?: string;
}

/**
 * Reads `abs` (shown to the user as `display`) under the bounds above. Never blocks on a special
 * file and never reads more than MAX_FILE_BYTES + 1 bytes.
 */
export function readBoundedText(abs: string, display: string, options: ReadOptions = {}): ReadResult {
  const what = options.what ?? 'file';
  const fail = (message: string, line?: number): ReadResult => ({
    problem: line === undefined ? { file: display, message } : { file: display, line, col: 1, message },
  });
  if (options.tree) {
    let real: string;
    let tree: string;
    try {
      real = realpathSync(abs);
      tree = realpathSync(options.tree);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return fail(code === 'ENOENT' ? `${what} not found (or a link to nothing)` : `cannot read ${what}: ${code ?? (e as Error).message}`);
    }
    if (!isInside(tree, real)) {
      return fail(
        `is a link to ${real}, outside the inventory's directory ${tree}; provision reads vars files only inside it (copy the file in, or link to a file inside)`,
      );
    }
  }
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below refuses it anyway.
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`${what} not found`);
    if (code === 'EISDIR') return fail('is a directory');
    return fail(`cannot read ${what}: ${code ?? (e as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return fail(`is ${kindOf(stat)}; provision reads only regular files`);
    const tooBig = () => fail(`is larger than ${MAX_FILE_BYTES / (1024 * 1024)} MiB; no inventory or vars file is that large (is this the right file?)`);
    if (stat.size > MAX_FILE_BYTES) return tooBig();
    // Read in chunks up to one byte past the cap: the size fstat gave may be stale (a growing file).
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, MAX_FILE_BYTES + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
      if (length > MAX_FILE_BYTES) return tooBig();
    }
    const bytes = Buffer.concat(chunks, length);
    const bad = firstInvalidUtf8Line(bytes);
    if (bad !== null) return fail('is not valid UTF-8 (Ansible refuses such a file too); save it as UTF-8', bad);
    return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
  } catch (e) {
    return fail(`cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}
