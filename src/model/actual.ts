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
  | ({ state: 'private_key' } & Attributes)
  | ({ state: 'csr'; subject: string; san: string[]; keyMatches: boolean } & Attributes)
  /** a certificate file (placeholder_certificate): self-signed means a placeholder, not yet issued;
   * keyMatches: it holds the public key of the resource's key file */
  | { state: 'certificate'; selfSigned: boolean; keyMatches: boolean }
  | { state: 'user'; uid?: number; home: string; shell: string; groups: string[] }
  | { state: 'group' };

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
}
