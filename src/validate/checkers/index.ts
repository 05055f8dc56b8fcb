// The checkers `provision validate` knows, by the name roles give in their manifest (`check: [shell]`).
// CSRs are always checked with `openssl`.
import type { Checker } from '../checker.js';
import { apacheChecker } from './apache.js';
import { dovecotChecker } from './dovecot.js';
import { opensslChecker } from './openssl.js';
import { postfixChecker } from './postfix.js';
import { shellChecker } from './shell.js';

export const checkers: Map<string, Checker> = new Map(
  [shellChecker, apacheChecker, postfixChecker, dovecotChecker, opensslChecker].map((checker) => [checker.name, checker]),
);

export { apacheChecker, dovecotChecker, opensslChecker, postfixChecker, shellChecker };
