// `postfix`: a rendered file of main.cf settings (`name = value` lines, as provision-postfix-tls applies
// them with postconf -e), applied with `postconf -c DIR -e` to a throwaway configuration directory in
// the sandbox (never /etc/postfix), then checked:
//   - the line format the apply script relies on (exactly `name = value`);
//   - unknown parameter names: postconf -n reports them as "unused parameter";
//   - `postfix -c DIR check` (as root only: it is reserved for the superuser), whose parameter checks
//     cover the values every Postfix program reads at start (bad numbers, times, booleans);
//   - explicit value checks where only the daemon would notice, when it starts: TLS security levels,
//     cipher grades, protocol lists, TLS booleans, numbers and times, OpenSSL cipher lists, and the
//     key-then-certificates order of smtpd_tls_chain_files.
import { copyFile, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Checker, CheckInput, Finding } from '../checker.js';
import type { FileResource } from '../../model/desired.js';
import { checkCipherList } from './cipher-list.js';
import { buildHostTree, opensslTool } from './host-tree.js';
import type { HostTree } from './host-tree.js';
import { lines } from './lines.js';
import { runTool } from './run-tool.js';

const postconf = { command: '/usr/sbin/postconf', package: 'postfix' };
const postfix = { command: '/usr/sbin/postfix', package: 'postfix' };
const script = { command: 'script', package: 'bsdutils' };

/** Installation paths: set to the sandbox or left at this machine's defaults, never taken from the file. */
const installationParameters = [
  'config_directory',
  'queue_directory',
  'data_directory',
  'command_directory',
  'daemon_directory',
  'meta_directory',
  'shlib_directory',
  'multi_instance_directories',
  'import_environment',
];

export interface Setting {
  name: string;
  value: string;
  line: number;
}

/** The settings of the rendered file, and problems with lines the apply script would misread. */
export function parseSettings(file: FileResource): { settings: Setting[]; findings: Finding[] } {
  const settings: Setting[] = [];
  const findings: Finding[] = [];
  const seen = new Map<string, number>();
  lines(file.content).forEach((text, index) => {
    const line = index + 1;
    if (/^\s*(#|$)/.test(text)) return;
    if (/^\s/.test(text)) {
      findings.push({ path: file.path, line, severity: 'error', message: 'a continuation line: provision-postfix-tls applies one "name = value" per line' });
      return;
    }
    const m = /^([A-Za-z0-9_]+) = (.*)$/.exec(text);
    if (!m) {
      findings.push({
        path: file.path,
        line,
        severity: 'error',
        message: `not a "name = value" line (provision-postfix-tls splits each line at " = "): ${JSON.stringify(text)}`,
      });
      return;
    }
    const earlier = seen.get(m[1]!);
    if (earlier !== undefined)
      findings.push({ path: file.path, line, severity: 'warning', message: `${m[1]} is set again (first on line ${earlier}); the last value wins` });
    seen.set(m[1]!, line);
    settings.push({ name: m[1]!, value: m[2]!.trim(), line });
  });
  return { settings, findings };
}

// --- values only the daemons check when they start ---------------------------------------------

const protocolNames = new Set(['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
const cipherGrades = ['export', 'low', 'medium', 'high', 'null'];
const serverLevels = ['none', 'may', 'encrypt'];
const clientLevels = ['none', 'may', 'encrypt', 'dane', 'dane-only', 'fingerprint', 'verify', 'secure'];

/** Problems with a Postfix TLS protocol list (`>=TLSv1.2`, `!SSLv2, !SSLv3`, `TLSv1.2 TLSv1.3`). */
export function protocolListProblems(value: string): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  const tokens = value.split(/[\s,:]+/).filter(Boolean);
  let lower = 0;
  let upper = 0;
  for (const token of tokens) {
    const m = /^(>=|<=|!)?(.*)$/.exec(token)!;
    const [, op, name] = m;
    if (op === '>=') lower++;
    if (op === '<=') upper++;
    if (protocolNames.has(name!)) continue;
    if (op === '!') warnings.push(`unknown protocol "${name}" (Postfix ignores an unknown excluded protocol)`);
    else errors.push(`unknown protocol "${token}": use >=TLSv1.2-style bounds or names from ${[...protocolNames].join(', ')}`);
  }
  if (lower > 1 || upper > 1) errors.push('at most one >= and one <= bound');
  return { errors, warnings };
}

/** Postfix's types, inferred from the default value (postconf -d) of a TLS parameter. */
type ValueType = 'boolean' | 'integer' | 'time';
function typeOfDefault(defaultValue: string): ValueType | undefined {
  if (/^(yes|no)$/i.test(defaultValue)) return 'boolean';
  if (/^\d+$/.test(defaultValue)) return 'integer';
  if (/^\d+[smhdw]$/.test(defaultValue)) return 'time';
  return undefined;
}

function valueProblems(name: string, value: string, defaultValue: string | undefined): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  let m: RegExpExecArray | null;
  if ((m = /^(smtpd|smtp|lmtp|postscreen|tlsproxy)_tls_security_level$/.exec(name)) || /^tlsproxy_client_(security_)?level$/.test(name)) {
    const allowed = m && m[1] !== 'smtp' && m[1] !== 'lmtp' ? serverLevels : clientLevels;
    if (value !== '' && !allowed.includes(value)) errors.push(`"${value}" is not a TLS security level; use one of ${allowed.join(', ')}`);
  } else if (/_tls_(mandatory_)?ciphers$/.test(name)) {
    if (!cipherGrades.includes(value.toLowerCase())) errors.push(`"${value}" is not a cipher grade; use one of ${cipherGrades.join(', ')}`);
  } else if (/_tls_(mandatory_)?protocols$/.test(name)) {
    const problems = protocolListProblems(value);
    errors.push(...problems.errors);
    warnings.push(...problems.warnings);
  } else if (/tls/.test(name) && defaultValue !== undefined) {
    const type = typeOfDefault(defaultValue);
    if (type === 'boolean' && !/^(yes|no)$/i.test(value)) errors.push(`"${value}" is not a boolean; use yes or no`);
    if (type === 'integer' && !/^-?\d+$/.test(value)) errors.push(`"${value}" is not a number`);
    if (type === 'time' && !/^\d+[smhdw]?$/.test(value)) errors.push(`"${value}" is not a time (a number with an optional unit s, m, h, d or w)`);
  }
  return { errors, warnings };
}

/** smtpd_tls_chain_files: in the files' order, each private key must be followed by its certificate(s). */
async function chainOrderProblem(value: string, tree: HostTree): Promise<string | undefined> {
  const labels: string[] = [];
  for (const path of value.split(/[\s,]+/).filter(Boolean)) {
    if (!existsSync(path)) return undefined; // not produced by this host's resources: nothing to say here
    const pem = await readFile(path, 'utf8');
    for (const m of pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g))
      labels.push(m[1]!.includes('PRIVATE KEY') ? 'key' : m[1] === 'CERTIFICATE' ? 'cert' : 'other');
  }
  if (labels.length === 0) return undefined;
  if (labels[0] !== 'key') return `the first file must start with the private key (key first, then its certificate chain): ${tree.unmap(value)}`;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 'key' && labels[i + 1] !== 'cert') return `each private key must be followed by its certificate: ${tree.unmap(value)}`;
  }
  return undefined;
}

