// ActualState: what the probe found on a host, per desired resource. Produced by parseProbe.

export interface Attributes {
  /** four octal digits */
  mode: string;
  owner: string;
  group: string;
}

export type Observed =
  | { state: 'missing' }
  /** something of another type is in the way (a directory where a file belongs...) */
  | { state: 'other'; type: string; target?: string }
  | ({ state: 'file'; sha256: string; content?: string } & Attributes)
  | ({ state: 'directory' } & Attributes)
  | { state: 'symlink'; target: string }
  /** keyType: rsa2048 ... ec384, `other`, or `unknown` (the probe could not read it); next: what a key
   * rotation left beside it (a certificate's key only, src/plan/rotation.ts) */
  | ({ state: 'private_key'; keyType?: string; next?: NextKey } & Attributes)
  | ({ state: 'csr'; subject: string; san: string[]; keyMatches: boolean } & Attributes)
  /** a certificate file (placeholder_certificate): self-signed means a placeholder, not yet issued;
   * keyMatches: it holds the public key of the resource's key file */
  | { state: 'certificate'; selfSigned: boolean; keyMatches: boolean }
  | { state: 'user'; uid?: number; home: string; shell: string; groups: string[] }
  | { state: 'group' };

/** KEY.next and CSR.next of a certificate's key (shell/probe.sh probe_next). */
export type NextKey =
  | { state: 'missing' }
  /** a link, or not a regular file */
  | { state: 'other' }
  /** csr: CSR.next's attributes, csrMatches: it was made from KEY.next, san: its names (none without one) */
  | ({ state: 'private_key'; keyType: string; csrMatches: boolean; csr?: Attributes; san: string[] } & Attributes);

/** A directory above a managed path (shell/probe.sh probe_parent): who can change entries in it. */
export interface ParentDir {
  /** permission bits with setuid/setgid/sticky, as a number */
  mode: number;
  uid: number;
  gid: number;
  owner: string;
  group: string;
}

export interface ActualState {
  isRoot: boolean;
  /** the effective uid the scripts run as */
  uid?: number;
  gid?: number;
  /** the existing directories above managed paths, by their path on the machine */
  parents?: Map<string, ParentDir>;
  /** account names that resolve on the host */
  users: Set<string>;
  groups: Set<string>;
  resources: Map<string, Observed>;
  /** handlers an earlier run promised but did not run (it failed or was cut off) */
  pendingHandlers: string[];
  /** accounts provision created there itself (its record on the host); only these it changes */
  createdAccounts?: Set<string>;
  /** links provision does not manage that use a certificate directory (shell/foreign-links.sh foreign_links) */
  foreignLinks?: { index: number; name: string; link: string }[];
  /** the record of what provision manages there (shell/probe.sh probe_record), when it was read */
  record?: ProbedRecord;
}

/** What is at a recorded path the desired state no longer has: what a removal would take away. */
export type WasState =
  | { state: 'missing' }
  | { state: 'symlink'; target: string }
  | { state: 'directory'; empty: boolean }
  /** sha256 and content only for a non-secret file (never a key or certificate); names: a CSR's DNS names */
  | { state: 'file'; sha256?: string; content?: string; names?: string[] }
  | { state: 'other'; type: string };

export interface ProbedRecord {
  /** its lines as read (compared with the record the plan would write) */
  lines: string[];
  /** the file is not a root-owned regular file in a root-only directory: nothing is read from it */
  unsafe?: boolean;
  /** by path: what is there now, for the recorded paths the desired state does not have */
  was: Map<string, WasState>;
}
