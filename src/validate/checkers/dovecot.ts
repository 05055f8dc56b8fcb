// `dovecot`: rendered Dovecot configuration snippets (conf.d files), in the syntax of the host's
// Dovecot (vars.dovecot_version: "2.3", the default, or "2.4..."; the two do not load each other's files).
//
// When the installed doveconf is of the host's family, a minimal dovecot.conf in the sandbox includes
// the snippets and `doveconf -c CONF -n` parses them: unknown settings, invalid values of typed
// settings, unreadable `<file` values. doveconf stops at the first error, so the offending line is
// commented out in the sandbox copy and doveconf asked again. When it is of the other family (Debian
// 12 has 2.3, Debian 13 has 2.4), the snippets are checked statically instead: settings renamed
// between 2.3 and 2.4, and the values below; one warning says that the full check needs the other
// doveconf. In both cases a few values doveconf itself does not check (the daemon does, at start)
// are checked: ssl_min_protocol, ssl_cipher_list (OpenSSL), `<` before file paths in 2.3, none in 2.4.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checker, CheckInput, Finding } from '../checker.js';
import type { FileResource } from '../../model/desired.js';
import { checkCipherList } from './cipher-list.js';
import { buildHostTree, opensslTool } from './host-tree.js';
import type { HostTree } from './host-tree.js';
import { commentOutLine, dedupe, lines } from './lines.js';
import { runTool } from './run-tool.js';

const doveconf = { command: 'doveconf', package: 'dovecot-core' };
const dovecot = { command: '/usr/sbin/dovecot', package: 'dovecot-core' };
const MAX_ROUNDS = 20;

export type Family = '2.3' | '2.4';

/** "2.3", "2.3.19.1", "2.4.1-4 (...)" -> the configuration syntax family. */
export function familyOf(version: string): Family {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return '2.3';
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 2 || (major === 2 && minor >= 4) ? '2.4' : '2.3';
}

/** Dovecot 2.3 settings that 2.4 renamed or replaced (doc.dovecot.org, upgrading 2.3 to 2.4). */
export const renamedIn24: Record<string, string> = {
  ssl_cert: 'ssl_server_cert_file (a plain path, without "<")',
  ssl_key: 'ssl_server_key_file (a plain path, without "<")',
  ssl_alt_cert: 'ssl_server_alt_cert_file (a plain path, without "<")',
  ssl_alt_key: 'ssl_server_alt_key_file (a plain path, without "<")',
  ssl_ca: 'ssl_server_ca_file (and ssl_client_ca_file for outgoing connections)',
  ssl_ca_dir: 'ssl_client_ca_dir',
  ssl_ca_file: 'ssl_client_ca_file',
  ssl_dh: 'ssl_server_dh_file (a plain path, without "<")',
  ssl_key_password: 'ssl_server_key_password',
  ssl_cert_username_field: 'ssl_server_cert_username_field',
  ssl_prefer_server_ciphers: 'ssl_server_prefer_ciphers (client or server, for no or yes)',
  ssl_require_crl: 'ssl_server_require_crl',
  ssl_verify_client_cert: 'ssl_server_request_client_cert',
  ssl_client_cert: 'ssl_client_cert_file (a plain path, without "<")',
  ssl_client_key: 'ssl_client_key_file (a plain path, without "<")',
  verbose_ssl: 'log_debug = category=ssl',
  auth_debug: 'log_debug = category=auth',
  disable_plaintext_auth: 'auth_allow_cleartext (inverted)',
  auth_default_realm: 'auth_default_domain',
  default_idle_kill: 'default_idle_kill_interval',
  mail_location: 'mail_driver, mail_path and the other mail_* settings',
  mail_attachment_dir: 'mail_ext_attachment_path',
  mail_attachment_hash: 'mail_ext_attachment_hash',
  mail_attachment_min_size: 'mail_ext_attachment_min_size',
};

/** Dovecot 2.4 names and what 2.3 calls them. */
export const newIn24: Record<string, string> = {
  dovecot_config_version: '(nothing: 2.3 has no configuration version)',
  dovecot_storage_version: '(nothing: 2.3 has no storage version)',
  ssl_server_cert_file: 'ssl_cert (with "<" before the path)',
  ssl_server_key_file: 'ssl_key (with "<" before the path)',
  ssl_server_alt_cert_file: 'ssl_alt_cert (with "<" before the path)',
  ssl_server_alt_key_file: 'ssl_alt_key (with "<" before the path)',
  ssl_server_ca_file: 'ssl_ca (with "<" before the path)',
  ssl_server_dh_file: 'ssl_dh (with "<" before the path)',
  ssl_server_key_password: 'ssl_key_password',
  ssl_server_cert_username_field: 'ssl_cert_username_field',
  ssl_server_prefer_ciphers: 'ssl_prefer_server_ciphers (yes or no, for server or client)',
  ssl_server_require_crl: 'ssl_require_crl',
  ssl_server_request_client_cert: 'ssl_verify_client_cert',
  ssl_client_cert_file: 'ssl_client_cert (with "<" before the path)',
  ssl_client_key_file: 'ssl_client_key (with "<" before the path)',
  auth_allow_cleartext: 'disable_plaintext_auth (inverted)',
  auth_default_domain: 'auth_default_realm',
  default_idle_kill_interval: 'default_idle_kill',
  mail_driver: 'mail_location',
  mail_path: 'mail_location',
};

