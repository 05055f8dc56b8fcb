import type { ValidationReport } from '../problem.js';

// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message`.
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function githubReport(report: ValidationReport): string {
  return report.problems
    .map((p) => {
      const properties = [
        p.file && `file=${escapeProperty(p.file)}`,
        p.line !== undefined && `line=${p.line}`,
        p.col !== undefined && `col=${p.col}`,
        `title=${escapeProperty(`provision ${p.check}${p.host ? ` (${p.host})` : ''}`)}`,
      ]
        .filter(Boolean)
        .join(',');
      return `::${p.severity} ${properties}::${escapeData(`${p.host ? `${p.host}: ` : ''}${p.message}`)}\n`;
    })
    .join('');
}
