// `apache`: the host's rendered Apache configuration, tested together by `apache2 -t` against a minimal
// server configuration in the sandbox (never /etc/apache2). -t parses every directive and runs the
// checks directives make when they are read (a certificate file that does not exist, a bad
// SSLProtocol...); it binds no port and loads no certificate. Apache stops at the first error, so after
// each error the offending line is commented out in the sandbox copy and the test runs again.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checker, CheckInput, Finding } from '../checker.js';
import type { FileResource } from '../../model/desired.js';
import { checkCipherList } from './cipher-list.js';
import { buildHostTree, opensslTool } from './host-tree.js';
import type { HostTree } from './host-tree.js';
import { commentOutLine, dedupe, lines } from './lines.js';
import { runTool } from './run-tool.js';

const apache2 = { command: '/usr/sbin/apache2', package: 'apache2' };
export const apacheModulesDir = '/usr/lib/apache2/modules';

/** What the rendered files need beyond the compiled-in core (Debian's default set, plus mod_ssl and HSTS). */
const baseModules = ['mpm_event', 'authz_core', 'authz_host', 'alias', 'dir', 'mime', 'rewrite', 'setenvif', 'ssl', 'socache_shmcb', 'headers'];
const MAX_ROUNDS = 20;

/** Debian's include order: modules, then conf-*, then sites-*. */
function rank(path: string): number {
  if (/\/mods-(available|enabled)\//.test(path)) return 0;
  if (/\/sites-(available|enabled)\//.test(path)) return 2;
  return 1;
}

/** Modules the host enables with mods-enabled/NAME.load links, when this machine has them. */
function enabledModules(input: CheckInput): string[] {
  const names: string[] = [];
  for (const r of input.desired.resources) {
    if (r.kind !== 'symlink') continue;
    const m = /\/mods-enabled\/([\w-]+)\.load$/.exec(r.path);
    if (m && !m[1]!.startsWith('mpm_')) names.push(m[1]!);
  }
  return names;
}

function baseConfig(sandbox: string, serverRoot: string, includes: string[], modules: string[]): string {
  const loaded = new Set<string>();
  const loads: string[] = [];
  for (const name of modules) {
    const so = join(apacheModulesDir, `mod_${name}.so`);
    if (loaded.has(name) || !existsSync(so)) continue;
    loaded.add(name);
    loads.push(`LoadModule ${name}_module "${so}"`);
  }
  return [
    '# Written by provision validate: a minimal server around the rendered files.',
    // The host's ServerRoot (Debian: /etc/apache2) in the sandbox: relative paths resolve as there.
    `ServerRoot "${serverRoot}"`,
    'ServerName validate.invalid',
    // -t binds nothing; a loopback port keeps even a mistaken start harmless.
    'Listen 127.0.0.1:9',
    `PidFile "${join(sandbox, 'run', 'apache2.pid')}"`,
    `DefaultRuntimeDir "${join(sandbox, 'run')}"`,
    `Mutex file:${join(sandbox, 'run')} default`,
    `ErrorLog "${join(sandbox, 'log', 'error.log')}"`,
    ...loads,
    ...includes.map((file) => `Include "${file}"`),
    '',
  ].join('\n');
}

interface ParsedError {
  file?: string;
  line?: number;
  message: string;
}

/** The innermost `Syntax error on line N of FILE:` and its reason (on the same line or the next). */
export function parseApacheError(output: string): ParsedError | undefined {
  const all = output.split('\n');
  for (let i = 0; i < all.length; i++) {
    const text = all[i]!;
    const matches = [...text.matchAll(/Syntax error on line (\d+) of (.+?):(?= |$)/g)];
    if (matches.length === 0) continue;
    const last = matches[matches.length - 1]!;
    let message = text.slice(last.index! + last[0].length).trim();
    if (message === '') message = (all.slice(i + 1).find((l) => l.trim() !== '') ?? '').trim();
    // "<VirtualHost> was not closed" comes as "FILE:LINE: message".
    const inner = /^(\/[^:]+):(\d+): (.*)$/.exec(message);
    if (inner) return { file: inner[1], line: Number(inner[2]), message: inner[3]! };
    return { file: last[2], line: Number(last[1]), message };
  }
  return undefined;
}

/** File and line of a rendered line matching `test`, for warnings that name no file. */
function locate(files: FileResource[], test: (line: string) => boolean): { path: string; line?: number } {
  for (const file of files) {
    const index = lines(file.content).findIndex(test);
    if (index >= 0) return { path: file.path, line: index + 1 };
  }
  return { path: files[0]!.path };
}

function warningsOf(output: string, tree: HostTree, files: FileResource[]): Finding[] {
  const findings: Finding[] = [];
  for (const raw of output.split('\n')) {
    const text = tree.unmap(raw.trim());
    if (!/\bwarn(ing)?\b/i.test(text) || /Syntax error/.test(text)) continue;
    const docRoot = /DocumentRoot \[(.+?)\] does not exist/.exec(text);
    const variable = /Config variable \$\{(\w+)\} is not defined/.exec(text);
    let where: { path: string; line?: number };
    if (docRoot) where = locate(files, (l) => /^\s*DocumentRoot\b/i.test(l) && l.includes(docRoot[1]!));
    else if (variable) where = locate(files, (l) => l.includes(`\${${variable[1]}}`));
    else {
      const named = files.find((f) => text.includes(f.path));
      where = named ? { path: named.path } : { path: files[0]!.path };
    }
    findings.push({ ...where, severity: 'warning', message: `apache2 -t: ${text}` });
  }
  return findings;
}

/** SSLCipherSuite lists: OpenSSL reads them only when Apache starts, never under -t. */
async function cipherFindings(files: FileResource[]): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const file of files) {
    const all = lines(file.content);
    for (let i = 0; i < all.length; i++) {
      const m = /^\s*SSLCipherSuite\s+(?:(SSL|TLSv1\.3)\s+)?("?)([^\s"]+)\2\s*$/i.exec(all[i]!);
      if (!m || (m[1] && m[1].toUpperCase() !== 'SSL')) continue;
      const check = await checkCipherList(m[3]!);
      if (check.error) findings.push({ path: file.path, line: i + 1, severity: 'error', message: `SSLCipherSuite: ${check.error}` });
      for (const name of check.unknown)
        findings.push({ path: file.path, line: i + 1, severity: 'warning', message: `SSLCipherSuite: OpenSSL knows no cipher "${name}" (it is ignored)` });
    }
  }
  return findings;
}

