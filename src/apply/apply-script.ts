import type { Change, Plan } from '../plan/types.js';
import type { CsrResource, DesiredState } from '../state/desired.js';
import { hostPath, readShellLibrary, shquote, wrapScript } from '../shell/script.js';
import { pendingHandlersFile } from '../probe/probe-script.js';

export interface ApplyOptions {
  /** keep the file a change replaces as `file.PID.DATE~` (Ansible's backup: yes) */
  backup: boolean;
}

const keyArguments: Record<string, string[]> = {
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
  ec256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
};

/** openssl -subj syntax, seed order (/C=../O=../CN=..); `/` and `\` in values are escaped. */
export function csrSubject(csr: CsrResource): string {
  const escape = (value: string) => value.replace(/([/\\])/g, '\\$1');
  let subject = '';
  if (csr.country) subject += `/C=${escape(csr.country)}`;
  if (csr.organization) subject += `/O=${escape(csr.organization)}`;
  return `${subject}/CN=${escape(csr.domains[0]!)}`;
}

const q = (value: string | undefined) => shquote(value ?? '');

function prepareStep(change: Change, id: string): string | undefined {
  const r = change.resource;
  switch (r.kind) {
    case 'group':
      return `ensure_group ${id} ${q(r.name)} ${r.system ? 1 : "''"}`;
    case 'user':
      return `ensure_user ${id} ${q(r.name)} ${r.system ? 1 : "''"} ${q(r.home)} ${q(r.shell)} ${q(r.group)} ${q(r.groups.join(','))}`;
    case 'directory':
      return `ensure_dir ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
    case 'private_key':
      if (!change.rewrite) return `set_attrs ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
      return `gen_key ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)} ${keyArguments[r.keyType]!.join(' ')}`;
    case 'csr':
      if (!change.rewrite) return `set_attrs ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
      return `make_csr ${id} ${hostPath(r.path)} ${hostPath(r.key)} ${q(csrSubject(r))} ${q(r.domains.map((d) => `DNS:${d}`).join(','))} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
    default:
      return undefined;
  }
}

/**
 * The single script that makes a host match its plan. Contents travel inside it as base64 heredocs
 * (on stdin, never on a command line); keys are generated on the host and never leave it.
 */
export function applyScript(plan: Plan, desired: DesiredState, options: ApplyOptions): string {
  const pending = plan.changes.filter((c) => c.action === 'create' || c.action === 'update');
  const idOf = (change: Change) => `r${desired.resources.indexOf(change.resource)}`;
  const lines: string[] = [];

  for (const change of pending) {
    const step = prepareStep(change, idOf(change));
    if (step) lines.push(step);
  }

  const staged = pending.filter((c) => c.resource.kind === 'file' && c.rewrite);
  for (const change of staged) {
    if (change.resource.kind !== 'file') continue;
    const id = idOf(change);
    const content = Buffer.from(change.resource.content, 'utf8').toString('base64');
    lines.push(`if stage ${id} ${hostPath(change.resource.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)} <<'PROVISION_EOF'`, content, 'PROVISION_EOF', 'then');
    lines.push(`  T${id}=$TMP`);
    if (change.resource.validate) {
      const command = change.resource.validate.includes('%s') ? change.resource.validate.replace(/%s/g, '"$1"') : `${change.resource.validate} "$1"`;
      lines.push('  # shellcheck disable=SC2016 # $1 is for the inner shell');
      lines.push(`  check ${id} sh -c ${shquote(command)} provision-validate "$T${id}"`);
    }
    lines.push('fi');
  }
  lines.push('abort_if_failed');
  if (plan.handlers.length > 0) lines.push(`PENDING_HANDLERS=${shquote(pendingHandlersFile)}`);
  if (plan.handlers.length > 0) lines.push(`promise_handlers ${plan.handlers.map((h) => shquote(h.name)).join(' ')} || fail handlers 'cannot record pending handlers'`);

  for (const change of pending) {
    const r = change.resource;
    const id = idOf(change);
    if (r.kind === 'file' && change.rewrite) lines.push(`commit ${id} "$T${id}" ${hostPath(r.path)} ${options.backup ? 1 : 0} || finish`);
    else if (r.kind === 'file') lines.push(`set_attrs ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`);
    else if (r.kind === 'symlink') lines.push(`link ${id} ${hostPath(r.path)} ${shquote(r.target)}`);
  }

  for (const handler of plan.handlers) lines.push(`handler ${shquote(handler.name)} ${shquote(handler.command)}`);
  if (plan.handlers.length > 0) lines.push('settle_handlers');
  lines.push('finish');
  return wrapScript(plan.root, readShellLibrary('apply.sh'), lines.join('\n'));
}
