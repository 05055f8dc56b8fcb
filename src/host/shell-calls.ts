// One builder per shell function of shell/apply.sh and shell/probe.sh that TypeScript calls. Each takes
// named fields and returns the call line, every argument quoted: the argument ORDER is written once,
// here, under the shell function's own parameter line (copied from the comment above the function).
// test/host/shell-calls.test.ts runs every builder's line against that comment, so a builder and its
// function cannot drift apart.
import type { HandlerStep } from '../model/desired.js';
import { hostPath, shquote } from './script.js';
import type { ScriptId } from './protocol/script-ids.js';

/** mode, owner or group as the functions take them: empty leaves that attribute alone */
const attribute = (value: string | undefined) => shquote(value ?? '');
/** a yes/no parameter the function tests with `${N:+...}`: `1` or empty */
const setOrEmpty = (value: boolean) => (value ? '1' : "''");
/** a yes/no parameter the function compares with 1 */
const oneOrZero = (value: boolean) => (value ? '1' : '0');

const call = (name: string, ...args: string[]) => [name, ...args].join(' ');

interface Attributes {
  mode?: string;
  owner?: string;
  group?: string;
}

// ---- the staged temp files of the apply script: `T<id>` holds the temp file staged for resource <id>

/** The line that keeps the temp file `stage` just made (TMP) as resource `id`'s. */
export function keepStagedTemp(id: ScriptId): string {
  return `T${id}=$TMP`;
}

/** The temp file staged for resource `id`, as a shell word. */
export function stagedTemp(id: ScriptId): string {
  return `"$T${id}"`;
}

/** The assignment of CREATED_ACCOUNTS, the record ensure_user keeps (apply.sh reads the variable). */
export function setCreatedAccountsFile(file: string): string {
  return `CREATED_ACCOUNTS=${shquote(file)}`;
}

/** The assignment of PENDING_HANDLERS, the handlers still owed (apply.sh reads the variable). */
export function setPendingHandlersFile(file: string): string {
  return `PENDING_HANDLERS=${shquote(file)}`;
}

// ---- shell/apply.sh

/** ensure_group ID NAME SYSTEM */
export function ensureGroup(a: { id: ScriptId; name: string; system: boolean }): string {
  return call('ensure_group', a.id, shquote(a.name), setOrEmpty(a.system));
}

/** ensure_user ID NAME SYSTEM HOME SHELL GROUP GROUPS(comma separated) */
export function ensureUser(a: { id: ScriptId; name: string; system: boolean; home?: string; shell?: string; group?: string; groups: string[] }): string {
  return call(
    'ensure_user',
    a.id,
    shquote(a.name),
    setOrEmpty(a.system),
    attribute(a.home),
    attribute(a.shell),
    attribute(a.group),
    shquote(a.groups.join(',')),
  );
}

/** ensure_dir ID PATH MODE OWNER GROUP [OLD-TARGET] */
export function ensureDir(a: { id: ScriptId; path: string; oldTarget?: string } & Attributes): string {
  return call('ensure_dir', a.id, hostPath(a.path), attribute(a.mode), attribute(a.owner), attribute(a.group), ...(a.oldTarget ? [shquote(a.oldTarget)] : []));
}

/** set_attrs ID PATH MODE OWNER GROUP */
export function setAttrs(a: { id: ScriptId; path: string } & Attributes): string {
  return call('set_attrs', a.id, hostPath(a.path), attribute(a.mode), attribute(a.owner), attribute(a.group));
}

/** gen_key ID PATH MODE OWNER GROUP OPENSSL-ARGS... */
export function genKey(a: { id: ScriptId; path: string; opensslArgs: string[] } & Attributes): string {
  return call('gen_key', a.id, hostPath(a.path), attribute(a.mode), attribute(a.owner), attribute(a.group), ...a.opensslArgs.map(shquote));
}

