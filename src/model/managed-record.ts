// The record of what provision manages on a host (shell/apply.sh write_record writes it, the probe
// reads it back in the same round trip): one line per managed path and one per handler those paths
// notify, so what the inventory drops can be removed later, with its handlers, even when the role that
// made it is gone. A line format, not JSON, because the probe's shell reads it: every field but the
// last is one word (percent-encoded where it could hold a space), the path is the rest of the line
// (managed paths never hold a newline: render refuses control characters).
//
//   # provision managed record v1
//   path KIND FLAGS ROLE CERTIFICATE NOTIFY PATH
//   handler NAME STEPS
//
// FLAGS: `c` provision created the path (only such a path is ever removed) or `t` it was there when
// provision first managed it (taken over: never removed); `s` secret (its content is never shown).
import type { HandlerStep, Handler, PathResource } from './desired.js';

export const recordHeader = '# provision managed record v1';

/** What a managed path is, as the record names it: a placeholder_certificate is its certificate set. */
export type RecordKind = 'file' | 'symlink' | 'directory' | 'private_key' | 'csr' | 'certificate';

export interface RecordEntry {
  kind: RecordKind;
  path: string;
  role: string;
  /** the certificate (acme_certificates name) the path belongs to, when a role says so */
  certificate?: string;
  /** provision made it: only a created path is ever removed */
  created: boolean;
  secret: boolean;
  /** handler names its change notifies */
  notify: string[];
  /** handler names its removal notifies, when not those of `notify` (role.yml notify_removed) */
  notifyRemoved?: string[];
}

export interface RecordedHandler {
  name: string;
  steps: HandlerStep[];
}

export interface ManagedRecord {
  entries: RecordEntry[];
  handlers: RecordedHandler[];
}

const word = (value: string | undefined) => (value === undefined || value === '' ? '-' : encodeURIComponent(value));
const unword = (value: string | undefined) => (value === undefined || value === '-' ? undefined : decodeURIComponent(value));

export function recordKind(resource: PathResource): RecordKind {
  return resource.kind === 'placeholder_certificate' ? 'certificate' : resource.kind;
}

/** The record's text: deterministic, so an unchanged host compares equal and is not written again. */
export function formatRecord(record: ManagedRecord): string {
  const lines = [recordHeader];
  for (const e of record.entries) {
    const flags = `${e.created ? 'c' : 't'}${e.secret ? 's' : ''}`;
    const names = (list: string[]) => list.map(encodeURIComponent).join(',');
    const notify =
      e.notify.length > 0 || e.notifyRemoved !== undefined ? `${names(e.notify)}${e.notifyRemoved !== undefined ? `;${names(e.notifyRemoved)}` : ''}` : '-';
    lines.push(['path', e.kind, flags, word(e.role), word(e.certificate), notify, e.path].join(' '));
  }
  for (const h of record.handlers) lines.push(['handler', word(h.name), encodeURIComponent(JSON.stringify(h.steps))].join(' '));
  return `${lines.join('\n')}\n`;
}

const kinds = new Set<string>(['file', 'symlink', 'directory', 'private_key', 'csr', 'certificate']);

/** One `path` line of the record, or undefined when the line is not one (another version's, damaged). */
export function parseRecordPath(line: string): RecordEntry | undefined {
  const fields = line.split(' ');
  if (fields[0] !== 'path' || fields.length < 7) return undefined;
  const [, kind, flags, role, certificate, notify] = fields;
  const path = fields.slice(6).join(' ');
  if (!kinds.has(kind!) || !/^[ct]s?$/.test(flags!) || !path.startsWith('/')) return undefined;
  try {
    return {
      kind: kind as RecordKind,
      path,
      role: unword(role) ?? '',
      ...(unword(certificate) !== undefined ? { certificate: unword(certificate) } : {}),
      created: flags!.startsWith('c'),
      secret: flags!.includes('s'),
      ...notifyLists(notify!),
    };
  } catch {
    return undefined;
  }
}

/** NOTIFY: `-`, or the names (`,` between them), then `;` and the removal's names when they differ. */
function notifyLists(field: string): { notify: string[]; notifyRemoved?: string[] } {
  if (field === '-') return { notify: [] };
  const [changed, removed] = field.split(';');
  const names = (text: string | undefined) => (text ? text.split(',').map(decodeURIComponent) : []);
  return { notify: names(changed), ...(removed !== undefined ? { notifyRemoved: names(removed) } : {}) };
}

/** The handlers a removal of `entry` runs. */
export function removalHandlers(entry: RecordEntry): string[] {
  return entry.notifyRemoved ?? entry.notify;
}

/** One `handler` line, or undefined. */
export function parseRecordHandler(line: string): RecordedHandler | undefined {
  const fields = line.split(' ');
  if (fields[0] !== 'handler' || fields.length !== 3) return undefined;
  try {
    const steps = JSON.parse(decodeURIComponent(fields[2]!)) as HandlerStep[];
    const valid =
      Array.isArray(steps) &&
      steps.every((s) => (s.kind === 'command' && typeof s.command === 'string') || (s.kind === 'reload' && typeof s.unit === 'string'));
    return valid ? { name: unword(fields[1])!, steps } : undefined;
  } catch {
    return undefined;
  }
}

/** The handlers of `handlers` that `entries` notify, as the record keeps them. */
export function recordedHandlers(entries: RecordEntry[], handlers: Handler[]): RecordedHandler[] {
  const notified = new Set(entries.flatMap((e) => [...e.notify, ...(e.notifyRemoved ?? [])]));
  return handlers.filter((h) => notified.has(h.name)).map((h) => ({ name: h.name, steps: h.steps }));
}
