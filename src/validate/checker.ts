import type { CsrResource, DesiredState, FileResource } from '../model/desired.js';

/** What a checker looks at: one host's rendered files that declare this check (and its CSRs). */
export interface CheckInput {
  host: string;
  /** the host's merged, templated variables (program versions, acme_certs_dir...) */
  vars: Record<string, unknown>;
  /** the host's file resources whose manifest entry lists this check, content rendered */
  files: FileResource[];
  /** the host's CSR resources (for the openssl check) */
  csrs: CsrResource[];
  /** the host's whole desired state: where placeholders for runtime files (certificates) belong */
  desired: DesiredState;
  /** an empty directory of this check's own, removed afterwards */
  sandbox: string;
}

/** One thing a checker found, in the rendered file (its destination path on the host). */
export interface Finding {
  /** destination path of the rendered file (or CSR) on the host */
  path: string;
  /** 1-based line in the rendered file, when the tool said */
  line?: number;
  message: string;
  severity: 'error' | 'warning';
}

export interface RequiredTool {
  /** executable looked up on PATH (or an absolute path) */
  command: string;
  /** the Debian package that provides it, named in the "not installed" message */
  package: string;
}

/**
 * A checker validates rendered files with the program that will read them, in a throwaway sandbox
 * that never touches this machine's own configuration. Roles name checkers in their manifest
 * (`check: [shell]`); CSRs are always checked with `openssl`.
 */
export interface Checker {
  name: string;
  tools: RequiredTool[];
  run(input: CheckInput): Promise<Finding[]>;
}
