// The status script's answers (shell/status.sh) read back: what the host has, as it said it, with
// openssl's dates turned into epoch seconds. Judging it is src/status/health.ts's job.
import { createPublicKey } from 'node:crypto';
import { answerPrefix, statusAnswer, statusItemAnswer } from './answers.js';
import { ProbeOutputError } from './parse-probe.js';

export interface ObservedCertificate {
  /** domain.key, signed.crt, chain.pem, fullchain.pem: 1 a file, 0 missing, other something else */
  files: Record<string, string>;
  /** the leaf could be read as a certificate */
  readable: boolean;
  serial?: string;
  notBefore?: number;
  notAfter?: number;
  issuer?: string;
  subject?: string;
  /** DNS names and IP addresses of the subjectAltName extension only (45-day and 6-day certificates have no CN) */
  names: string[];
  /** rsa2048, ec256, ... or what asn1parse named */
  keyType?: string;
  keyMatch?: 'yes' | 'no' | 'missing' | 'unreadable';
  /** signed.crt + chain.pem = fullchain.pem */
  oneSet?: boolean;
  /** chain.pem issued the leaf */
  chainIssued?: boolean;
  /** the leaf verifies up to a trusted root (system store or acme_ca_file) */
  trusted?: boolean;
  /** the renewal state file's text; null: none yet */
  state?: string | null;
}

export interface ObservedEndpoint {
  /** it presents the installed leaf, byte for byte */
  same?: boolean;
  serial?: string;
  notAfter?: number;
  /** why no certificate was had */
  error?: string;
}

export interface ObservedSchedule {
  kind: string;
  present: boolean;
  /** a systemd timer: `systemctl is-enabled` / `is-active`, and NextElapseUSecRealtime */
  enabled?: string;
  active?: string;
  next?: string;
}

export interface StatusObservation {
  now: number;
  /** the host's time zone: /etc/timezone's name, `date +%z` */
  zone: { name?: string; offset?: string };
  /** the cron line that runs the renewal (a cron schedule) */
  cron?: string;
  certificates: Map<string, ObservedCertificate>;
  endpoints: Map<string, ObservedEndpoint>;
  schedule?: ObservedSchedule;
  /** `@foreign` lines (shell/foreign-links.sh), as the probe reads them */
  foreignLinks?: { index: number; name: string; link: string }[];
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * An openssl date as epoch seconds: `Mar  1 12:00:00 2027 GMT` (the default) or `2027-03-01
 * 12:00:00Z` (`-dateopt iso_8601`). Undefined for anything else: never a guess.
 */
export function parseOpensslDate(text: string): number | undefined {
  const classic = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d+)? (\d{4}) GMT$/.exec(text.trim());
  if (classic) {
    const month = months.indexOf(classic[1]!);
    if (month < 0) return undefined;
    return Date.UTC(Number(classic[6]), month, Number(classic[2]), Number(classic[3]), Number(classic[4]), Number(classic[5])) / 1000;
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})Z$/.exec(text.trim());
  if (iso) return Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4]), Number(iso[5]), Number(iso[6])) / 1000;
  return undefined;
}

/** `DNS:a.example, IP Address:192.0.2.1` -> the names. */
function sanNames(line: string): string[] {
  return line
    .split(',')
    .map((part) => part.trim())
    .flatMap((part) => {
      const match = /^(?:DNS|IP Address):(.+)$/.exec(part);
      return match ? [match[1]!] : [];
    });
}

const curves: Record<string, string> = { prime256v1: 'ec256', secp384r1: 'ec384', secp521r1: 'ec521' };

/** A DER SubjectPublicKeyInfo (base64) -> rsa2048, ec256, ec384, ed25519...; `unknown` when it cannot be read. */
export function keyTypeOf(base64: string): string {
  try {
    const key = createPublicKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'spki' });
    const details = key.asymmetricKeyDetails ?? {};
    if (key.asymmetricKeyType === 'rsa') return details.modulusLength ? `rsa${details.modulusLength}` : 'rsa';
    if (key.asymmetricKeyType === 'ec') return curves[details.namedCurve ?? ''] ?? `ec ${details.namedCurve ?? ''}`.trim();
    return key.asymmetricKeyType ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function x509Line(cert: ObservedCertificate, line: string, inSan: { on: boolean }): void {
  const field = (name: string) => (line.startsWith(`${name}=`) ? line.slice(name.length + 1) : undefined);
  if (inSan.on && /^\s/.test(line)) {
    cert.names.push(...sanNames(line));
    return;
  }
  inSan.on = false;
  if (field('serial') !== undefined) cert.serial = field('serial')!.toUpperCase();
  else if (field('notBefore') !== undefined) cert.notBefore = parseOpensslDate(field('notBefore')!);
  else if (field('notAfter') !== undefined) cert.notAfter = parseOpensslDate(field('notAfter')!);
  else if (field('issuer') !== undefined) cert.issuer = field('issuer')!.trim();
  else if (field('subject') !== undefined) cert.subject = field('subject')!.trim();
  else if (line.startsWith('X509v3 Subject Alternative Name')) inSan.on = true;
}