/** 2.3 settings whose value is the file's content, written `</path`. */
const contentSettings23 = new Set(['ssl_cert', 'ssl_key', 'ssl_alt_cert', 'ssl_alt_key', 'ssl_ca', 'ssl_dh', 'ssl_client_cert', 'ssl_client_key']);

interface Setting {
  name: string;
  value: string;
  line: number;
}

/** `name = value` lines (sections, includes and comments skipped): enough for the settings checked here. */
export function parseSnippet(content: string): Setting[] {
  const settings: Setting[] = [];
  lines(content).forEach((text, index) => {
    const m = /^\s*([A-Za-z0-9_/]+)\s*=\s*(.*?)\s*$/.exec(text);
    if (m && !text.trim().startsWith('#')) settings.push({ name: m[1]!.split('/').pop()!, value: m[2]!.replace(/^"(.*)"$/, '$1'), line: index + 1 });
  });
  return settings;
}

/** Checks by setting name and value that doveconf (of the given family) does not make, or cannot. */
async function valueFindings(file: FileResource, family: Family, full: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  const error = (line: number, message: string) => findings.push({ path: file.path, line, severity: 'error', message });
  for (const { name, value, line } of parseSnippet(file.content)) {
    if (!full) {
      if (family === '2.4' && renamedIn24[name]) error(line, `${name} is Dovecot 2.3 syntax; Dovecot 2.4 uses ${renamedIn24[name]}`);
      if (family === '2.3' && newIn24[name]) error(line, `${name} is Dovecot 2.4 syntax; Dovecot 2.3 uses ${newIn24[name]}`);
      if (name === 'ssl' && !['yes', 'no', 'required'].includes(value)) error(line, `ssl: "${value}" is not one of yes, no, required`);
      if (family === '2.4' && name === 'ssl_server_prefer_ciphers' && !['client', 'server'].includes(value))
        error(line, `ssl_server_prefer_ciphers: "${value}" is not one of client, server`);
      if (family === '2.3' && name === 'ssl_prefer_server_ciphers' && !['yes', 'no'].includes(value))
        error(line, `ssl_prefer_server_ciphers: "${value}" is not one of yes, no`);
    }
    if (name === 'ssl_min_protocol') {
      const allowed =
        family === '2.4' ? ['ANY', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'LATEST'] : ['ANY', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3', 'LATEST'];
      if (!allowed.includes(value)) error(line, `ssl_min_protocol: "${value}" is not one of ${allowed.join(', ')} (Dovecot ${family})`);
    }
    if (family === '2.3' && contentSettings23.has(name) && value !== '' && !value.startsWith('<')) {
      error(line, `${name} takes the file's content in Dovecot 2.3: write ${name} = <${value}`);
    }
    if (family === '2.4' && /_file$/.test(name) && value.startsWith('<')) {
      error(line, `${name} takes a plain path in Dovecot 2.4: write ${name} = ${value.slice(1).trim()}`);
    }
    if (name === 'ssl_cipher_list' && value !== '') {
      const check = await checkCipherList(value);
      if (check.error) error(line, `ssl_cipher_list: ${check.error}`);
      for (const cipher of check.unknown)
        findings.push({ path: file.path, line, severity: 'warning', message: `ssl_cipher_list: OpenSSL knows no cipher "${cipher}" (it is ignored)` });
    }
  }
  return findings;
}

let installed: Promise<string> | undefined;
/** The installed Dovecot's version ("2.3.19.1"), from `dovecot --version` or doveconf's header. */
function installedVersion(sandbox: string): Promise<string> {
  installed ??= (async () => {
    try {
      const result = await runTool(dovecot, ['--version']);
      if (result.exitCode === 0 && /^\d/.test(result.stdout.trim())) return result.stdout.trim();
    } catch {
      // dovecot itself missing: ask doveconf below
    }
    const empty = join(sandbox, 'version.conf');
    await writeFile(empty, '');
    const result = await runTool(doveconf, ['-c', empty, '-n']);
    const m = /^# (\d[^\s:]*)/m.exec(result.stdout);
    if (!m) throw new Error(`cannot tell the installed Dovecot version: ${(result.stderr || result.stdout).trim()}`);
    return m[1]!;
  })();
  installed.catch(() => {
    installed = undefined;
  });
  return installed;
}

interface DoveconfMessage {
  file?: string;
  line?: number;
  message: string;
}

export function parseDoveconfError(output: string): DoveconfMessage | undefined {
  for (const text of output.split('\n')) {
    let m = /^doveconf: Fatal: Error in configuration file (.+?) line (\d+): (.*)$/.exec(text);
    if (m) return { file: m[1], line: Number(m[2]), message: m[3]! };
    m = /^doveconf: Fatal: Error in configuration file (.+?): (.*)$/.exec(text);
    if (m) return { file: m[1], message: m[2]! };
    m = /^doveconf: (?:Fatal|Error): (.*)$/.exec(text);
    if (m) return { message: m[1]! };
  }
  return undefined;
}

/** Unknown setting X: add what the other version calls it, when X is a known rename. */
function explain(message: string, family: Family): string {
  const m = /^Unknown setting: (\S+)$/.exec(message);
  if (!m) return message;
  const name = m[1]!.split('/').pop()!;
  if (family === '2.3' && newIn24[name]) return `${message} (Dovecot 2.4 syntax; Dovecot 2.3 uses ${newIn24[name]})`;
  if (family === '2.4' && renamedIn24[name]) return `${message} (Dovecot 2.3 syntax; Dovecot 2.4 uses ${renamedIn24[name]})`;
  return message;
}

async function fullCheck(input: CheckInput, tree: HostTree, family: Family, version: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const bySandboxPath = new Map(input.files.map((f) => [tree.inSandbox(f.path), f]));
  const conf = join(input.sandbox, 'dovecot.conf');
  const head = family === '2.4' ? [`dovecot_config_version = ${version.split(/[\s-]/)[0]}`, `dovecot_storage_version = ${version.split(/[\s-]/)[0]}`] : [];
  await writeFile(
    conf,
    ['# Written by provision validate: the rendered snippets, nothing else.', ...head, ...[...bySandboxPath.keys()].map((p) => `!include ${p}`), ''].join('\n'),
  );

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = await runTool(doveconf, ['-c', conf, '-n'], { cwd: input.sandbox });
    for (const text of result.stderr.split('\n')) {
      const w = /^doveconf: Warning: (.*)$/.exec(text);
      if (!w) continue;
      const at = /(\/\S+?) line (\d+)/.exec(w[1]!);
      const file = at ? bySandboxPath.get(at[1]!) : undefined;
      findings.push({
        path: file?.path ?? input.files[0]!.path,
        line: file ? Number(at![2]) : undefined,
        severity: 'warning',
        message: `doveconf: ${tree.unmap(w[1]!)}`,
      });
    }
    if (result.exitCode === 0) break;
    const parsed = parseDoveconfError(result.stderr);
    const file = parsed?.file ? bySandboxPath.get(parsed.file) : undefined;
    if (!parsed || !file || !parsed.line) {
      const message = tree.unmap(parsed?.message ?? (result.stderr.trim() || `exit ${result.exitCode}`));
      findings.push({ path: file?.path ?? input.files[0]!.path, line: parsed?.line, severity: 'error', message: `doveconf: ${message}` });
      break;
    }
    findings.push({ path: file.path, line: parsed.line, severity: 'error', message: `doveconf: ${explain(tree.unmap(parsed.message), family)}` });
    const sandboxCopy = tree.inSandbox(file.path);
    const text = lines(await readFile(sandboxCopy, 'utf8'))[parsed.line - 1] ?? '';
    if (/[{}]/.test(text)) break; // skipping a section line would only cascade
    await commentOutLine(sandboxCopy, parsed.line);
  }
  return findings;
}

async function run(input: CheckInput): Promise<Finding[]> {
  if (input.files.length === 0) return [];
  const hostFamily = familyOf(String(input.vars.dovecot_version ?? '2.3'));
  const version = await installedVersion(input.sandbox);
  const full = familyOf(version) === hostFamily;
  const findings: Finding[] = [];

  if (full) {
    const tree = await buildHostTree(input);
    findings.push(...(await fullCheck(input, tree, hostFamily, version)));
  } else {
    findings.push({
      path: input.files[0]!.path,
      severity: 'warning',
      message: `the host runs Dovecot ${hostFamily} but this machine's doveconf is ${version.split(' ')[0]}: the files were checked statically (settings renamed between 2.3 and 2.4, and some values), not parsed; install dovecot-core ${hostFamily} (Debian ${hostFamily === '2.4' ? '13' : '12'}) for the full check`,
    });
  }
  for (const file of input.files) findings.push(...(await valueFindings(file, hostFamily, full)));
  return dedupe(findings).sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
}

export const dovecotChecker: Checker = {
  name: 'dovecot',
  tools: [doveconf, opensslTool],
  run,
};
