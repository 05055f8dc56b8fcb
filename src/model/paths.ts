import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package's root: the same from src/ (tsx) and dist/ (compiled), both two levels down (src/model/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const builtinRolesDir = resolve(packageRoot, 'roles');
export const sharedTemplatesDir = resolve(packageRoot, 'templates');
export const schemasDir = resolve(packageRoot, 'schemas');

/** A path as a user would type it in messages: relative to the working directory when inside it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}
