// The lines the host scripts answer with: `@KIND WORDS...`, one a line, on stdout (the wrapper's
// `@pgid` on stderr). shell/*.sh print them; the parsers beside this file read them. A test checks
// that every `@` line the shell files print is one of these.

/** `@foreign N NAME LINK` (shell/foreign-links.sh, in the probe and the status script alike): a link
 * provision does not manage, in the directory of the desired state's foreign links N, leads to a file
 * that uses the certificate directory NAME */
export const foreignLinkAnswer = 'foreign';

/** The probe's lines (shell/probe.sh and shell/foreign-links.sh), besides the per-resource `@<id> STATE ...` lines. */
export const probeAnswer = {
  /** `@uid N`, `@gid N`: the effective ids the script runs as */
  uid: 'uid',
  gid: 'gid',
  /** `@account passwd|group NAME 1|0`: whether an owner or group name resolves */
  account: 'account',
  /** `@parent MODE UID GID USER GROUP DIR`: who can change entries in an ancestor directory */
  parent: 'parent',
  /** `@created NAME`: an account provision created (the created-accounts file) */
  created: 'created',
  /** `@pending NAME`: a handler an earlier run promised and did not run */
  pending: 'pending',
  /** `@record LINE`: a line of the record of what provision manages (src/model/managed-record.ts) */
  record: 'record',
  /** `@record_unsafe`: the record is not a root-owned regular file in a root-only directory: not read */
  record_unsafe: 'record_unsafe',
  /** `@was STATE ...` after a record line whose path the desired state does not have: what is there now
   * (`missing`, `symlink TARGET`, `directory 1|0` (empty), `file SHA256|-`, `other TYPE`), for a
   * non-secret file followed by `@was content`, base64 lines and `@was end`; for a CSR followed by
   * `@was names DNS:NAME,...` (`-` when it names none) */
  was: 'was',
  /** `@foreign N NAME LINK`: foreignLinkAnswer */
  foreign: foreignLinkAnswer,
  /** `@fact NAME OUTPUT`: a program's version output (`-` when it is not installed) */
  fact: 'fact',
  /** `@done`: the script reached its end */
  done: 'done',
} as const;

/** The second word of a `@<id> STATE ...` line of the probe: what it found at a resource. */
export const resourceAnswer = {
  missing: 'missing',
  /** `other TYPE [TARGET]`: something else is there (a link where a file belongs...) */
  other: 'other',
  /** `file MODE OWNER GROUP SHA256`, followed by `content` lines when the content differs */
  file: 'file',
  directory: 'directory',
  symlink: 'symlink',
  /** `private_key MODE OWNER GROUP TYPE` */
  private_key: 'private_key',
  /** after a certificate's private_key: `next missing|other` or `next MODE OWNER GROUP TYPE CSR-MATCHES SAN` */
  next: 'next',
  /** `csr MODE OWNER GROUP KEY-MATCHES SAN`, then a `subject` line */
  csr: 'csr',
  subject: 'subject',
  /** `certificate self-signed|issued KEY-MATCHES` */
  certificate: 'certificate',
  /** `user PASSWD-ENTRY`, then a `groups` line */
  user: 'user',
  groups: 'groups',
  group: 'group',
  /** `content`, base64 lines, then `end`: a file's current content */
  content: 'content',
  end: 'end',
} as const;

/** The apply script's lines (shell/apply.sh). */
export const applyAnswer = {
  /** `@ok ID` */
  ok: 'ok',
  /** `@fail ID MESSAGE`, then `@detail` lines */
  fail: 'fail',
  /** `@detail TEXT`: a line of the command output of the failure above */
  detail: 'detail',
  /** `@handler NAME ok|fail`, then `@detail` lines when it failed */
  handler: 'handler',
  /** `@note TEXT`: why a check was not run, or a service not reloaded */
  note: 'note',
  /** `@warn TEXT`: something the user must know that is not a failure (a removal postponed) */
  warn: 'warn',
  done: 'done',
} as const;

/**
 * `@pgid N` on stderr, first: the script's process group, which an interrupt or --timeout stops on the
 * host (src/host/script.ts prints it; the connection reads it and takes it out of stderr).
 */
export const processGroupMarker = '@pgid';

/** `@KIND ` (with the space): how a line with words after its kind starts. */
export function answerPrefix(kind: string): string {
  return `@${kind} `;
}

/** The status script's lines (shell/status.sh and shell/foreign-links.sh), besides `@<id> KIND ...`. */
export const statusAnswer = {
  /** `@foreign N NAME LINK`: foreignLinkAnswer */
  foreign: foreignLinkAnswer,
  /** `@now EPOCH OFFSET ZONE`: the host's clock, its `date +%z` and /etc/timezone (`-`: none) */
  now: 'now',
  /** `@schedule KIND PRESENT [ENABLED ACTIVE NEXT]`: the renewal schedule's file (and timer) */
  schedule: 'schedule',
  /** `@cron LINE`: the cron line that runs the renewal (the daily schedule's, or /etc/crontab's run-parts of cron.monthly) */
  cron: 'cron',
  /** `@done`: the script reached its end */
  done: 'done',
} as const;

/** The second word of a status script's `@<id> KIND ...` line. */
export const statusItemAnswer = {
  /** `file NAME 1|0|other`: one of the certificate's files */
  file: 'file',
  /** the leaf could not be read as a certificate */
  unreadable: 'unreadable',
  /** `x509 LINE`: a line of `openssl x509 -serial -startdate -enddate -issuer -subject -ext subjectAltName` */
  x509: 'x509',
  /** `pubkey BASE64|-`: the leaf's public key (DER SubjectPublicKeyInfo): its type is read from it */
  pubkey: 'pubkey',
  /** `keymatch 1|0|missing|unreadable`: domain.key holds the leaf's public key */
  keymatch: 'keymatch',
  /** `chain SET ISSUED TRUSTED`: the files are one set, the chain issued the leaf, it verifies */
  chain: 'chain',
  /** `state BASE64|none`: the renewal state file */
  state: 'state',
  /** `served LINE`: `serial=` and `notAfter=` of the leaf a daemon presents */
  served: 'served',
  /** `same`: the daemon presents the installed leaf itself (its serial and notAfter are the installed one's) */
  same: 'same',
  /** `unserved WHY`: no certificate was had from the endpoint */
  unserved: 'unserved',
} as const;
