// `shell`: rendered shell scripts, parsed by the shell that runs them (`sh -n`, dash on Debian) and
// linted by ShellCheck. Every ShellCheck note is an error: the scripts are generated, so they are
// kept free of findings (a justified exception is a `# shellcheck disable=SCxxxx` in the template).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Checker, CheckInput, Finding } from '../checker.js';
import type { FileResource } from '../../model/desired.js';
import { clampLine, lines } from './lines.js';
import { runTool } from './run-tool.js';

const sh = { command: 'sh', package: 'dash' };
const bash = { command: 'bash', package: 'bash' };
const shellcheck = { command: 'shellcheck', package: 'shellcheck' };

type Dialect = 'sh' | 'bash';

/** The shell the script's #! line names: bash scripts are parsed by bash, everything else as POSIX sh. */
export function dialectOf(content: string): Dialect {
  const first = lines(content)[0] ?? '';
  if (!first.startsWith('#!')) return 'sh';
  const words = first.slice(2).trim().split(/\s+/);
  const program = (words[0]?.endsWith('/env') ? words[1] : words[0]) ?? '';
  return /(^|\/)bash$/.test(program) ? 'bash' : 'sh';
}

async function run(input: CheckInput): Promise<Finding[]> {
  const findings: Finding[] = [];
  const written = new Map<string, FileResource>();
  for (const file of input.files) {
    const at = join(input.sandbox, 'files', file.path);
    await mkdir(dirname(at), { recursive: true });
    await writeFile(at, file.content, { mode: 0o600 });
    written.set(at, file);
    if (file.mode && (parseInt(file.mode, 8) & 0o111) !== 0 && !file.content.startsWith('#!')) {
      findings.push({ path: file.path, line: 1, severity: 'error', message: 'an executable script must start with a #! line (run-parts and exec need it)' });
    }
  }

  // Syntax, by the shell itself: `FILE: LINE: message` (dash) or `FILE: line LINE: message` (bash).
  await Promise.all(
    [...written].map(async ([at, file]) => {
      const dialect = dialectOf(file.content);
      const result = await runTool(dialect === 'bash' ? bash : sh, ['-n', at], { cwd: input.sandbox });
      if (result.exitCode === 0) return;
      const output = (result.stderr + result.stdout).trim();
      let matched = false;
      for (const text of output.split('\n')) {
        if (!text.startsWith(at + ':')) continue;
        const m = /^: (?:line )?(\d+): (.*)$/.exec(text.slice(at.length));
        if (!m) continue;
        matched = true;
        findings.push({ path: file.path, line: clampLine(file.content, Number(m[1])), severity: 'error', message: `${dialect} -n: ${m[2]}` });
      }
      if (!matched)
        findings.push({
          path: file.path,
          severity: 'error',
          message: `${dialect} -n failed: ${output.split(at).join(file.path) || `exit ${result.exitCode}`}`,
        });
    }),
  );

  // ShellCheck, one run per dialect: `FILE:LINE:COL: severity: message [SCxxxx]`.
  const byDialect = new Map<Dialect, string[]>();
  for (const [at, file] of written) {
    const dialect = dialectOf(file.content);
    byDialect.set(dialect, [...(byDialect.get(dialect) ?? []), at]);
  }
  for (const [dialect, files] of byDialect) {
    const result = await runTool(shellcheck, ['--norc', '-s', dialect, '-f', 'gcc', ...files], { cwd: input.sandbox });
    if (result.exitCode === 0) continue;
    let matched = false;
    for (const text of result.stdout.split('\n')) {
      const m = /^(.*?):(\d+):(\d+): (\w+): (.*)$/.exec(text);
      const file = m && written.get(m[1]!);
      if (!m || !file) continue;
      matched = true;
      findings.push({
        path: file.path,
        line: clampLine(file.content, Number(m[2])),
        severity: 'error',
        message: `shellcheck (column ${m[3]}, ${m[4]}): ${m[5]}`,
      });
    }
    if (!matched) {
      const output = (result.stderr + result.stdout).trim();
      findings.push({ path: written.get(files[0]!)!.path, severity: 'error', message: `shellcheck failed (exit ${result.exitCode}): ${output}` });
    }
  }

  return findings.sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
}

export const shellChecker: Checker = {
  name: 'shell',
  tools: [sh, shellcheck],
  run,
};
