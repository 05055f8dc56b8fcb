import { createHash } from 'node:crypto';

/** A text's SHA-256 in hex, as sha256sum prints it for a file holding exactly that text (UTF-8). */
export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
