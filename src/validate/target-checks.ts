import type { Change } from '../plan/types.js';
import { isPending } from '../plan/types.js';
import { shquote } from '../render/filters.js';

/**
 * A whole-configuration check run on the host itself before anything is renamed into place (and in
 * check mode): the command runs in a private mount namespace where a copy of `root`, holding the
 * candidate files and links, is mounted over `root`. The daemon's own view, with nothing changed.
 */
export interface TargetCheck {
  name: string;
  root: string;
  command: string;
  /** what the messages call the command ("apache2ctl -t") */
  label: string;
  /** the changed files and links under `root` */
  changes: Change[];
}

/** The configuration root and the command, given the host's variables and the checked files that changed. */
type Spec = (vars: Record<string, unknown>, files: string[]) => { root: string; command: string; label: string };

/**
 * Postfix: a settings file (`name = value` lines) only takes effect through postconf, so the command
 * applies each changed one to the copy of the configuration first, then runs `postfix check`.
 */
function postfixCommand(root: string, files: string[]): string {
  const apply = files.map((file) => `sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' ${shquote(file)} | while IFS= read -r setting; do postconf -c ${shquote(root)} -e "$setting" || exit 1; done`);
  // postfix check reports to syslog unless it has a terminal: script(1) gives it one, so its message
  // reaches the user.
  const check = `script -qec ${shquote(`postfix -c ${shquote(root)} check`)} /dev/null`;
  return [...apply, check].join(' && ');
}

const specs: Record<string, Spec> = {
  apache: (vars) => ({ root: String(vars.apache_conf_dir ?? '/etc/apache2'), command: 'apache2ctl -t', label: 'apache2ctl -t' }),
  dovecot: (vars) => ({ root: String(vars.dovecot_config_dir ?? '/etc/dovecot'), command: 'doveconf -n >/dev/null', label: 'doveconf -n' }),
  postfix: (vars, files) => {
    const root = String(vars.postfix_config_dir ?? '/etc/postfix');
    return { root, command: postfixCommand(root, files), label: 'postconf -e and postfix check' };
  },
};

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** The target checks that pending changes call for: one per check named by a changed file. */
export function targetChecksFor(changes: Change[], vars: Record<string, unknown>): TargetCheck[] {
  const pending = changes.filter(isPending);
  const names = new Set(pending.flatMap((c) => (c.resource.kind === 'file' ? (c.resource.checks ?? []) : [])));
  const checks: TargetCheck[] = [];
  for (const name of names) {
    const spec = specs[name];
    if (!spec) continue;
    const checked = pending.flatMap((c) => (c.resource.kind === 'file' && c.resource.checks?.includes(name) ? [c.resource.path] : []));
    const { root, command, label } = spec(vars, checked);
    const inside = pending.filter((c) => (c.resource.kind === 'file' || c.resource.kind === 'symlink') && under(c.resource.path, root));
    checks.push({ name, root, command, label, changes: inside });
  }
  return checks;
}
