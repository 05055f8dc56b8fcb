import type { Change } from '../plan/types.js';

/**
 * A whole-configuration check run on the host itself before anything is renamed into place (and in
 * check mode): the command runs in a private mount namespace where a copy of `root`, holding the
 * candidate files and links, is mounted over `root`. The daemon's own view, with nothing changed.
 */
export interface TargetCheck {
  name: string;
  root: string;
  command: string;
  /** the changed files and links under `root` */
  changes: Change[];
}

type Spec = (vars: Record<string, unknown>) => { root: string; command: string };

// Postfix: the role's settings file only takes effect through postconf; apply it to the copy first.
const postfixCommand = [
  "sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' /etc/postfix/provision-tls.cf |",
  'while IFS= read -r setting; do postconf -e "$setting" || exit 1; done &&',
  'postfix check',
].join(' ');

const specs: Record<string, Spec> = {
  apache: (vars) => ({ root: String(vars.apache_conf_dir ?? '/etc/apache2'), command: 'apache2ctl -t' }),
  dovecot: (vars) => ({ root: String(vars.dovecot_config_dir ?? '/etc/dovecot'), command: 'doveconf -n >/dev/null' }),
  postfix: (vars) => ({ root: String(vars.postfix_config_dir ?? '/etc/postfix'), command: postfixCommand.replace(/\/etc\/postfix/g, String(vars.postfix_config_dir ?? '/etc/postfix')) }),
};

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/** The target checks that pending changes call for: one per check named by a changed file. */
export function targetChecksFor(changes: Change[], vars: Record<string, unknown>): TargetCheck[] {
  const pending = changes.filter((c) => c.action === 'create' || c.action === 'update');
  const names = new Set(pending.flatMap((c) => (c.resource.kind === 'file' ? (c.resource.checks ?? []) : [])));
  const checks: TargetCheck[] = [];
  for (const name of names) {
    const spec = specs[name];
    if (!spec) continue;
    const { root, command } = spec(vars);
    const inside = pending.filter((c) => (c.resource.kind === 'file' || c.resource.kind === 'symlink') && under(c.resource.path, root));
    checks.push({ name, root, command, changes: inside });
  }
  return checks;
}
