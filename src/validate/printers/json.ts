import type { ValidationReport } from '../problem.js';

export function validationJsonReport(report: ValidationReport): string {
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  return `${JSON.stringify(
    {
      inventories: report.inventories,
      problems: report.problems.map((p) => ({
        severity: p.severity,
        check: p.check,
        file: p.file ?? null,
        line: p.line ?? null,
        col: p.col ?? null,
        host: p.host ?? null,
        path: p.path ?? null,
        message: p.message,
      })),
      summary: { hosts: report.hosts, files: report.files, errors, warnings: report.problems.length - errors },
    },
    null,
    2,
  )}\n`;
}
