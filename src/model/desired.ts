// DesiredState: what a host should look like, as typed resources. Produced by render, consumed by
// render --out, plan and apply. No I/O here.
import type { KeyType } from './role-manifest.js';

export interface Ownership {
  owner?: string;
  group?: string;
  /** octal, always four digits ("0640") once rendered */
  mode?: string;
}

interface Common {
  /** unique per host: `<kind>:<path or name>` */
  id: string;
  role: string;
  notify: string[];
  /** the certificate (a name of acme_certificates) the resource belongs to, when its role says so */
  certificate?: string;
  /** handlers run when provision removes the resource (role.yml notify_removed); `notify` when absent */
  notifyRemoved?: string[];
}

export interface FileResource extends Common, Ownership {
  kind: 'file';
  path: string;
  content: string;
  validate?: string;
  /** check names from the manifest (none when absent) */
  checks?: string[];
  /** the template it was rendered from, as shown in messages (for mapping a finding back to it) */
  template?: string;
  secret: boolean;
}
export interface DirectoryResource extends Common, Ownership {
  kind: 'directory';
  path: string;
  /** a link at `path` to exactly this target (an older layout) is replaced by the directory */
  replacesLink?: string;
}
export interface SymlinkResource extends Common {
  kind: 'symlink';
  path: string;
  target: string;
}
export interface UserResource extends Common {
  kind: 'user';
  name: string;
  /** the inventory variable the name comes from (`{{ acme_user }}`), for messages */
  nameVariable?: string;
  system: boolean;
  home?: string;
  shell?: string;
  group?: string;
  groups: string[];
}
export interface GroupResource extends Common {
  kind: 'group';
  name: string;
  system: boolean;
}
export interface PrivateKeyResource extends Common, Ownership {
  kind: 'private_key';
  path: string;
  keyType: KeyType;
  /** KEY.next of a key rotation (src/plan/rotation.ts): made anew (never kept) when it is to be made */
  next?: boolean;
}
export interface CsrResource extends Common, Ownership {
  kind: 'csr';
  path: string;
  key: string;
  domains: string[];
  country?: string;
  organization?: string;
  /** CSR.next of a key rotation (src/plan/rotation.ts), made from KEY.next */
  next?: boolean;
}

/** See PlaceholderCertificateSpec: `path` is DIR/fullchain.pem, whose existence decides. */
export interface PlaceholderCertificateResource extends Common, Ownership {
  kind: 'placeholder_certificate';
  path: string;
  dir: string;
  key: string;
  domains: string[];
}

/** How long a placeholder is valid: long enough for the first issuance, short enough to be noticed. */
export const placeholderDays = 30;

export type Resource =
  FileResource | DirectoryResource | SymlinkResource | UserResource | GroupResource | PrivateKeyResource | CsrResource | PlaceholderCertificateResource;

export type PathResource = Exclude<Resource, UserResource | GroupResource>;

/** A shell command (run by sh -c), or a service reloaded by templates/reload-service.sh. */
export type HandlerStep = { kind: 'command'; command: string } | { kind: 'reload'; unit: string };

export interface Handler {
  name: string;
  steps: HandlerStep[];
  role: string;
}

/**
 * A whole-configuration check of a role's manifest (`checks:`), rendered with the host's variables:
 * plan and apply run `command` on the host against a copy of `root` holding the candidate files.
 */
export interface ConfigCheck {
  name: string;
  /** what messages call it ("myapp --check-config") */
  label: string;
  root: string;
  /** run by /bin/sh; the changed checked files (host paths) are "$@" */
  command: string;
  /** what `provision validate` needs on this machine to run it */
  tools?: { command: string; package: string }[];
  /** a regex (named groups message, file, line) locating a message in the command's output */
  findings?: string;
}

/** A role's foreign_links, rendered: links in `dir` that use a certificate under `uses` no role manages are warned about. */
export interface ForeignLinks {
  dir: string;
  /** ends with "/" */
  uses: string;
  label: string;
  role: string;
}

export interface DesiredState {
  host: string;
  resources: Resource[];
  handlers: Handler[];
  /** where the probe looks for links provision does not manage (none when absent) */
  foreignLinks?: ForeignLinks[];
  /** the manifest checks its files name (none when absent) */
  checks?: ConfigCheck[];
}

export function isPathResource(resource: Resource): resource is PathResource {
  return resource.kind !== 'user' && resource.kind !== 'group';
}

/** What a change line calls a resource: its path, or its name for users and groups. */
export function resourceTarget(resource: Resource): string {
  return isPathResource(resource) ? resource.path : resource.name;
}
