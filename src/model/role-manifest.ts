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
  /** the certificate the resource belongs to (`{{ item.name }}`): the record of what provision manages
   * says so, and the plan names it when the resource is removed */
  certificate?: string;
  /** handler names to run when provision removes the resource (the inventory dropped it); `notify` when absent */
  notify_removed?: string[];
}

interface Ownership {
  owner?: string;
  group?: string;
  /** octal string such as "0640" */
  mode?: string;
}

export interface FileSpec extends ResourceCommon, Ownership {
  /** template name in the role's templates/ (or a shared partial path) */
  template?: string;
  /**
   * plain files installed verbatim (not rendered), appended in order after the template's output when
   * there is one: names in the role's files/, or `shared/<file>` in the top-level templates/. Literal
   * names, read when the role is loaded. At least one of template and source.
   */
  source?: string | string[];
  dest: string;
  /** a command run on the candidate temp file before it is moved into place; `%s` is its path */
  validate?: string;
  /** checks that validate the rendered file: the built-in checkers of `provision validate`
   * (src/model/checker-names.ts) and the `checks:` of this role or a role it requires; `provision
   * validate` runs them in a sandbox, plan and apply a manifest's check on the host before anything
   * is renamed into place */
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
 * another variable's), or, as a warning, a setting that does not do what it says on this host. When
 * `that` is false, the problem points at `variable` (at its loop index).
 */
export interface AssertSpec {
  that: string;
  variable: string;
  /** Nunjucks text; `item` is the loop element */
  message: string;
  /** a list expression (the variable's own value, usually): `that` is checked for each element */
  loop?: string;
  /**
   * `warning`: a value that works but is probably not what was meant, or a setting this host cannot
   * honour (the role copes with it and says how); validate and plan print it, nothing stops (validate
   * --strict: an error); plan and apply check it again with the host's facts.
   */
  severity?: 'warning';
}

/**
 * A service version the probe gathers from the host (src/probe/facts.ts): the first of `programs` found
 * (on PATH or at its absolute path) runs with `args`; the first capture group of the first `version`
 * regex matching its output (its first three lines, joined by spaces) is the version, stated in
 * `variable` where no host is looked at.
 */
export interface FactSpec {
  /** unique over every loaded role; the probe's answer line is `@fact NAME ...` */
  name: string;
  /** declared in the role's schema.json */
  variable: string;
  /** what messages call the program ("MyApp") */
  label: string;
  programs: string[];
  args?: string[];
  /** the version is (also) on stderr: read both streams */
  stderr?: boolean;
  /** JavaScript regexes, tried in order */
  version: string[];
}

/** A program `provision validate` needs on this machine for a manifest's check. */
export interface CheckToolSpec {
  command: string;
  /** the Debian package named when it is missing */
  package: string;
}

/**
 * A whole-configuration check, named by file resources' `check:` (src/apply/target-checks.ts): on
 * the host, `command` runs by /bin/sh in a private mount namespace where a copy of `root` holding the
 * candidate files is mounted over `root`; the changed checked files (host paths) are "$@". `root` and
 * `command` are rendered with the host's variables.
 */
export interface CheckSpec {
  /** what messages call it ("myapp --check-config") */
  label: string;
  root: string;
  command: string;
  /** what `provision validate` needs on this machine to run it (its generic checker) */
  tools?: CheckToolSpec[];
  /** a regex with the named groups message, file and line, locating a message in the command's output */
  findings?: string;
}

/**
 * A service of the role that uses the letsencrypt role's certificates. Rendered for each host into
 * `provision_services` ({role, unit, certificates, challenge}), which every role's templates read.
 */
export interface ServiceSpec {
  /** the unit reloaded (never restarted) by the shared reload mechanism */
  unit: string;
  /** an expression giving the names of the host's certificates it uses (acme_certificates names) */
  certificates: string;
  /** it serves the ACME HTTP-01 challenge: reloaded before the first issuance's CA calls */
  challenge?: Templated<boolean>;
}

/**
 * A directory of links the role's service reads (enabled sites) where other links than provision's may
 * be: the probe looks at those, and the plan warns (never removes) when one leads to a file that uses a
 * certificate directory under `uses` that no role of the host manages, a certificate nothing renews.
 */
export interface ForeignLinksSpec {
  /** rendered: the directory of links */
  dir: string;
  /** rendered: the certificates' directory (`{{ acme_certs_dir }}`); the name after it is the certificate */
  uses: string;
  /** what messages call such a link ("enabled MyApp site") */
  label: string;
}

/**
 * A TLS endpoint of the role's daemon that presents some of the letsencrypt role's certificates:
 * `provision status` asks it on the host itself over loopback (openssl s_client with the SNI name) and
 * compares the serial it presents with the installed one. Rendered per certificate it lists.
 */
export interface EndpointSpec {
  /** the daemon, as status messages name it (its unit, or "myapp imaps") */
  service: string;
  /** the TCP port on 127.0.0.1 */
  port: Templated<number>;
  /** none: TLS from the first byte (443, 465, 993); smtp or imap: the protocol's STARTTLS first */
  starttls?: Templated<'none' | 'smtp' | 'imap'>;
  /** an expression giving the names of the host's certificates it presents (acme_certificates names) */
  certificates: string;
  /** the SNI name asked for, with `item` the certificate ({name, domains}); default its first name */
  server_name?: string;
}

export interface RoleManifest {
  description?: string;
  /** variables that start with this prefix belong to the role; an unknown one is reported as a typo */
  prefix: string;
  /** roles whose variables this role's templates use; a host listing this role must list them too */
  requires?: string[];
  resources: ResourceSpec[];
  asserts?: AssertSpec[];
  services?: ServiceSpec[];
  endpoints?: EndpointSpec[];
  handlers?: HandlerSpec[];
  foreign_links?: ForeignLinksSpec[];
  facts?: FactSpec[];
  /** by check name */
  checks?: Record<string, CheckSpec>;
}
