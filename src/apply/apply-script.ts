import type { Change, Plan } from '../plan/types.js';
import { isPending } from '../plan/types.js';
import type { CsrResource, DesiredState, Handler } from '../model/desired.js';
import type { AwaitedCertificate } from '../plan/renames.js';
import { placeholderDays, resourceTarget } from '../model/desired.js';
import { readShellLibrary, reloadServiceLibrary, wrapScript } from '../host/script.js';
import { archiveDir, createdAccountsFile, pendingHandlersFile } from '../host/protocol/files.js';
import type { ScriptId } from '../host/protocol/script-ids.js';
import { scriptId } from '../host/protocol/script-ids.js';
import * as call from '../host/shell-calls.js';
import type { TargetCheck } from './target-checks.js';
import type { KeyType } from '../model/role-manifest.js';
import type { Removal } from '../plan/removals.js';
import { posix } from 'node:path';

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

/** The script id of a change's resource: its index in the desired state. */
function idIn(desired: DesiredState, change: Change): ScriptId {
  return scriptId(desired.resources.indexOf(change.resource));
}

const subjectAltNames = (domains: string[]) => domains.map((d) => `DNS:${d}`).join(',');

function prepareStep(change: Change, id: ScriptId): string | undefined {
  const r = change.resource;
  const attributes = { mode: change.mode, owner: change.owner, group: change.group };
  switch (r.kind) {
    case 'group':
      return call.ensureGroup({ id, name: r.name, system: r.system });
    case 'user':
      return call.ensureUser({ id, name: r.name, system: r.system, home: r.home, shell: r.shell, group: r.group, groups: r.groups });
    case 'directory':
      return call.ensureDir({ id, path: r.path, ...attributes, oldTarget: change.replacesLink });
    case 'private_key':
      if (!change.rewrite) return call.setAttrs({ id, path: r.path, ...attributes });
      // A rotation's next key is made anew: one there is of another type (src/plan/rotation.ts).
      if (r.next) return call.genNextKey({ id, path: r.path, ...attributes, opensslArgs: keyArguments[r.keyType] });
      return call.genKey({ id, path: r.path, ...attributes, opensslArgs: keyArguments[r.keyType] });
    case 'csr':
      if (!change.rewrite) return call.setAttrs({ id, path: r.path, ...attributes });
      return call.makeCsr({ id, path: r.path, key: r.key, subject: csrSubject(r), san: subjectAltNames(r.domains), ...attributes });
    case 'placeholder_certificate':
      return call.placeholderCert({
        id,
        dir: r.dir,
        key: r.key,
        subject: csrSubject(r),
        san: subjectAltNames(r.domains),
        days: placeholderDays,
        ...attributes,
      });
    default:
      return undefined;
  }
}

/**
 * Stages every changed file (beside its destination for an apply; in a private temp directory in check
 * mode, so nothing is written near the managed tree), runs its validate command, then the
 * whole-configuration checks with the candidates in place. Ends with `abort_if_failed`.
 */
function stagingSteps(plan: Plan, desired: DesiredState, targetChecks: TargetCheck[], mode: 'apply' | 'verify'): { lines: string[]; checks: number } {
  const pending = plan.changes.filter(isPending);
  const idOf = (change: Change) => idIn(desired, change);
  const lines: string[] = [];
  let checks = 0;
  for (const change of pending) {
    if (change.resource.kind !== 'file' || !change.rewrite) continue;
    if (mode === 'verify' && !change.resource.validate && !targetChecks.some((t) => t.changes.includes(change))) continue;
    const id = idOf(change);
    const content = Buffer.from(change.resource.content, 'utf8').toString('base64');
    const stage =
      mode === 'apply'
        ? call.stage({ id, path: change.resource.path, mode: change.mode, owner: change.owner, group: change.group })
        : call.stagePrivate({ id });
    lines.push(`if ${stage} <<'PROVISION_EOF'`, content, 'PROVISION_EOF', 'then');
    lines.push(`  ${call.keepStagedTemp(id)}`);
    if (change.resource.validate) {
      const command = change.resource.validate.includes('%s') ? change.resource.validate.replace(/%s/g, '"$1"') : `${change.resource.validate} "$1"`;
      lines.push('  # shellcheck disable=SC2016 # $1 is for the inner shell');
      lines.push(`  ${call.check({ id, shellText: command })}`);
      checks++;
    }
    lines.push('fi');
  }
  for (const check of targetChecks) {
    if (check.changes.length === 0 && check.removed.length === 0) continue;
    const candidates = check.changes.flatMap((c): call.CandidateEntry[] => {
      const r = c.resource;
      if (r.kind === 'symlink') return [{ kind: 'link', target: r.target, path: r.path }];
      return r.kind === 'file' && c.rewrite ? [{ kind: 'file', staged: idOf(c), path: r.path }] : [];
    });
    candidates.push(...check.removed.map((g): call.CandidateEntry => ({ kind: 'removed', path: g.path })));
    const first = check.changes.find((c) => c.resource.kind === 'file') ?? check.changes[0];
    const id = first ? idOf(first) : (`x${check.removed[0]!.index}` as const);
    lines.push(call.abortIfFailed());
    lines.push(call.wholeCheck({ id, label: check.label, root: check.root, command: check.command, candidates }));
    checks++;
  }
  lines.push(call.abortIfFailed());
  return { lines, checks };
}

