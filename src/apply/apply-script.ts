import type { Change, Plan } from '../plan/types.js';
import { pendingChanges } from '../plan/types.js';
import type { CsrResource, DesiredState, HandlerStep } from '../state/desired.js';
import { placeholderDays, resourceTarget } from '../state/desired.js';
import { hostPath, readShellLibrary, reloadServiceLibrary, shquote, wrapScript } from '../shell/script.js';
import { createdAccountsFile, pendingHandlersFile } from '../probe/probe-script.js';
import type { TargetCheck } from '../validate/target-checks.js';
import type { KeyType } from '../roles/types.js';

export interface ApplyOptions {
  /** keep the file a change replaces as `file.PID.DATE~` (Ansible's backup: yes) */
  backup: boolean;
  /** whole-configuration checks to pass before anything is renamed into place */
  targetChecks: TargetCheck[];
}

export const keyArguments: Record<KeyType, string[]> = {
  rsa2048: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  rsa3072: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  rsa4096: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
  ec256: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  ec384: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
};

/** openssl -subj syntax, seed order (/C=../O=../CN=..); `/` and `\` in values are escaped. */
export function csrSubject(csr: Pick<CsrResource, 'domains' | 'country' | 'organization'>): string {
  const escape = (value: string) => value.replace(/([/\\])/g, '\\$1');
  let subject = '';
  if (csr.country) subject += `/C=${escape(csr.country)}`;
  if (csr.organization) subject += `/O=${escape(csr.organization)}`;
  return `${subject}/CN=${escape(csr.domains[0]!)}`;
}

const q = (value: string | undefined) => shquote(value ?? '');

/** How the scripts name a resource in their reports: `r<index in the desired state>`. */
function scriptId(desired: DesiredState, change: Change): string {
  return `r${desired.resources.indexOf(change.resource)}`;
}