/** gen_next_key ID PATH MODE OWNER GROUP OPENSSL-ARGS... */
export function genNextKey(a: { id: ScriptId; path: string; opensslArgs: string[] } & Attributes): string {
  return call('gen_next_key', a.id, hostPath(a.path), attribute(a.mode), attribute(a.owner), attribute(a.group), ...a.opensslArgs.map(shquote));
}

/** make_csr ID PATH KEY SUBJECT SAN MODE OWNER GROUP */
export function makeCsr(a: { id: ScriptId; path: string; key: string; subject: string; san: string } & Attributes): string {
  return call(
    'make_csr',
    a.id,
    hostPath(a.path),
    hostPath(a.key),
    shquote(a.subject),
    shquote(a.san),
    attribute(a.mode),
    attribute(a.owner),
    attribute(a.group),
  );
}

/** placeholder_cert ID DIR KEY SUBJECT SAN DAYS MODE OWNER GROUP */
export function placeholderCert(a: { id: ScriptId; dir: string; key: string; subject: string; san: string; days: number } & Attributes): string {
  return call(
    'placeholder_cert',
    a.id,
    hostPath(a.dir),
    hostPath(a.key),
    shquote(a.subject),
    shquote(a.san),
    shquote(a.days),
    attribute(a.mode),
    attribute(a.owner),
    attribute(a.group),
  );
}

/** safe_below ID TOP PATH (TOP a directory on the machine, PATH under the root prefix) */
export function safeBelow(a: { id: ScriptId; top: string; path: string }): string {
  return call('safe_below', a.id, shquote(a.top), hostPath(a.path));
}

/** stage ID PATH MODE OWNER GROUP < base64 (the caller adds the heredoc) */
export function stage(a: { id: ScriptId; path: string } & Attributes): string {
  return call('stage', a.id, hostPath(a.path), attribute(a.mode), attribute(a.owner), attribute(a.group));
}

/** stage_private ID < base64 (the caller adds the heredoc) */
export function stagePrivate(a: { id: ScriptId }): string {
  return call('stage_private', a.id);
}

/**
 * check ID COMMAND...: COMMAND is `sh -c TEXT provision-validate TEMP`, TEXT naming the staged file
 * (resource `id`'s) as "$1".
 */
export function check(a: { id: ScriptId; shellText: string }): string {
  return call('check', a.id, 'sh', '-c', shquote(a.shellText), 'provision-validate', stagedTemp(a.id));
}

/** A candidate of whole_check: the staged temp of a file resource, a link, or a path the apply removes, at its path on the host. */
export type CandidateEntry =
  { kind: 'file'; staged: ScriptId; path: string } | { kind: 'link'; target: string; path: string } | { kind: 'removed'; path: string };

/** whole_check ID LABEL ROOT COMMAND [f TEMP DEST | l TARGET PATH | d - PATH]... */
export function wholeCheck(a: { id: ScriptId | RemovalId; label: string; root: string; command: string; candidates: CandidateEntry[] }): string {
  const entries = a.candidates.map((c) =>
    c.kind === 'file'
      ? call('f', stagedTemp(c.staged), shquote(c.path))
      : c.kind === 'link'
        ? call('l', shquote(c.target), shquote(c.path))
        : call('d', '-', shquote(c.path)),
  );
  return call('whole_check', a.id, shquote(a.label), shquote(a.root), shquote(a.command), ...entries);
}

/** promise_handlers NAME... */
export function promiseHandlers(a: { names: string[] }): string {
  return call('promise_handlers', ...a.names.map(shquote));
}

/** fail ID MESSAGE [DETAIL] (ID `handlers` for the handlers' own bookkeeping) */
export function fail(a: { id: ScriptId | 'handlers'; message: string; detail?: string }): string {
  return call('fail', a.id, shquote(a.message), ...(a.detail !== undefined ? [shquote(a.detail)] : []));
}