// --- postconf -------------------------------------------------------------------------------------

let versionLevel: Promise<string> | undefined;
/** compatibility_level for the throwaway main.cf: this Postfix's own major.minor. */
function compatibilityLevel(): Promise<string> {
  versionLevel ??= runTool(postconf, ['-d', '-h', 'mail_version']).then((r) => /^(\d+\.\d+)/.exec(r.stdout.trim())?.[1] ?? '2');
  return versionLevel;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

async function checkFile(file: FileResource, index: number, input: CheckInput, tree: HostTree): Promise<Finding[]> {
  const { settings, findings } = parseSettings(file);
  const lineOf = (name: string) => [...settings].reverse().find((s) => s.name === name)?.line;

  const base = join(input.sandbox, `postfix-${index}`);
  const dir = join(base, 'etc');
  const queue = join(base, 'queue');
  const data = join(base, 'data');
  await mkdir(dir, { recursive: true });
  await mkdir(queue, { recursive: true });
  const overrides = [`queue_directory = ${queue}`, `data_directory = ${data}`];
  await writeFile(join(dir, 'main.cf'), [`compatibility_level = ${await compatibilityLevel()}`, ...overrides, 'myhostname = validate.invalid', ''].join('\n'));
  const master = ['/usr/share/postfix/master.cf.dist', '/etc/postfix/master.cf'].find((p) => existsSync(p));
  if (master) await copyFile(master, join(dir, 'master.cf'));
  else await writeFile(join(dir, 'master.cf'), '');

  const applied = settings.filter((s) => !installationParameters.includes(s.name));
  for (const s of settings) {
    if (installationParameters.includes(s.name))
      findings.push({
        path: file.path,
        line: s.line,
        severity: 'warning',
        message: `${s.name} is an installation path of this host's Postfix: not checked here`,
      });
  }
  if (applied.length > 0) {
    const result = await runTool(postconf, ['-c', dir, '-e', ...applied.map((s) => `${s.name} = ${tree.rewrite(s.value).text}`)]);
    if (result.exitCode !== 0) {
      findings.push({ path: file.path, severity: 'error', message: `postconf -e failed: ${tree.unmap(result.stderr.trim())}` });
      return findings;
    }
  }

  // Postfix waits until a configuration file is two seconds old before it reads it (it could be
  // half-written): the files just written are dated back.
  const past = new Date(Date.now() - 60_000);
  for (const name of ['main.cf', 'master.cf']) await utimes(join(dir, name), past, past);

  // Unknown names: postconf -n warns "unused parameter: NAME=VALUE" for a name no Postfix program
  // reads and no other setting refers to.
  const listed = await runTool(postconf, ['-c', dir, '-n']);
  const unknown = new Set<string>();
  for (const text of listed.stderr.split('\n')) {
    const m = /unused parameter: ([A-Za-z0-9_]+)=/.exec(text);
    if (m) {
      unknown.add(m[1]!);
      findings.push({
        path: file.path,
        line: lineOf(m[1]!),
        severity: 'error',
        message: `unknown Postfix parameter ${m[1]} (Postfix ${await compatibilityLevel()} reads no such parameter: postconf says "unused parameter")`,
      });
    } else if (text.trim() !== '') {
      findings.push({ path: file.path, severity: 'warning', message: `postconf -n: ${tree.unmap(text.trim())}` });
    }
  }

  // Values, expanded ($name references resolved) as the daemons will see them.
  const known = [...new Set(applied.filter((s) => !unknown.has(s.name)).map((s) => s.name))];
  const expanded = new Map<string, string>();
  const defaults = new Map<string, string>();
  if (known.length > 0) {
    const [values, defaultValues] = await Promise.all([runTool(postconf, ['-c', dir, '-x', ...known]), runTool(postconf, ['-c', dir, '-d', ...known])]);
    for (const text of values.stdout.split('\n')) {
      const m = /^([A-Za-z0-9_]+) = ?(.*)$/.exec(text);
      if (m) expanded.set(m[1]!, m[2]!);
    }
    for (const text of defaultValues.stdout.split('\n')) {
      const m = /^([A-Za-z0-9_]+) = ?(.*)$/.exec(text);
      if (m) defaults.set(m[1]!, m[2]!);
    }
  }
  for (const name of known) {
    const value = expanded.get(name);
    if (value === undefined) continue;
    const line = lineOf(name);
    const { errors, warnings } = valueProblems(name, value.trim(), defaults.get(name));
    for (const message of errors) findings.push({ path: file.path, line, severity: 'error', message: `${name}: ${message}` });
    for (const message of warnings) findings.push({ path: file.path, line, severity: 'warning', message: `${name}: ${message}` });
    if (/^tls_(high|medium|low|export|null)_cipherlist$/.test(name) && value.trim() !== '') {
      const check = await checkCipherList(value.trim());
      if (check.error) findings.push({ path: file.path, line, severity: 'error', message: `${name}: ${check.error}` });
      for (const cipher of check.unknown)
        findings.push({ path: file.path, line, severity: 'warning', message: `${name}: OpenSSL knows no cipher "${cipher}" (it is ignored)` });
    }
    if (name === 'smtpd_tls_chain_files' || name === 'smtp_tls_chain_files' || name === 'lmtp_tls_chain_files') {
      const problem = await chainOrderProblem(value, tree);
      if (problem) findings.push({ path: file.path, line, severity: 'error', message: `${name}: ${problem}` });
    }
  }

  // postfix check: refused to anyone but root; its messages go to syslog unless stderr is a
  // terminal, hence script(1) when it is there.
  if (!isRoot()) {
    findings.push({ path: file.path, severity: 'warning', message: 'postfix check was not run (it needs root); the other checks were' });
  } else {
    const command = `${postfix.command} -c '${dir.replace(/'/g, `'\\''`)}' check`;
    let result;
    try {
      result = await runTool(script, ['-q', '-e', '-c', command, '/dev/null'], { cwd: base });
      if (/^script: /m.test(result.stderr + result.stdout)) throw new Error('script(1) cannot make a terminal here');
    } catch {
      result = await runTool(postfix, ['-c', dir, 'check'], { cwd: base });
    }
    for (const raw of `${result.stdout}\n${result.stderr}`.replace(/\r/g, '').split('\n')) {
      const text = tree.unmap(raw.trim());
      if (text === '' || /postfix-script/.test(text)) continue; // ownership of the sandbox itself
      const m = /^postfix: (fatal|warning|error): (.*)$/.exec(text);
      if (!m) continue;
      const named = settings.find((s) => new RegExp(`(^|[^\\w])${s.name}([^\\w]|$)`).test(m[2]!));
      const line = named ? lineOf(named.name) : undefined;
      findings.push({ path: file.path, line, severity: m[1] === 'warning' ? 'warning' : 'error', message: `postfix check: ${m[2]}` });
    }
    if (result.exitCode !== 0 && !findings.some((f) => f.message.startsWith('postfix check:') && f.severity === 'error')) {
      findings.push({
        path: file.path,
        severity: 'error',
        message: `postfix check failed (exit ${result.exitCode}): ${tree.unmap(`${result.stdout}${result.stderr}`.replace(/\r/g, '').trim()) || 'no message'}`,
      });
    }
  }
  return findings;
}

async function run(input: CheckInput): Promise<Finding[]> {
  if (input.files.length === 0) return [];
  const tree = await buildHostTree(input);
  const findings: Finding[] = [];
  for (const [index, file] of input.files.entries()) findings.push(...(await checkFile(file, index, input, tree)));
  return findings.sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
}

export const postfixChecker: Checker = {
  name: 'postfix',
  tools: [postconf, postfix, opensslTool],
  run,
};
