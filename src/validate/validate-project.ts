import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWarning, type Problem } from '../model/errors.js';
import { prepareProject } from '../pipeline/pipeline.js';
import type { RenderedHost } from '../pipeline/pipeline.js';
import type { FileResource } from '../model/desired.js';
import type { Checker, Finding } from './checker.js';
import type { ValidationCase, ValidationProblem } from './problem.js';
import { commandChecker } from './checkers/command.js';
import { templateLineFor } from './template-line.js';
import { hasTool } from './tools.js';
import { maskSecrets } from '../resolve/mask-secrets.js';
import { inParallel } from '../model/parallel.js';

export interface ValidateOptions {
  limit?: string;
  extraVars: string[];
  /** a checker that is not installed is an error, not a warning */
  strict: boolean;
  /** the built-in checkers, by name; a manifest's check without one runs by checkers/command.ts */
  checkers: Map<string, Checker>;
}

const variablesCase = 'variables and templates';

/** `strict`: what Ansible only warns about is an error too. */
function fromInputProblem(problem: Problem, strict: boolean): ValidationProblem[] {
  const hosts = problem.hosts && problem.hosts.length > 0 ? problem.hosts : [undefined];
  return hosts.map((host) => ({
    severity: isWarning(problem) && !strict ? 'warning' : 'error',
    check: 'inventory',
    file: problem.file,
    line: problem.line,
    col: problem.col,
    host,
    message: problem.variable ? `${problem.variable}: ${problem.message}` : problem.message,
  }));
}

/** A finding in a rendered file, pointed back at the template line it most likely came from. */
function fromFinding(finding: Finding, check: string, host: string, files: FileResource[], inventoryFile: string): ValidationProblem {
  const file = files.find((f) => f.path === finding.path);
  const where = `${finding.path}${finding.line ? `:${finding.line}` : ''}`;
  const line = file?.template && finding.line ? templateLineFor(file.template, file.content, finding.line) : undefined;
  return { severity: finding.severity, check, file: file?.template ?? inventoryFile, line, host, path: finding.path, message: `${where}: ${finding.message}` };
}

async function checkHost(work: RenderedHost, options: ValidateOptions, inventoryFile: string, missing: Map<string, string>): Promise<ValidationProblem[]> {
  const { host, desired } = work;
  const files = desired.resources.filter((r): r is FileResource => r.kind === 'file');
  const csrs = desired.resources.filter((r) => r.kind === 'csr');
  const wanted = new Set(files.flatMap((f) => f.checks ?? []));
  if (csrs.length > 0) wanted.add('openssl');
  const problems: ValidationProblem[] = [];
  for (const name of wanted) {
    // A built-in checker when there is one; otherwise the manifest's check, run by the generic one.
    const declared = desired.checks?.find((c) => c.name === name);
    const checker = options.checkers.get(name) ?? (declared && commandChecker(declared));
    if (!checker) {
      const file = files.find((f) => f.checks?.includes(name));
      problems.push({
        severity: 'error',
        check: name,
        host: host.name,
        file: file?.template,
        path: file?.path,
        message: `unknown check ${JSON.stringify(name)}; known checks: ${[...options.checkers.keys()].join(', ')}`,
      });
      continue;
    }
    const absent = checker.tools.filter((tool) => !hasTool(tool.command));
    if (absent.length > 0) {
      missing.set(name, absent.map((t) => `${t.command} (Debian package ${t.package})`).join(', '));
      continue;
    }
    const sandbox = mkdtempSync(join(tmpdir(), `provision-check-${name}-`));
    try {
      const findings = await checker.run({
        host: host.name,
        vars: host.vars,
        files: files.filter((f) => f.checks?.includes(name)),
        csrs: csrs as never,
        desired,
        sandbox,
      });
      // A tool's message may quote a value; a secret's value is never shown.
      problems.push(...findings.map((f) => fromFinding({ ...f, message: maskSecrets(f.message, host.secretValues) }, name, host.name, files, inventoryFile)));
    } catch (error) {
      problems.push({
        severity: 'error',
        check: name,
        host: host.name,
        file: inventoryFile,
        message: `the ${name} check could not run: ${(error as Error).message}`,
      });
    } finally {
      rmSync(sandbox, { recursive: true, force: true });
    }
  }
  return problems;
}

/** Every problem of one inventory: variables, templates, and every rendered file checked by its reader. */
export async function validateProject(
  inventorySources: string | readonly string[],
  options: ValidateOptions,
): Promise<{ problems: ValidationProblem[]; cases: ValidationCase[]; hosts: number; files: number }> {
  const inventoryFile = [inventorySources].flat().join(' ');
  const { hosts: work, problems: inputProblems } = prepareProject(inventorySources, { extraVars: options.extraVars, limit: options.limit });
  const problems = inputProblems.flatMap((p) => fromInputProblem(p, options.strict));
  const missing = new Map<string, string>();

  const perHost: ValidationProblem[][] = new Array(work.length);
  await inParallel(work, availableParallelism(), async (host, index) => {
    perHost[index] = await checkHost(host, options, inventoryFile, missing);
  });
  problems.push(...perHost.flat());

  for (const [check, tools] of missing) {
    problems.push({
      severity: options.strict ? 'error' : 'warning',
      check,
      file: inventoryFile,
      message: `the ${check} check was not run: ${tools} is not installed`,
    });
  }

  // JUnit cases: each host's variables and templates, and each of its rendered files and CSRs.
  const cases: ValidationCase[] = [];
  const hostNames = new Set([...work.map((w) => w.host.name), ...problems.map((p) => p.host).filter((h): h is string => h !== undefined)]);
  for (const hostName of hostNames) {
    cases.push({ host: hostName, name: variablesCase, problems: problems.filter((p) => p.host === hostName && p.path === undefined) });
    const hostWork = work.find((w) => w.host.name === hostName);
    for (const resource of hostWork?.desired.resources ?? []) {
      if (resource.kind !== 'file' && resource.kind !== 'csr') continue;
      cases.push({ host: hostName, name: resource.path, problems: problems.filter((p) => p.host === hostName && p.path === resource.path) });
    }
  }
  const hostless = problems.filter((p) => p.host === undefined);
  if (hostless.length > 0 || work.length === 0) cases.unshift({ host: inventoryFile, name: 'inventory and checkers', problems: hostless });
  const files = work.reduce((n, w) => n + w.desired.resources.filter((r) => r.kind === 'file').length, 0);
  return { problems, cases, hosts: hostNames.size, files };
}