function prepareStep(change: Change, id: string): string | undefined {
  const r = change.resource;
  switch (r.kind) {
    case 'group':
      return `ensure_group ${id} ${q(r.name)} ${r.system ? 1 : "''"}`;
    case 'user':
      return `ensure_user ${id} ${q(r.name)} ${r.system ? 1 : "''"} ${q(r.home)} ${q(r.shell)} ${q(r.group)} ${q(r.groups.join(','))}`;
    case 'directory':
      return `ensure_dir ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}${change.replacesLink ? ` ${shquote(change.replacesLink)}` : ''}`;
    case 'private_key':
      if (!change.rewrite) return `set_attrs ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
      return `gen_key ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)} ${keyArguments[r.keyType].join(' ')}`;
    case 'csr':
      if (!change.rewrite) return `set_attrs ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
      return `make_csr ${id} ${hostPath(r.path)} ${hostPath(r.key)} ${q(csrSubject(r))} ${q(r.domains.map((d) => `DNS:${d}`).join(','))} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
    case 'placeholder_certificate':
      return `placeholder_cert ${id} ${hostPath(r.dir)} ${hostPath(r.key)} ${q(csrSubject(r))} ${q(r.domains.map((d) => `DNS:${d}`).join(','))} ${placeholderDays} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`;
    default:
      return undefined;
  }
}

/**
 * Stages every changed file (beside its destination for an apply; in a private temp directory in check
 * mode, so nothing is written near the managed tree), runs its validate command, then the
 * whole-configuration checks with the candidates in place. Ends with `abort_if_failed`.
 */
function stagingSteps(plan: Plan, desired: DesiredState, targetChecks: TargetCheck[], mode: 'apply' | 'verify'): string[] {
  const pending = pendingChanges(plan);
  const idOf = (change: Change) => scriptId(desired, change);
  const lines: string[] = [];
  for (const change of pending) {
    if (change.resource.kind !== 'file' || !change.rewrite) continue;
    if (mode === 'verify' && !change.resource.validate && !targetChecks.some((t) => t.changes.includes(change))) continue;
    const id = idOf(change);
    const content = Buffer.from(change.resource.content, 'utf8').toString('base64');
    const stage = mode === 'apply' ? `stage ${id} ${hostPath(change.resource.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}` : `stage_private ${id}`;
    lines.push(`if ${stage} <<'PROVISION_EOF'`, content, 'PROVISION_EOF', 'then');
    lines.push(`  T${id}=$TMP`);
    if (change.resource.validate) {
      const command = change.resource.validate.includes('%s') ? change.resource.validate.replace(/%s/g, '"$1"') : `${change.resource.validate} "$1"`;
      lines.push('  # shellcheck disable=SC2016 # $1 is for the inner shell');
      lines.push(`  check ${id} sh -c ${shquote(command)} provision-validate "$T${id}"`);
    }
    lines.push('fi');
  }
  for (const check of targetChecks) {
    if (check.changes.length === 0) continue;
    const entries = check.changes.map((c) => {
      const r = c.resource;
      if (r.kind === 'symlink') return `l ${shquote(r.target)} ${shquote(r.path)}`;
      return r.kind === 'file' && c.rewrite ? `f "$T${idOf(c)}" ${shquote(r.path)}` : '';
    });
    const first = check.changes.find((c) => c.resource.kind === 'file') ?? check.changes[0]!;
    lines.push(`abort_if_failed`);
    lines.push(`whole_check ${idOf(first)} ${shquote(check.label)} ${shquote(check.root)} ${shquote(check.command)} ${entries.filter(Boolean).join(' ')}`);
  }
  lines.push('abort_if_failed');
  return lines;
}

/** A handler step as the apply script's `handler` function takes it: `command TEXT` or `reload UNIT`. */
function stepArguments(step: HandlerStep): string {
  return step.kind === 'reload' ? `reload ${shquote(step.unit)}` : `command ${shquote(step.command)}`;
}

/**
 * The single script that makes a host match its plan. Contents travel inside it as base64 heredocs
 * (on stdin, never on a command line); keys are generated on the host and never leave it.
 */
export function applyScript(plan: Plan, desired: DesiredState, options: ApplyOptions): string {
  const pending = pendingChanges(plan);
  const idOf = (change: Change) => scriptId(desired, change);
  const lines: string[] = [];

  if (pending.some((c) => c.resource.kind === 'user')) lines.push(`CREATED_ACCOUNTS=${shquote(createdAccountsFile)}`);
  for (const change of pending) {
    const step = prepareStep(change, idOf(change));
    // Checked where the step runs, after the directories above were made safe; a file or link is
    // checked here too, before anything is staged: nothing below a safe directory changes after.
    const recheck = change.recheckBelow === undefined ? undefined : `safe_below ${idOf(change)} ${shquote(change.recheckBelow)} ${hostPath(resourceTarget(change.resource))}`;
    if (recheck && step) lines.push(`${recheck} && ${step}`);
    else if (recheck) lines.push(recheck);
    else if (step) lines.push(step);
  }
  lines.push(...stagingSteps(plan, desired, options.targetChecks, 'apply'));
  if (plan.handlers.length > 0) lines.push(`PENDING_HANDLERS=${shquote(pendingHandlersFile)}`);
  if (plan.handlers.length > 0) lines.push(`promise_handlers ${plan.handlers.map((h) => shquote(h.name)).join(' ')} || fail handlers 'cannot record pending handlers'`);

  for (const change of pending) {
    const r = change.resource;
    const id = idOf(change);
    if (r.kind === 'file' && change.rewrite) lines.push(`commit ${id} "$T${id}" ${hostPath(r.path)} ${options.backup ? 1 : 0} || finish`);
    else if (r.kind === 'file') lines.push(`set_attrs ${id} ${hostPath(r.path)} ${q(change.mode)} ${q(change.owner)} ${q(change.group)}`);
    else if (r.kind === 'symlink') lines.push(`link ${id} ${hostPath(r.path)} ${shquote(r.target)}`);
  }

  for (const handler of plan.handlers) lines.push(`handler ${shquote(handler.name)} ${handler.steps.map(stepArguments).join(' ')}`);
  if (plan.handlers.length > 0) lines.push('settle_handlers');
  lines.push('finish');
  return wrapScript(plan.root, `${readShellLibrary('apply.sh')}\n${reloadServiceLibrary()}`, lines.join('\n'));
}

/**
 * Check mode's script: the validate commands and whole-configuration checks an apply would run, on
 * the candidates, changing nothing (ansible#56517: Ansible skips validate in check mode). Undefined
 * when nothing in the plan is checked.
 */
export function verifyScript(plan: Plan, desired: DesiredState, targetChecks: TargetCheck[]): string | undefined {
  const steps = stagingSteps(plan, desired, targetChecks, 'verify');
  if (!steps.some((line) => line.startsWith('  check ') || line.startsWith('whole_check '))) return undefined;
  return wrapScript(plan.root, readShellLibrary('apply.sh'), [...steps, 'finish'].join('\n'));
}
