import { applyCommand } from './apply.js';
import type { ApplyCommandOptions } from './apply.js';
import type { Output } from '../report/output.js';

/** `provision plan` = `provision apply --check --diff`. */
export function planCommand(options: Omit<ApplyCommandOptions, 'check' | 'diff' | 'backup'>, out: Output): Promise<number> {
  return applyCommand({ ...options, check: true, diff: true, backup: false }, out);
}
