// The typed error family. Commands throw these; src/cli/cli.ts is the one place that prints them and exits.

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  /** usage, inventory, schema or template error: nothing was touched */
  usage: 1,
  /** --detailed-exitcode only: changes are pending (check mode) or were made */
  changes: 2,
  hostFailed: 3,
  hostUnreachable: 4,
  /** `provision status`: some certificate is not ok (warning or critical) */
  notOk: 5,
} as const;

/** One thing wrong with the input, located as precisely as we can. */
export interface Problem {
  file?: string;
  line?: number;
  col?: number;
  /** hosts the problem applies to (a group_vars value can be wrong for many hosts) */
  hosts?: string[];
  /** variable path such as `acme_domains[1]` */
  variable?: string;
  message: string;
  /**
   * 'warning': something Ansible only warns about and goes on (a duplicate key, an unknown group key);
   * provision goes on too, and `validate --strict` counts it as an error. Absent: an error.
   */
  severity?: 'warning';
}

export function isWarning(p: Problem): boolean {
  return p.severity === 'warning';
}

export function formatProblem(p: Problem): string {
  let where = '';
  if (p.file) {
    where = p.file;
    if (p.line !== undefined) where += `:${p.line}`;
    if (p.line !== undefined && p.col !== undefined) where += `:${p.col}`;
    where += ': ';
  }
  const variable = p.variable ? `${p.variable}: ` : '';
  const hosts = p.hosts && p.hosts.length > 0 ? ` (host${p.hosts.length > 1 ? 's' : ''}: ${p.hosts.join(', ')})` : '';
  return `${where}${variable}${p.message}${hosts}`;
}

export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad command line. */
export class UsageError extends ProvisionError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The inventory, a role or the variables are wrong; carries every problem found, not only the first. */
export class InputError extends ProvisionError {
  /** the errors (a warning passed in here is counted as one); `warnings`: found alongside, printed too */
  constructor(
    readonly problems: Problem[],
    readonly warnings: Problem[] = [],
  ) {
    super(problems.map(formatProblem).join('\n'), ExitCode.usage);
  }
}

/** A rollout would ask the CA for more new certificates than it issues (src/plan/rate-limits.ts): bad input, nothing touched. */
export class RateLimitError extends ProvisionError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}
