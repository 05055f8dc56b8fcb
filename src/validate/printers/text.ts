import type { ValidationProblem, ValidationReport } from '../problem.js';

export function location(problem: ValidationProblem): string {
  if (!problem.file) return '';
  return `${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''}${problem.line !== undefined && problem.col !== undefined ? `:${problem.col}` : ''}: `;
}

/** One line per problem: `file:line: host: message`. */
export function textReport(report: ValidationReport): string {
  const lines = report.problems.map((p) => `${location(p)}${p.host ? `${p.host}: ` : ''}${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`);
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  lines.push(`${errors} error(s), ${warnings} warning(s); ${report.hosts} host(s), ${report.files} file(s) checked`);
  return `${lines.join('\n')}\n`;
}
