// Where vault passwords come from, as Ansible's CLI gathers them (cli/__init__.py setup_vault_secrets,
// parsing/vault get_file_vault_secret): `--vault-password-file FILE` and `ANSIBLE_VAULT_PASSWORD_FILE`
// (label `default`), `--vault-id [label@]SOURCE` (SOURCE a file, an executable, or `prompt`),
// `--ask-vault-pass` (label `default`, a terminal only). A file's content is the password with
// surrounding whitespace removed; an executable file is run and its stdout is the password; a script
// named `*-client[.ext]` is asked for its label with `--vault-id LABEL`.

import { statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../../model/errors.js';
import { readBoundedText } from '../read-file.js';
import type { VaultSecret } from './vault-format.js';
import { promptPassword } from './prompt.js';
import { runProgramOrThrow } from '../../../host/local-programs.js';

export interface VaultOptions {
  passwordFiles: string[];
  /** `--vault-id` arguments in command-line order */
  vaultIds: string[];
  askVaultPass: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

let configured: VaultSecret[] = [];

/** The secrets the command line gave; the load stage uses them unless a caller passes its own. */
export function configuredVaultSecrets(): VaultSecret[] {
  return configured;
}

export function setVaultSecrets(secrets: VaultSecret[]): void {
  configured = secrets;
}

/** A script that prints a password runs as whoever runs provision: as root, nobody else may change it. */
function checkScriptOwner(file: string, option: string): void {
  if (process.getuid?.() !== 0) return;
  const stat = statSync(file);
  if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new UsageError(
      `${option}: the password script ${file} would run as root but is ${stat.uid !== 0 ? `owned by uid ${stat.uid}` : 'writable by group or others'}; make it owned by root and writable only by root`,
    );
  }
}

function isClientScript(file: string): boolean {
  const base = path.basename(file);
  const ext = path.extname(base);
  return (ext ? base.slice(0, -ext.length) : base).endsWith('-client');
}

function runScript(file: string, label: string, option: string): Buffer {
  checkScriptOwner(file, option);
  const args = isClientScript(file) ? ['--vault-id', label] : [];
  let stdout: Buffer;
  try {
    // stderr is left to the terminal, as Ansible does, so a script can ask its own questions
    stdout = runProgramOrThrow(file, args, { stdio: ['inherit', 'pipe', 'inherit'], maxBuffer: 1024 * 1024, timeout: 120_000 });
  } catch (e) {
    const status = (e as { status?: number | null }).status;
    if (isClientScript(file) && status === 2) throw new UsageError(`${option}: the password client script ${file} has no secret for vault id \`${label}\``);
    const why =
      status !== undefined && status !== null ? `exited with ${status}` : `could not run: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
    throw new UsageError(`${option}: the password script ${file} ${why}`);
  }
  return Buffer.from(stdout.toString('utf8').replace(/^[\r\n]+|[\r\n]+$/g, ''), 'utf8');
}

function readSource(source: string, label: string, option: string, cwd: string): Buffer {
  const file = path.resolve(cwd, source.startsWith('~/') ? path.join(process.env.HOME ?? '~', source.slice(2)) : source);
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw new UsageError(`${option}: the vault password file ${source} was not found`);
  }
  let password: Buffer;
  if (stat.isFile() && (stat.mode & 0o111) !== 0) password = runScript(file, label, option);
  else {
    const read = readBoundedText(file, source, { what: 'vault password file' });
    if (read.problem) throw new UsageError(`${option}: ${source}: ${read.problem.message}`);
    password = Buffer.from(read.text.trim(), 'utf8');
  }
  if (password.length === 0) throw new UsageError(`${option}: ${source} gave an empty vault password`);
  return password;
}

async function ask(label: string, option: string): Promise<Buffer> {
  if (!process.stdin.isTTY) throw new UsageError(`${option} needs a terminal to ask for the password; give it with --vault-password-file FILE instead`);
  const password = await promptPassword(label === 'default' ? 'Vault password: ' : `Vault password (${label}): `);
  if (password.length === 0) throw new UsageError(`${option}: an empty vault password was given`);
  return password;
}

/** Loads every password the options name, in Ansible's order: vault ids, then password files, then the prompt. */
export async function loadVaultSecrets(options: VaultOptions): Promise<VaultSecret[]> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const secrets: VaultSecret[] = [];
  for (const id of options.vaultIds) {
    const at = id.indexOf('@');
    const label = at >= 0 ? id.slice(0, at) || 'default' : 'default';
    const source = at >= 0 ? id.slice(at + 1) : id;
    const option = `--vault-id ${id}`;
    if (!source) throw new UsageError(`${option}: name a password file, script or \`prompt\` after the @`);
    const password = source === 'prompt' ? await ask(label, option) : readSource(source, label, option, cwd);
    secrets.push({ label, password, source: option });
  }
  const files = options.passwordFiles.length > 0 ? options.passwordFiles : env.ANSIBLE_VAULT_PASSWORD_FILE ? [env.ANSIBLE_VAULT_PASSWORD_FILE] : [];
  for (const file of files) {
    const option = options.passwordFiles.length > 0 ? `--vault-password-file ${file}` : `ANSIBLE_VAULT_PASSWORD_FILE=${file}`;
    secrets.push({ label: 'default', password: readSource(file, 'default', option, cwd), source: option });
  }
  if (options.askVaultPass) secrets.push({ label: 'default', password: await ask('default', '--ask-vault-pass'), source: '--ask-vault-pass' });
  return secrets;
}
