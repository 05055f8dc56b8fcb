// The shape of roles/<name>/role.yml, after it has been checked against schemas/role.schema.json.
// String fields may hold Nunjucks expressions (`{{ acme_certs_dir }}/account.key`); a field that is
// exactly one `{{ expression }}` keeps the expression's native type (a list stays a list), as in Ansible.

export type Templated<T> = T | string;

interface ResourceCommon {
  /** Nunjucks expression; the resource exists only when it is truthy */
  when?: string;
  /** a list expression; the resource is repeated once per element, available as `item` */
  loop?: string;
  /** handler names to run once at the end of the apply when this resource changed */
  notify?: string[];
}

interface Ownership {
  owner?: string;
  group?: string;
  /** octal string such as "0640" */
  mode?: string;
}

export interface FileSpec extends ResourceCommon, Ownership {
  /** template name in the role's templates/ (or a shared partial path) */
  template: string;
  dest: string;
  /** a command run on the candidate temp file before it is moved into place; `%s` is its path */
  validate?: string;
  /** checkers (src/validate/checkers) that validate the rendered file: `provision validate` runs them in
   * a sandbox, plan and apply on the host before anything is renamed into place */
  check?: string[];
  /** hide the content in diffs and output */
  secret?: Templated<boolean>;
}

export interface DirectorySpec extends ResourceCommon, Ownership {
  path: string;
  /** an older layout's link at `path` to this target is replaced by the directory (anything else in the way is an error) */
  replaces_link?: string;
}

export interface SymlinkSpec extends ResourceCommon {
  path: string;
  target: string;
}

export interface UserSpec extends ResourceCommon {
  name: string;
  system?: Templated<boolean>;
  home?: string;
  shell?: string;
  /** primary group; created with the user when missing */
  group?: string;
  /** supplementary groups, which must exist */
  groups?: Templated<string[]>;
}

export interface GroupSpec extends ResourceCommon {
  name: string;
  system?: Templated<boolean>;
}

/** The private key types a role may ask for: the render check, the key generation and KeyType all come from this list. */
export const keyTypes = ['rsa2048', 'rsa3072', 'rsa4096', 'ec256', 'ec384'] as const;
export type KeyType = (typeof keyTypes)[number];

export interface PrivateKeySpec extends ResourceCommon, Ownership {
  path: string;
  /** one of KeyType */
  type: string;
}

export interface CsrSpec extends ResourceCommon, Ownership {
  path: string;
  /** the private key it is made from (generated on the host) */
  key: string;
  /** DNS names; the first is the subject CN, all go into subjectAltName */
  domains: Templated<string[]>;
  country?: string;
  organization?: string;
}

/**
 * A self-signed certificate made on the host from an existing key, installed as DIR/signed.crt,
 * DIR/chain.pem (empty) and DIR/fullchain.pem only while DIR/fullchain.pem does not exist, so no
 * service is ever pointed at a missing file before the first issuance. It never replaces a certificate.
 */
export interface PlaceholderCertificateSpec extends ResourceCommon, Ownership {
  dir: string;
  /** the private key it is made from (generated on the host) */
  key: string;
  /** DNS names; the first is the subject CN, all go into subjectAltName */
  domains: Templated<string[]>;
}

export type ResourceSpec =
  | { file: FileSpec }
  | { directory: DirectorySpec }
  | { symlink: SymlinkSpec }
  | { user: UserSpec }
  | { group: GroupSpec }
  | { private_key: PrivateKeySpec }
  | { csr: CsrSpec }
  | { placeholder_certificate: PlaceholderCertificateSpec };

/** One step of a handler: a shell command, or a reload of a service by the shared mechanism. */
export type HandlerStepSpec = ({ command: string } | { reload: string }) & { when?: string };

/** Exactly one of command, reload and steps (schemas/role.schema.json). */
export interface HandlerSpec {
  name: string;
  /** shell command run on the host */
  command?: string;
  /** a service to reload (never restart): systemd where it runs, else its init script; a stopped service is left alone */
  reload?: string;
  /** several steps, run in order until one fails */
  steps?: HandlerStepSpec[];
  when?: string;
}

/**
 * A condition on the host's variables that their schemas cannot express (a name that must be one of
 * another variable's). When `that` is false, the problem points at `variable` (at its loop index).
 */
export interface AssertSpec {
  that: string;
  variable: string;
  /** Nunjucks text; `item` is the loop element */
  message: string;
  /** a list expression (the variable's own value, usually): `that` is checked for each element */
  loop?: string;
}

export interface RoleManifest {
  description?: string;
  /** variables that start with this prefix belong to the role; an unknown one is reported as a typo */
  prefix: string;
  /** roles whose variables this role's templates use; a host listing this role must list them too */
  requires?: string[];
  resources: ResourceSpec[];
  asserts?: AssertSpec[];
  handlers?: HandlerSpec[];
}