/** commit ID TEMP PATH BACKUP (TEMP: the file staged for ID) */
export function commit(a: { id: ScriptId; path: string; backup: boolean }): string {
  return call('commit', a.id, stagedTemp(a.id), hostPath(a.path), oneOrZero(a.backup));
}

/** link ID PATH TARGET */
export function link(a: { id: ScriptId; path: string; target: string }): string {
  return call('link', a.id, hostPath(a.path), shquote(a.target));
}

/** handler NAME [command TEXT | reload UNIT]... */
export function handler(a: { name: string; steps: HandlerStep[] }): string {
  const steps = a.steps.map((step) => (step.kind === 'reload' ? call('reload', shquote(step.unit)) : call('command', shquote(step.command))));
  return call('handler', shquote(a.name), ...steps);
}

/** settle_handlers */
export function settleHandlers(): string {
  return call('settle_handlers');
}

/** abort_if_failed */
export function abortIfFailed(): string {
  return call('abort_if_failed');
}

/** finish */
export function finish(): string {
  return call('finish');
}

/** The assignment of ARCHIVE_DIR, where archive keeps what it removes (apply.sh reads the variable). */
export function setArchiveDir(dir: string): string {
  return `ARCHIVE_DIR=${shquote(dir)}`;
}

/** A removal's id in the apply script: `x<index>` in the plan's removals (never a resource's `r<index>`). */
export type RemovalId = `x${number}`;

/** write_record ID FILE < base64 (the caller adds the heredoc) */
export function writeRecord(a: { file: string }): string {
  return call('write_record', 'record', shquote(a.file));
}

/** issued DIR KEY NAME... */
export function issued(a: { dir: string; key: string; names: string[] }): string {
  return call('issued', hostPath(a.dir), hostPath(a.key), ...a.names.map(shquote));
}

/** begin_part */
export function beginPart(): string {
  return call('begin_part');
}

/** end_part */
export function endPart(): string {
  return call('end_part');
}

/** warn TEXT */
export function warn(a: { text: string }): string {
  return call('warn', shquote(a.text));
}

/** remove_link ID PATH */
export function removeLink(a: { id: RemovalId; path: string }): string {
  return call('remove_link', a.id, hostPath(a.path));
}

/** archive ID PATH... */
export function archive(a: { id: RemovalId; paths: string[] }): string {
  return call('archive', a.id, ...a.paths.map(hostPath));
}

/** remove_dir ID PATH */
export function removeDir(a: { id: RemovalId; path: string }): string {
  return call('remove_dir', a.id, hostPath(a.path));
}

// ---- shell/probe.sh

/** probe_uid */
export function probeUid(): string {
  return call('probe_uid');
}

/** probe_stat_all PATH... (paths under the root prefix, then directories on the machine) */
export function probeStatAll(a: { paths: string[]; machinePaths: string[] }): string {
  return call('probe_stat_all', ...a.paths.map(hostPath), ...a.machinePaths.map(shquote));
}

/** probe_sum_all PATH... */
export function probeSumAll(a: { paths: string[] }): string {
  return call('probe_sum_all', ...a.paths.map(hostPath));
}

/** probe_link_all PATH... */
export function probeLinkAll(a: { paths: string[] }): string {
  return call('probe_link_all', ...a.paths.map(hostPath));
}

/** probe_getent_all passwd|group NAME... */
export function probeGetentAll(a: { database: 'passwd' | 'group'; names: string[] }): string {
  return call('probe_getent_all', a.database, ...a.names.map(shquote));
}

/** probe_fact NAME stdout|both CANDIDATES ARG... (CANDIDATES: program names or paths, `:` between them) */
export function probeFact(a: { name: string; output: 'stdout' | 'both'; programs: string[]; args: string[] }): string {
  return call('probe_fact', shquote(a.name), a.output, shquote(a.programs.join(':')), ...a.args.map(shquote));
}

/** probe_account passwd|group NAME */
export function probeAccount(a: { database: 'passwd' | 'group'; name: string }): string {
  return call('probe_account', a.database, shquote(a.name));
}

