import type { ValidationReport } from '../problem.js';
import { location } from './text.js';

const escapeXml = (text: string) =>
  text
    // eslint-disable-next-line no-control-regex -- removes the control characters XML 1.0 does not allow
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

/** JUnit XML: one test case per host and rendered file (and per host for its variables). */
export function junitReport(report: ValidationReport): string {
  const failing = report.cases.filter((c) => c.problems.some((p) => p.severity === 'error'));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="provision validate" tests="${report.cases.length}" failures="${failing.length}" errors="0">`,
  ];
  lines.push(
    `  <testsuite name="${escapeXml(report.inventories.join(' '))}" tests="${report.cases.length}" failures="${failing.length}" errors="0" skipped="0">`,
  );
  for (const c of report.cases) {
    const errors = c.problems.filter((p) => p.severity === 'error');
    const warnings = c.problems.filter((p) => p.severity === 'warning');
    const open = `    <testcase classname="${escapeXml(c.host)}" name="${escapeXml(c.name)}"`;
    if (errors.length === 0 && warnings.length === 0) {
      lines.push(`${open}/>`);
      continue;
    }
    lines.push(`${open}>`);
    if (errors.length > 0) {
      const text = errors.map((p) => `${location(p)}${p.message}`).join('\n');
      lines.push(`      <failure message="${escapeXml(errors[0]!.message)}" type="${escapeXml(errors[0]!.check)}">${escapeXml(text)}</failure>`);
    }
    if (warnings.length > 0) lines.push(`      <system-out>${escapeXml(warnings.map((p) => `warning: ${location(p)}${p.message}`).join('\n'))}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