async function run(input: CheckInput): Promise<Finding[]> {
  if (input.files.length === 0) return [];
  const tree = await buildHostTree(input);
  const sandbox = input.sandbox;
  for (const dir of ['run', 'log', 'lock']) await mkdir(join(sandbox, dir), { recursive: true });

  const ordered = [...input.files].sort((a, b) => rank(a.path) - rank(b.path));
  const bySandboxPath = new Map(ordered.map((f) => [tree.inSandbox(f.path), f]));
  const conf = join(sandbox, 'apache2.conf');
  const serverRoot = tree.inSandbox(typeof input.vars.apache_conf_dir === 'string' ? input.vars.apache_conf_dir : '/etc/apache2');
  await mkdir(serverRoot, { recursive: true });
  await writeFile(conf, baseConfig(sandbox, serverRoot, [...bySandboxPath.keys()], [...baseModules, ...enabledModules(input)]));
  const env = {
    APACHE_RUN_USER: 'www-data',
    APACHE_RUN_GROUP: 'www-data',
    APACHE_PID_FILE: join(sandbox, 'run', 'apache2.pid'),
    APACHE_RUN_DIR: join(sandbox, 'run'),
    APACHE_LOCK_DIR: join(sandbox, 'lock'),
    APACHE_LOG_DIR: join(sandbox, 'log'),
  };

  const findings: Finding[] = [];
  const warnings: Finding[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = await runTool(apache2, ['-t', '-f', conf, '-d', serverRoot], { cwd: sandbox, env });
    const output = `${result.stderr}\n${result.stdout}`;
    warnings.push(...warningsOf(output, tree, ordered));
    if (result.exitCode === 0) break;

    const parsed = parseApacheError(output);
    const file = parsed?.file ? bySandboxPath.get(parsed.file) : undefined;
    if (!parsed || !file || !parsed.line) {
      const message = tree.unmap(parsed?.message ?? output.trim()) || `exit ${result.exitCode}`;
      const named = parsed?.file ? tree.hostPathOf(parsed.file) : undefined;
      findings.push({ path: file?.path ?? named ?? ordered[0]!.path, line: parsed?.line, severity: 'error', message: `apache2 -t: ${message}` });
      break;
    }
    findings.push({ path: file.path, line: parsed.line, severity: 'error', message: `apache2 -t: ${tree.unmap(parsed.message)}` });
    // Ask again past this line, unless it opens or closes a section (skipping it would only cascade).
    const sandboxCopy = tree.inSandbox(file.path);
    const copy = lines(await readFile(sandboxCopy, 'utf8'));
    const text = copy[parsed.line - 1] ?? '';
    const previous = copy[parsed.line - 2] ?? '';
    if (/^\s*<|\\$/.test(text) || /\\$/.test(previous) || /was not closed|without matching/.test(parsed.message)) break;
    await commentOutLine(sandboxCopy, parsed.line);
  }

  findings.push(...warnings, ...(await cipherFindings(ordered)));
  return dedupe(findings);
}

export const apacheChecker: Checker = {
  name: 'apache',
  tools: [apache2, opensslTool],
  run,
};
