// What `provision status` reports: per host, per certificate, judged (src/status/health.ts).
import type { Starttls } from '../render/endpoints.js';
import type { RenewalState } from './renewal-state.js';

/** Most urgent last; a host's health is its worst certificate's, an unreachable host's unknown. */
export const healthOrder = ['ok', 'renewal due', 'unknown', 'warning', 'critical'] as const;
export type Health = (typeof healthOrder)[number];

export function worst(healths: Health[]): Health {
  return healths.reduce<Health>((a, b) => (healthOrder.indexOf(b) > healthOrder.indexOf(a) ? b : a), 'ok');
}

export interface ServedStatus {
  service: string;
  port: number;
  starttls: Starttls;
  serverName: string;
  /** the serial presented; absent when none was had (error says why) */
  serial?: string;
  notAfter?: number;
  matches: boolean;
  error?: string;
}

export interface ScheduleStatus {
  kind: string;
  file: string;
  present: boolean;
  unit?: string;
  enabled?: string;
  active?: string;
  /** the next run: systemd's NextElapseUSecRealtime for the timer; for cron `YYYY-MM-DD HH:MM +hhmm (ZONE)` */
  next?: string;
  /** cron: the next run in epoch seconds, and the zone it was computed in (/etc/timezone's name, a fixed `date +%z` offset, or UTC) */
  nextAt?: number;
  zone?: string;
  ok: boolean;
}

export interface CertificateStatus {
  name: string;
  /** the names the inventory asks for */
  domains: string[];
  installed: boolean;
  /** the SAN names of the installed certificate */
  names: string[];
  keyType?: string;
  issuer?: string;
  serial?: string;
  notBefore?: number;
  notAfter?: number;
  /** seconds of lifetime left (negative once expired) and its share of the whole lifetime */
  secondsLeft?: number;
  shareLeft?: number;
  placeholder: boolean;
  keyMatches?: boolean;
  oneSet?: boolean;
  chainIssued?: boolean;
  trusted?: boolean;
  drift: { missing: string[]; extra: string[] };
  renewal: RenewalState | null;
  /** when the next renewal is planned: the renewal state's moment, else two thirds into the lifetime */
  renewalAt?: number;
  served: ServedStatus[];
  health: Health;
  /** why it is not ok, most serious first */
  reasons: string[];
}

export interface HostStatus {
  name: string;
  /** reached and read; unreachable; or reached and the status script failed */
  reach: 'ok' | 'unreachable' | 'failed';
  error?: string;
  /** the host's clock when it answered */
  now?: number;
  schedule?: ScheduleStatus;
  certificates: CertificateStatus[];
  /** leftovers plan and apply warn about too: a site enabled in a foreign_links directory using a certificate no role of the host manages */
  warnings?: string[];
  health: Health;
}