/** Reads the status script's `@...` lines; a missing `@done` means the host's answer was cut off. */
export function parseStatus(output: string): StatusObservation {
  const observation: StatusObservation = { now: NaN, zone: {}, certificates: new Map(), endpoints: new Map() };
  const san = new Map<string, { on: boolean }>();
  let done = false;
  for (const line of output.split('\n')) {
    if (!line.startsWith('@')) continue;
    const [tag, word, ...rest] = line.slice(1).split(' ');
    if (tag === statusAnswer.done) done = true;
    else if (tag === statusAnswer.now) {
      observation.now = Number(word);
      if (rest[0] && /^[+-]\d{4}$/.test(rest[0])) observation.zone.offset = rest[0];
      if (rest[1] && rest[1] !== '-') observation.zone.name = rest[1];
    } else if (tag === statusAnswer.cron) observation.cron ??= line.slice(answerPrefix(tag).length);
    else if (tag === statusAnswer.foreign) (observation.foreignLinks ??= []).push({ index: Number(word), name: rest[0] ?? '', link: rest.slice(1).join(' ') });
    else if (tag === statusAnswer.schedule) {
      const [present, enabled, active] = rest;
      const next = rest.slice(3).join(' ');
      observation.schedule = {
        kind: word ?? '',
        present: present === '1',
        ...(enabled === undefined ? {} : { enabled, active, next: next === '-' ? undefined : next }),
      };
    } else if (tag && /^c\d+$/.test(tag)) {
      let cert = observation.certificates.get(tag);
      if (!cert) observation.certificates.set(tag, (cert = { files: {}, readable: true, names: [] }));
      const text = line.slice(answerPrefix(tag).length + (word?.length ?? 0) + 1);
      switch (word) {
        case statusItemAnswer.file:
          cert.files[rest[0] ?? ''] = rest[1] ?? '0';
          break;
        case statusItemAnswer.unreadable:
          cert.readable = false;
          break;
        case statusItemAnswer.x509: {
          let state = san.get(tag);
          if (!state) san.set(tag, (state = { on: false }));
          x509Line(cert, text, state);
          break;
        }
        case statusItemAnswer.pubkey:
          cert.keyType = rest[0] && rest[0] !== '-' ? keyTypeOf(rest[0]) : 'unknown';
          break;
        case statusItemAnswer.keymatch:
          cert.keyMatch = rest[0] === '1' ? 'yes' : rest[0] === '0' ? 'no' : rest[0] === 'unreadable' ? 'unreadable' : 'missing';
          break;
        case statusItemAnswer.chain:
          cert.oneSet = rest[0] === '1';
          cert.chainIssued = rest[1] === '1';
          cert.trusted = rest[2] === '1';
          break;
        case statusItemAnswer.state:
          cert.state = rest[0] === 'none' || rest[0] === undefined ? null : Buffer.from(rest[0], 'base64').toString('utf8');
          break;
        default:
          throw new ProbeOutputError(`status line not understood: ${line}`);
      }
    } else if (tag && /^e\d+$/.test(tag)) {
      let endpoint = observation.endpoints.get(tag);
      if (!endpoint) observation.endpoints.set(tag, (endpoint = {}));
      const text = line.slice(answerPrefix(tag).length + (word?.length ?? 0) + 1);
      if (word === statusItemAnswer.served) {
        if (text.startsWith('serial=')) endpoint.serial = text.slice('serial='.length).trim().toUpperCase();
        else if (text.startsWith('notAfter=')) endpoint.notAfter = parseOpensslDate(text.slice('notAfter='.length));
      } else if (word === statusItemAnswer.same) endpoint.same = true;
      else if (word === statusItemAnswer.unserved) endpoint.error = text.trim();
      else throw new ProbeOutputError(`status line not understood: ${line}`);
    }
  }
  if (!done || Number.isNaN(observation.now)) throw new ProbeOutputError('status output ended early');
  return observation;
}
