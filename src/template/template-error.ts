import { UndefinedVariableError } from './strict-nunjucks.js';
import type { Problem } from '../model/errors.js';

interface NunjucksError extends Error {
  lineno?: number;
  colno?: number;
  cause?: Error;
}

/** The innermost cause: nunjucks wraps an error once per template it passes through. */
function rootCause(error: NunjucksError): Error {
  let current: Error = error;
  while ((current as NunjucksError).cause instanceof Error) current = (current as NunjucksError).cause!;
  return current;
}

/**
 * The template the error happened in. Nunjucks prefixes `(name)` once per template on the way out,
 * outermost first, and marks the innermost with its `[Line, Column]`.
 */
function failingTemplate(message: string): string | undefined {
  const names = [...message.matchAll(/\(([^()\n]+)\)( \[Line \d+, Column \d+\])?/g)];
  return (names.find((m) => m[2]) ?? names[names.length - 1])?.[1];
}

/** Turns a Nunjucks failure into a Problem: template file, line, column and, when known, the variable. */
export function templateProblem(error: unknown, fallbackTemplate: string, host: string): Problem {
  const err = error as NunjucksError;
  const cause = rootCause(err);
  // Errors nunjucks makes itself (syntax errors) carry 1-based positions; errors raised while a
  // template runs carry the 0-based position of the expression being evaluated.
  const offset = err.cause ? 1 : 0;
  const line = typeof err.lineno === 'number' ? err.lineno + offset : undefined;
  const col = line !== undefined && typeof err.colno === 'number' ? err.colno + offset : undefined;
  const message =
    cause instanceof UndefinedVariableError
      ? cause.variable.startsWith('.') || cause.variable.startsWith('[')
        ? `${cause.variable.startsWith('.') ? `key ${JSON.stringify(cause.variable.slice(1))}` : `index ${cause.variable}`} is undefined`
        : `variable ${JSON.stringify(cause.variable)} is undefined`
      : (cause.message || err.message)
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !/^\([^)]*\)( \[Line \d+, Column \d+\])?$/.test(l))
          .join(' ')
          .replace(/^\([^)]*\)( \[Line \d+, Column \d+\])?\s*/, '')
          .replace(/^(Template render )?Error: /, '');
  const template = (cause instanceof UndefinedVariableError && cause.template) || failingTemplate(err.message) || fallbackTemplate;
  return { file: template, line, col, hosts: [host], message: `template error: ${message}` };
}
