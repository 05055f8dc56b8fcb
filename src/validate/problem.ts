/** One thing `validate` reports. `file`/`line` point at what the user edits (the template, the inventory). */
export interface ValidationProblem {
  severity: 'error' | 'warning';
  /** what found it: "inventory" (variables, templates) or a checker name */
  check: string;
  file?: string;
  line?: number;
  col?: number;
  host?: string;
  /** the rendered file's destination on the host, when the problem is in one */
  path?: string;
  message: string;
}

/** One host and one rendered file (or the host's variables): a JUnit test case. */
export interface ValidationCase {
  host: string;
  /** a destination path, or "variables and templates" */
  name: string;
  problems: ValidationProblem[];
}

export interface ValidationReport {
  inventories: string[];
  problems: ValidationProblem[];
  cases: ValidationCase[];
  hosts: number;
  files: number;
}

export function errorCount(report: ValidationReport): number {
  return report.problems.filter((p) => p.severity === 'error').length;
}
