// Line bookkeeping shared by the checkers: findings point at lines of the rendered file.
import { readFile, writeFile } from 'node:fs/promises';
import type { Finding } from '../checker.js';

export function lines(content: string): string[] {
  const all = content.split('\n');
  if (all.length > 1 && all[all.length - 1] === '') all.pop();
  return all;
}

/** A tool's line number, kept inside the file (dash reports end-of-file errors one line past it). */
export function clampLine(content: string, line: number): number {
  return Math.max(1, Math.min(line, lines(content).length));
}

/**
 * Replaces line `line` (1-based) of a sandbox copy by a comment, so a program that stops at the first
 * error can be asked again for the next one; line numbers stay the same.
 */
export async function commentOutLine(file: string, line: number, comment = '#'): Promise<void> {
  const text = await readFile(file, 'utf8');
  const all = text.split('\n');
  if (line < 1 || line > all.length) return;
  all[line - 1] = `${comment} (line skipped by provision validate after an error)`;
  await writeFile(file, all.join('\n'));
}

/** The same finding once (a program asked again repeats its warnings). */
export function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.path}\0${f.line}\0${f.severity}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