/** The files of a certificate set, with the `.bak` links the renewal script keeps beside them. */
const certificateFiles = ['fullchain.pem', 'signed.crt', 'chain.pem'].flatMap((name) => [name, `${name}.bak`]);

/** How a recorded path the desired state dropped goes: links removed, files archived, directories when empty. */
function removalStep(removal: Removal, index: number): string {
  const id: call.RemovalId = `x${index}`;
  const { kind, path } = removal.entry;
  if (removal.was.state === 'symlink') return call.removeLink({ id, path });
  if (kind === 'directory') return call.removeDir({ id, path });
  if (kind === 'certificate') return call.archive({ id, paths: certificateFiles.map((name) => `${posix.dirname(path)}/${name}`) });
  return call.archive({ id, paths: [path] });
}

/** The record written whole from a heredoc (its text travels as base64, like a file's). */
function recordLines(file: string, text: string): string[] {
  return [`${call.writeRecord({ file })} <<'PROVISION_EOF'`, Buffer.from(text, 'utf8').toString('base64'), 'PROVISION_EOF'];
}

function recordIfNothingFailed(file: string, text: string, condition = '[ "$FAILED" = 0 ]'): string[] {
  const [first, ...rest] = recordLines(file, text);
  return [`if ${condition}; then ${first}`, ...rest, 'fi'];
}

/** A staged file renamed into place, a file's attributes set, or a link made. */
function putInPlace(change: Change, id: ScriptId, options: ApplyOptions): string[] {
  const r = change.resource;
  if (r.kind === 'file' && change.rewrite) return [`${call.commit({ id, path: r.path, backup: options.backup })} || ${call.finish()}`];
  if (r.kind === 'file') return [call.setAttrs({ id, path: r.path, mode: change.mode, owner: change.owner, group: change.group })];
  if (r.kind === 'symlink') return [call.link({ id, path: r.path, target: r.target })];
  return [];
}

/**
 * A rename (src/plan/renames.ts): the issuance handlers first; then, for each certificate issued as
 * the host checks it, its own files and links (its sites) put in place; then the paths of each
 * replaced certificate removed once every certificate that takes over its names is in place, else a
 * warning and nothing of it removed; the record of the desired state only when nothing waits any
 * more; the other handlers last (a reload then sees the new site with the CA's certificate and the old
 * site gone). Until the new site is in place nothing serves the names but the old site, so no reload,
 * the issuance's own included (letsencrypt-renew --once reloads the services that serve the challenge
 * first), can let the placeholder win over it.
 */
function issuanceSteps(plan: Plan, desired: DesiredState, awaited: AwaitedCertificate[], options: ApplyOptions): string[] {
  const lines: string[] = [];
  const issuance = new Set(awaited.flatMap((a) => a.handlers));
  const handlerLine = (h: Handler) => call.handler({ name: h.name, steps: h.steps });
  // Whether every removal succeeded, the immediate ones (above) and those that wait: the issuance
  // handlers' own failure does not count here (the certificate may be issued all the same).
  lines.push(`REMOVED=1`, `[ "$FAILED" = 0 ] || REMOVED=0`);
  lines.push(...plan.handlers.filter((h) => issuance.has(h.name)).map(handlerLine));
  const flag = (certificate: string) => `AWAITED_${awaited.findIndex((a) => a.certificate === certificate)}`;
  awaited.forEach((a, index) => {
    const own = plan.changes.filter((c) => c.afterIssuance === a.certificate);
    lines.push(`AWAITED_${index}=0`, `if ${call.issued({ dir: a.dir, key: a.key, names: a.domains })}; then`, `  ${call.beginPart()}`);
    for (const change of own) lines.push(...putInPlace(change, idIn(desired, change), options).map((l) => `  ${l}`));
    lines.push(`  if ${call.endPart()}; then AWAITED_${index}=1; fi`, 'fi');
  });
  const replaced = [...new Set(plan.removals.flatMap((r) => (r.awaits !== undefined && r.entry.certificate !== undefined ? [r.entry.certificate] : [])))];
  for (const certificate of replaced) {
    const removals = plan.removals.map((r, index) => ({ r, index })).filter(({ r }) => r.awaits !== undefined && r.entry.certificate === certificate);
    const by = removals[0]!.r.awaits!;
    lines.push(`if ${by.map((n) => `[ "$${flag(n)}" = 1 ]`).join(' && ')}; then`, `  ${call.beginPart()}`);
    for (const { r, index } of removals) lines.push(`  ${removalStep(r, index)}`);
    lines.push(`  if ! ${call.endPart()}; then REMOVED=0; fi`, 'else', '  REMOVED=0');
    lines.push(
      `  ${call.warn({
        text: `the removal of certificate ${certificate} (its sites, key, CSR and certificate) is postponed until certificate ${by.join(', ')}, which takes over its names, is issued and in place: ${certificate} stays in place and served; the next apply tries again`,
      })}`,
      'fi',
    );
  }
  const record = plan.record;
  if (record && record.after !== record.postponed) lines.push(...recordIfNothingFailed(record.file, record.after, '[ "$REMOVED" = 1 ]'));
  lines.push(...plan.handlers.filter((h) => !issuance.has(h.name)).map(handlerLine));
  return lines;
}

