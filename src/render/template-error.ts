import { UndefinedVariableError } from './strict-nunjucks.js';
import type { Problem } from '../errors.js';

interface NunjucksError extends Error {
  lineno?: number;
  colno?: number;
  cause?: Error;
}

/** Turns a Nunjucks failure into a Problem: template file, line, column and, when known, the variable. */
export function templateProblem(error: unknown, fallbackTemplate: string, host: string): Problem {
  const err = error as NunjucksError;
  const cause = err.cause ?? err;
  const template = /^\(([^)]+)\)/.exec(err.message)?.[1] ?? fallbackTemplate;
  const line = typeof err.lineno === 'number' ? err.lineno + 1 : undefined;
  const col = line !== undefined && typeof err.colno === 'number' ? err.colno + 1 : undefined;
  const message =
    cause instanceof UndefinedVariableError
      ? cause.variable.startsWith('.')
        ? `key ${JSON.stringify(cause.variable.slice(1))} is undefined`
        : `variable ${JSON.stringify(cause.variable)} is undefined`
      : (cause.message || err.message).replace(/^\([^)]*\)( \[Line \d+, Column \d+\])?\s*/, '').replace(/^Error: /, '');
  return { file: template, line, col, hosts: [host], message: `template error: ${message}` };
}
