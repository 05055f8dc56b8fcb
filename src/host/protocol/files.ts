// Files provision keeps on a host (never under a --root tree), written by the apply script and read
// back by the probe: the contract between shell/apply.sh, shell/probe.sh and the plan.

/** The handlers an apply promised and has not run yet, one name a line (apply.sh promise_handlers). */
export const pendingHandlersFile = '/var/lib/provision/pending-handlers';
/** The accounts provision created on the host, one name a line (apply.sh ensure_user writes it). */
export const createdAccountsFile = '/var/lib/provision/accounts';
/**
 * The directory of the records of what provision manages (src/model/managed-record.ts), root's only
 * (0700): one file per inventory host name, so two inventories that name one machine differently never
 * remove each other's files.
 */
export const managedRecordDir = '/var/lib/provision/managed';
/** Where removed files, keys and certificates go: ARCHIVE/DATE.PID/<their absolute path>, root's only. */
export const archiveDir = '/var/lib/provision/archive';

/** The record of the inventory host `host`: its name as one file name ("/" and a leading "." encoded). */
export function managedRecordFile(host: string): string {
  return `${managedRecordDir}/${encodeURIComponent(host).replace(/^\./, '%2E')}`;
}