/** probe_file ID PATH SHA256 SEND (SEND: the content comes back when it differs) */
export function probeFile(a: { id: ScriptId; path: string; sha256: string; sendContent: boolean }): string {
  return call('probe_file', a.id, hostPath(a.path), shquote(a.sha256), oneOrZero(a.sendContent));
}

/** probe_dir ID PATH */
export function probeDir(a: { id: ScriptId; path: string }): string {
  return call('probe_dir', a.id, hostPath(a.path));
}

/** probe_link ID PATH */
export function probeLink(a: { id: ScriptId; path: string }): string {
  return call('probe_link', a.id, hostPath(a.path));
}

/** probe_key ID PATH [CSR] */
export function probeKey(a: { id: ScriptId; path: string; csr?: string }): string {
  return a.csr === undefined ? call('probe_key', a.id, hostPath(a.path)) : call('probe_key', a.id, hostPath(a.path), hostPath(a.csr));
}

/** probe_csr ID CSR KEY */
export function probeCsr(a: { id: ScriptId; path: string; key: string }): string {
  return call('probe_csr', a.id, hostPath(a.path), hostPath(a.key));
}

/** probe_cert ID CERT KEY */
export function probeCert(a: { id: ScriptId; path: string; key: string }): string {
  return call('probe_cert', a.id, hostPath(a.path), hostPath(a.key));
}

/** probe_user ID NAME */
export function probeUser(a: { id: ScriptId; name: string }): string {
  return call('probe_user', a.id, shquote(a.name));
}

/** probe_group ID NAME */
export function probeGroup(a: { id: ScriptId; name: string }): string {
  return call('probe_group', a.id, shquote(a.name));
}

/** probe_parent DIR (on the machine) */
export function probeParent(a: { dir: string }): string {
  return call('probe_parent', shquote(a.dir));
}

/** probe_created_accounts FILE */
export function probeCreatedAccounts(a: { file: string }): string {
  return call('probe_created_accounts', shquote(a.file));
}

/** probe_pending_handlers FILE */
export function probePendingHandlers(a: { file: string }): string {
  return call('probe_pending_handlers', shquote(a.file));
}

/** probe_record FILE DESIRED (DESIRED: the desired paths, one a line) */
export function probeRecord(a: { file: string; desired: string[] }): string {
  return call('probe_record', shquote(a.file), shquote(a.desired.join('\n')));
}

/** foreign_links N DIR USES DESIRED (DESIRED: the desired paths, one a line; shell/foreign-links.sh) */
export function foreignLinks(a: { index: number; dir: string; uses: string; desired: string[] }): string {
  return call('foreign_links', shquote(a.index), shquote(a.dir), shquote(a.uses), shquote(a.desired.join('\n')));
}

// ---- shell/status.sh

/** status_now */
export function statusNow(): string {
  return call('status_now');
}

/** status_cron_line FILE WORD */
export function statusCronLine(a: { file: string; word: string }): string {
  return call('status_cron_line', hostPath(a.file), shquote(a.word));
}

/** status_cert ID DIR CA-FILE */
export function statusCert(a: { id: string; dir: string; caFile: string }): string {
  return call('status_cert', a.id, hostPath(a.dir), shquote(a.caFile));
}

/** status_state ID FILE */
export function statusState(a: { id: string; file: string }): string {
  return call('status_state', a.id, hostPath(a.file));
}

/** status_schedule KIND FILE [UNIT] */
export function statusSchedule(a: { kind: string; file: string; unit?: string }): string {
  return call('status_schedule', shquote(a.kind), hostPath(a.file), ...(a.unit === undefined ? [] : [shquote(a.unit)]));
}

/** status_served ID PORT STARTTLS NAME DIR */
export function statusServed(a: { id: string; port: number; starttls: string; serverName: string; dir: string }): string {
  return call('status_served', a.id, String(a.port), shquote(a.starttls), shquote(a.serverName), hostPath(a.dir));
}
