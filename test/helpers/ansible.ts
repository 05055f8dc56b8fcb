// Runs Ansible's own tools, the reference our inventory handling is tested against. Needs Debian's
// ansible-core (.ci/run installs it); without it the tests that call these FAIL, they never skip.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

const home = mkdtempSync(path.join(tmpdir(), 'provision-ansible-'));
const config = path.join(home, 'ansible.cfg');
writeFileSync(config, '');
after(() => rmSync(home, { recursive: true, force: true }));

const ENV = {
  ...process.env,
  ANSIBLE_NOCOLOR: '1',
  ANSIBLE_LOCALHOST_WARNING: 'False',
  ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
  // only the YAML plugin, and fail loudly: no silent fallback to the INI parser
  ANSIBLE_INVENTORY_ENABLED: 'yaml',
  ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
  ANSIBLE_HOME: home,
  ANSIBLE_LOCAL_TEMP: home,
  ANSIBLE_CONFIG: config,
};

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Ansible's own plugin order (script, auto, yaml, ini), for the inventory forms beyond YAML; a source
 * that no plugin reads still fails loudly.
 */
export const ALL_PLUGINS: Record<string, string | undefined> = {
  ANSIBLE_INVENTORY_ENABLED: 'host_list,script,auto,yaml,ini,toml',
  ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'True',
};

/**
 * Runs an Ansible command; a missing command fails the test with how to install it. `env` overrides
 * the environment (undefined removes a variable).
 */
export function ansible(command: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): RunResult {
  const merged: Record<string, string | undefined> = { ...ENV, ...env };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  // stderr is kept on success too: Ansible's [WARNING]s are compared with ours
  const result = spawnSync(command, args, {
    cwd,
    env: merged as NodeJS.ProcessEnv,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    assert.fail(`\`${command}\` is not on PATH: install Debian's ansible-core (apt-get install ansible-core) to run the Ansible comparison tests`);
  }
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface AnsibleGroup {
  hosts?: string[];
  children?: string[];
}

/** What `ansible-inventory --list` prints: groups, and `_meta.hostvars`. */
export interface AnsibleList {
  groups: Map<string, AnsibleGroup>;
  hostvars: Record<string, Record<string, unknown>>;
}

export function parseList(stdout: string): AnsibleList {
  const { _meta, ...groups } = JSON.parse(stdout) as { _meta: { hostvars: Record<string, Record<string, unknown>> } } & Record<string, AnsibleGroup>;
  return { groups: new Map(Object.entries(groups)), hostvars: _meta.hostvars };
}

/** `!unsafe` values are printed as {"__ansible_unsafe": "..."}; we keep the plain string. */
export function unwrapUnsafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapUnsafe);
  if (value && typeof value === 'object') {
    if ('__ansible_unsafe' in value) return (value as { __ansible_unsafe: unknown }).__ansible_unsafe;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapUnsafe(v)]));
  }
  return value;
}
