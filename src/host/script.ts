// Helpers for the POSIX sh scripts that run on hosts. Every value is quoted with shquote, so a path or
// name can never become shell syntax.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { shquote } from '../model/shell-quote.js';
import { packageRoot, sharedTemplatesDir } from '../model/paths.js';
import { processGroupMarker } from '../host/protocol/answers.js';

export { shquote };

/** A path on the host, under the root prefix `$R` (empty on a real host). */
export function hostPath(path: string): string {
  return `"$R"${shquote(path)}`;
}

// `@pgid N` on stderr (src/host/protocol/answers.ts): OpenSSH does not signal a remote command without a
// terminal when its connection ends, so the connection stops the script's process group itself.
const announceProcessGroup = [
  '# shellcheck disable=SC2086 # the stat fields are split on purpose',
  `if read -r PROVISION_STAT </proc/$$/stat 2>/dev/null; then set -- \${PROVISION_STAT##*) }; printf '${processGroupMarker} %s\\n' "$3" >&2; fi`,
].join('\n');

/**
 * Wraps a script body so the whole text is read before anything runs. The script arrives on the
 * shell's stdin, and `sh -s` runs each command as soon as it has read it: without this, a command that
 * reads stdin would swallow the rest of the script, and a script cut off in transfer (a dropped
 * connection) would run in part. The body is one function, defined but not called until the last line;
 * a cut inside it is a syntax error. The call passes `run`, which the body checks, so a cut in the last
 * line (`main` alone would run) runs nothing either. Before the body come only assignments, traps and
 * function definitions.
 */
export function wrapScript(root: string | undefined, functions: string, body: string): string {
  return [
    '#!/bin/sh',
    '# shellcheck disable=SC2317 # a script uses only some of its library functions',
    'set -u',
    'umask 022',
    'export LC_ALL=C',
    // A lost connection closes stdout and stderr. The script carries on to its end (every file is still
    // renamed into place whole) instead of dying at its next write, its clean-up undone; an interrupt
    // or --timeout stops it with SIGTERM, which its trap handles. A handler, not an ignore, so the
    // commands it runs keep the default.
    "trap ':' PIPE",
    `R=${shquote(root ?? '')}`,
    functions,
    'main() {',
    '[ "${1-}" = run ] || exit 1',
    announceProcessGroup,
    body,
    '}',
    'main run </dev/null',
    '',
  ].join('\n');
}

const libraries = new Map<string, string>();

/** A file of shell functions from the package's shell/ folder (kept as .sh so shellcheck reads it). */
export function readShellLibrary(name: string): string {
  let text = libraries.get(name);
  if (text === undefined) {
    text = readFileSync(join(packageRoot, 'shell', name), 'utf8');
    libraries.set(name, text);
  }
  return text;
}

let reloadService: string | undefined;

/** reload_service, the one reload mechanism: the same file the renewal script template includes. */
export function reloadServiceLibrary(): string {
  reloadService ??= readFileSync(join(sharedTemplatesDir, 'reload-service.sh'), 'utf8');
  return reloadService;
}
