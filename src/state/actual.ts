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
  | { state: 'other'; type: string }
  | ({ state: 'file'; sha256: string; content?: string } & Attributes)
  | ({ state: 'directory' } & Attributes)
  | { state: 'symlink'; target: string }
  | ({ state: 'private_key' } & Attributes)
  | ({ state: 'csr'; subject: string; san: string[]; keyMatches: boolean } & Attributes)
  /** a certificate file (placeholder_certificate): self-signed means a placeholder, not yet issued */
  | { state: 'certificate'; selfSigned: boolean }
  | { state: 'user'; uid?: number; home: string; shell: string; groups: string[] }
  | { state: 'group' };

export interface ActualState {
  isRoot: boolean;
  /** account names that resolve on the host */
  users: Set<string>;
  groups: Set<string>;
  resources: Map<string, Observed>;
  /** handlers an earlier run promised but did not run (it failed or was cut off) */
  pendingHandlers: string[];
  /** accounts provision created there itself (its record on the host); only these it changes */
  createdAccounts?: Set<string>;
}