/**
 * The single script that makes a host match its plan. Contents travel inside it as base64 heredocs
 * (on stdin, never on a command line); keys are generated on the host and never leave it.
 */
export function applyScript(plan: Plan, desired: DesiredState, options: ApplyOptions): string {
  const pending = plan.changes.filter(isPending);
  const idOf = (change: Change) => idIn(desired, change);
  const lines: string[] = [];
  const record = plan.record;

  // Every path this apply may create, and every one it removes, is in the record before anything
  // changes: a run cut off anywhere leaves a record that holds all that provision made.
  if (record && record.before !== record.current) lines.push(...recordLines(record.file, record.before), `[ "$FAILED" = 0 ] || ${call.finish()}`);
  if (pending.some((c) => c.resource.kind === 'user')) lines.push(call.setCreatedAccountsFile(createdAccountsFile));
  for (const change of pending) {
    const step = prepareStep(change, idOf(change));
    // Checked where the step runs, after the directories above were made safe; a file or link is
    // checked here too, before anything is staged: nothing below a safe directory changes after.
    const recheck =
      change.recheckBelow === undefined ? undefined : call.safeBelow({ id: idOf(change), top: change.recheckBelow, path: resourceTarget(change.resource) });
    if (recheck && step) lines.push(`${recheck} && ${step}`);
    else if (recheck) lines.push(recheck);
    else if (step) lines.push(step);
  }
  lines.push(...stagingSteps(plan, desired, options.targetChecks, 'apply').lines);
  if (plan.handlers.length > 0) lines.push(call.setPendingHandlersFile(pendingHandlersFile));
  if (plan.handlers.length > 0)
    lines.push(
      `${call.promiseHandlers({ names: plan.handlers.map((h) => h.name) })} || ${call.fail({ id: 'handlers', message: 'cannot record pending handlers' })}`,
    );

  for (const change of pending) if (change.afterIssuance === undefined) lines.push(...putInPlace(change, idOf(change), options));

  if (plan.removals.length > 0) lines.push(call.setArchiveDir(archiveDir));
  plan.removals.forEach((removal, index) => {
    if (removal.awaits === undefined) lines.push(removalStep(removal, index));
  });
  // Crossed off only once removed: a removal that failed stays in the record for the next run.
  const written = record ? (record.before !== record.current ? record.before : record.current) : '';
  const awaited = plan.awaited ?? [];
  if (awaited.length === 0) {
    if (record && record.after !== written) lines.push(...recordIfNothingFailed(record.file, record.after));
    for (const handler of plan.handlers) lines.push(call.handler({ name: handler.name, steps: handler.steps }));
  } else {
    if (record?.postponed !== undefined && record.postponed !== written) lines.push(...recordIfNothingFailed(record.file, record.postponed));
    lines.push(...issuanceSteps(plan, desired, awaited, options));
  }
  if (plan.handlers.length > 0) lines.push(call.settleHandlers());
  lines.push(call.finish());
  return wrapScript(plan.root, `${readShellLibrary('apply.sh')}\n${reloadServiceLibrary()}`, lines.join('\n'));
}

/**
 * Check mode's script: the validate commands and whole-configuration checks an apply would run, on
 * the candidates, changing nothing (ansible#56517: Ansible skips validate in check mode). Undefined
 * when nothing in the plan is checked.
 */
export function verifyScript(plan: Plan, desired: DesiredState, targetChecks: TargetCheck[]): string | undefined {
  const steps = stagingSteps(plan, desired, targetChecks, 'verify');
  if (steps.checks === 0) return undefined;
  return wrapScript(plan.root, readShellLibrary('apply.sh'), [...steps.lines, call.finish()].join('\n'));
}
