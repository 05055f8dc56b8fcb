// The inventory Ansible would use when none is named: ANSIBLE_INVENTORY, else the `inventory` setting of
// [defaults] in the one ansible.cfg Ansible reads (config/manager.py find_ini_config_file: ANSIBLE_CONFIG,
// ./ansible.cfg unless the working directory is world-writable, ~/.ansible.cfg, /etc/ansible/ansible.cfg;
// the first that exists). The value is a comma-separated list; relative entries are relative to the
// ansible.cfg they are written in (to the working directory for ANSIBLE_INVENTORY).

import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { InputError } from '../../model/errors.js';

export interface DefaultInventory {
  sources: string[];
  /** where the setting was found, for messages: `ANSIBLE_INVENTORY` or the ansible.cfg path */
  from: string;
}

type Env = Record<string, string | undefined>;

function exists(p: string): boolean {
  try {
    statSync(p);
    accessSync(p, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Python's os.path.expandvars and expanduser, as Ansible's unfrackpath applies them. */
function expandPath(value: string, env: Env, home: string): string {
  const vars = value.replace(/\$(\w+)|\$\{([^}]*)\}/g, (whole, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? whole);
  return vars === '~' || vars.startsWith('~/') ? home + vars.slice(1) : vars;
}

/** The ansible.cfg Ansible would read, or null. */
export function findAnsibleCfg(cwd: string, env: Env = process.env, home = env.HOME ?? homedir()): string | null {
  const candidates: string[] = [];
  const fromEnv = env.ANSIBLE_CONFIG;
  if (fromEnv !== undefined) {
    const p = path.resolve(cwd, expandPath(fromEnv, env, home));
    candidates.push(isDirectory(p) ? path.join(p, 'ansible.cfg') : p);
  }
  try {
    // Ansible skips ./ansible.cfg in a world-writable directory: anyone could have put it there
    if ((statSync(cwd).mode & 0o002) === 0) candidates.push(path.join(cwd, 'ansible.cfg'));
  } catch {
    // an unreadable working directory is simply not a place to look
  }
  candidates.push(path.join(home, '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  return candidates.find(exists) ?? null;
}

/**
 * `[defaults] inventory` of an ansible.cfg, read as Python's ConfigParser(inline_comment_prefixes=(';',))
 * reads it: keys case-insensitive, `=` or `:`, `#`/`;` comment lines, ` ;` inline comments, indented
 * continuation lines. Returns the raw value, or null when the setting is absent.
 */
export function cfgInventorySetting(text: string, file: string): { value: string; line: number } | null {
  let section: string | null = null;
  let found: { value: string; line: number } | null = null;
  let continuing = false;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const stripped = raw.trim();
    if (stripped === '' || stripped.startsWith('#') || stripped.startsWith(';')) {
      continuing = false;
      continue;
    }
    if (continuing && /^\s/.test(raw) && found) {
      found.value += '\n' + stripped.replace(/\s;.*$/, '');
      continue;
    }
    continuing = false;
    const header = /^\[([^\]]+)\]/.exec(stripped);
    if (header && !/^\s/.test(raw)) {
      section = header[1]!;
      continue;
    }
    const option = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (!option) {
      if (section === null) throw new InputError([{ file, line: i + 1, col: 1, message: 'ansible.cfg: a setting before any [section]' }]);
      continue;
    }
    if (section === 'defaults' && option[1]!.toLowerCase() === 'inventory') {
      found = { value: option[2]!.replace(/(^|\s);.*$/, '').trim(), line: i + 1 };
      continuing = true;
    }
  }
  return found;
}

/** Splits and resolves a DEFAULT_HOST_LIST value (a comma-separated path list). */
function resolveList(value: string, base: string, env: Env, home: string): string[] {
  return value
    .replace(/%%/g, '%')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => path.resolve(base, expandPath(p, env, home)));
}

/** The inventory sources Ansible would use without `-i`; null when nothing sets one. */
export function defaultInventory(cwd: string, env: Env = process.env): DefaultInventory | null {
  const home = env.HOME ?? homedir();
  const fromEnv = env.ANSIBLE_INVENTORY;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { sources: resolveList(fromEnv, cwd, env, home), from: 'ANSIBLE_INVENTORY' };
  }
  const cfg = findAnsibleCfg(cwd, env, home);
  if (!cfg) return null;
  let text: string;
  try {
    text = readFileSync(cfg, 'utf8');
  } catch (e) {
    throw new InputError([{ file: cfg, message: `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
  }
  const setting = cfgInventorySetting(text, cfg);
  if (!setting || setting.value === '') return null;
  return { sources: resolveList(setting.value, path.dirname(cfg), env, home), from: `${cfg}:${setting.line}` };
}

/** Shows an absolute source relative to the working directory when it is inside it. */
export function displaySource(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}
