// The renewal script's state of one certificate (/var/lib/letsencrypt-renew/NAME.json, format
// version 1, epoch seconds), read tolerantly: a field of the wrong type is left out, never a reason
// to fail the host's status; a file that is not JSON says so.

export interface RenewalState {
  serial?: string;
  plannedRenewalAt?: number;
  ari?: {
    checkedAt?: number;
    nextCheckAt?: number;
    window?: { start: number; end: number };
    selectedAt?: number;
    explanationURL?: string;
    error?: string;
    consecutiveErrors?: number;
  };
  lastAttempt?: { at?: number; outcome?: string; reason?: string; error?: string };
  lastRenewal?: number;
  consecutiveFailures?: number;
  /** why the file could not be read */
  unreadable?: string;
}

type Json = Record<string, unknown>;
const object = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/** A moment: epoch seconds after 0 (the script starts a fresh state's plannedRenewalAt at 0, "not planned yet"). */
const moment = (v: unknown) => (num(v) !== undefined && (v as number) > 0 ? (v as number) : undefined);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Drops the keys whose value is undefined, so a JSON report has no nulls the file did not have. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function parseRenewalState(text: string): RenewalState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { unreadable: 'not JSON' };
  }
  const root = object(data);
  if (!root) return { unreadable: 'not a JSON object' };
  if (root.version !== 1) return { unreadable: `format version ${JSON.stringify(root.version)}, this provision reads 1` };
  const ari = object(root.ari);
  const window = object(ari?.window);
  const attempt = object(root.lastAttempt);
  return defined({
    serial: str(root.serial)?.toUpperCase(),
    plannedRenewalAt: moment(root.plannedRenewalAt),
    ari: ari
      ? defined({
          checkedAt: num(ari.checkedAt),
          nextCheckAt: num(ari.nextCheckAt),
          window: window && num(window.start) !== undefined && num(window.end) !== undefined ? { start: num(window.start)!, end: num(window.end)! } : undefined,
          selectedAt: num(ari.selectedAt),
          explanationURL: str(ari.explanationURL),
          error: str(ari.error),
          consecutiveErrors: num(ari.consecutiveErrors),
        })
      : undefined,
    lastAttempt: attempt ? defined({ at: num(attempt.at), outcome: str(attempt.outcome), reason: str(attempt.reason), error: str(attempt.error) }) : undefined,
    lastRenewal: moment(root.lastRenewal),
    consecutiveFailures: num(root.consecutiveFailures),
  });
}
