// loadInventory: reads a YAML inventory with its group_vars/ and host_vars/ and the -e extra vars, and
// returns every host with its variables merged as `ansible-inventory -i FILE --list` shows them.
// Every problem found anywhere is collected and thrown together as one InputError.

import path from 'node:path';
import { InputError, type Problem } from '../errors.js';
import { loadExtraVars } from './extra-vars.js';
import { loadVarsFiles } from './group-vars.js';
import { hostGroups, type InventoryModel, type VarLayer } from './model.js';
import { buildModel } from './parse-inventory.js';
import { parseYaml } from '../yaml/parse-yaml.js';
import { layersFor, mergeLayers } from './precedence.js';
import { reconcile, sortedHostGroups } from './reconcile.js';
import type { Inventory, InventoryHost } from './types.js';
import { validateInventory } from './validate.js';
import { readBoundedText } from './read-file.js';
import { decryptInlineValues } from './vault/decrypt-vars.js';
import type { VaultSecret } from './vault/vault-format.js';
import { configuredVaultSecrets } from './vault/vault-secrets.js';

export interface LoadOptions {
  /** `-e` arguments, in command-line order */
  extraVars?: string[];
  /** directory that relative paths (the inventory, `-e @file`) are relative to; default process.cwd() */
  cwd?: string;
  /** vault passwords; default: those the command line gave (configuredVaultSecrets) */
  vaultSecrets?: readonly VaultSecret[];
}

function readInventory(file: string, abs: string): string {
  const read = readBoundedText(abs, file, { what: 'inventory file' });
  if (read.problem) {
    const message = read.problem.message === 'is a directory' ? 'is a directory; give the inventory file (a YAML file such as hosts.yml)' : read.problem.message;
    throw new InputError([{ ...read.problem, message }]);
  }
  return read.text;
}

/** `[web]` on its own line before anything else: an INI inventory, which Ansible also reads. */
function iniHeaderLine(text: string): number | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    return /^\[[^\]\s]+\]$/.test(line) ? i + 1 : null;
  }
  return null;
}

/** Host names per group, counting hosts of child groups, in inventory order. */
function hostsByGroup(model: InventoryModel): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const host of model.hosts.keys()) {
    for (const group of hostGroups(model, host)) {
      const list = result.get(group) ?? [];
      list.push(host);
      result.set(group, list);
    }
  }
  return result;
}

/**
 * group_vars/ of every group and host_vars/ of every host. A problem in a group's file lists the hosts
 * it concerns (not for `all`: that would be every host).
 */
function readVarsFiles(model: InventoryModel, absDir: string, displayDir: string, secrets: readonly VaultSecret[]) {
  const members = hostsByGroup(model);
  const problems: Problem[] = [];
  const groups = new Map<string, VarLayer>();
  for (const group of model.groups.keys()) {
    const loaded = loadVarsFiles(absDir, displayDir, 'group_vars', group, secrets);
    const hosts = group === 'all' ? undefined : members.get(group);
    problems.push(...loaded.problems.map((p) => (hosts && hosts.length > 0 ? { ...p, hosts } : p)));
    groups.set(group, loaded.layer);
  }
  const hosts = new Map<string, VarLayer>();
  for (const host of model.hosts.keys()) {
    const loaded = loadVarsFiles(absDir, displayDir, 'host_vars', host, secrets);
    problems.push(...loaded.problems.map((p) => ({ ...p, hosts: [host] })));
    hosts.set(host, loaded.layer);
  }
  return { groups, hosts, problems };
}

/** Problems grouped by file (in the order files were met), each file's in line/column order. */
function sortProblems(problems: Problem[]): Problem[] {
  const fileOrder = new Map<string | undefined, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  return problems
    .map((p, index) => ({ p, index }))
    .sort((a, b) => fileOrder.get(a.p.file)! - fileOrder.get(b.p.file)! || (a.p.line ?? 0) - (b.p.line ?? 0) || (a.p.col ?? 0) - (b.p.col ?? 0) || a.index - b.index)
    .map(({ p }) => p);
}

export function loadInventory(file: string, options: LoadOptions = {}): Inventory {
  const cwd = options.cwd ?? process.cwd();
  const abs = path.resolve(cwd, file);
  const absDir = path.dirname(abs);
  const displayDir = path.isAbsolute(file) ? absDir : path.dirname(file);
  const text = readInventory(file, abs);

  const problems: Problem[] = [];
  const parsed = parseYaml(text, file);
  problems.push(...parsed.problems);
  const source = parsed.source;
  const iniLine = iniHeaderLine(text);
  if (iniLine !== null && (!source || Array.isArray(source.value))) {
    throw new InputError([
      {
        file,
        line: iniLine,
        col: 1,
        message: `this looks like an INI inventory; provision reads YAML inventories: convert it with \`ansible-inventory -i ${file} --list --yaml\``,
      },
    ]);
  }
  if (!source) throw new InputError(sortProblems(problems));
  problems.push(...validateInventory(source));

  const built = buildModel(source);
  problems.push(...built.problems);
  const model = built.model;
  reconcile(model);
  const secrets = options.vaultSecrets ?? configuredVaultSecrets();
  const files = readVarsFiles(model, absDir, displayDir, secrets);
  problems.push(...files.problems);
  const extra = loadExtraVars(options.extraVars ?? [], cwd, secrets);
  problems.push(...extra.problems);
  const layers = [...[...model.groups.values()].map((g) => g.vars), ...[...model.hosts.values()].map((h) => h.vars), ...files.groups.values(), ...files.hosts.values(), extra.layer];
  problems.push(...decryptInlineValues(layers, secrets));

  if (problems.length > 0) throw new InputError(sortProblems(problems));

  const hosts: InventoryHost[] = [];
  for (const host of model.hosts.values()) {
    const groups = sortedHostGroups(model, host.name);
    const layers = layersFor({
      groups,
      groupInline: (g) => model.groups.get(g)?.vars,
      groupFiles: (g) => files.groups.get(g),
      hostInline: host.vars,
      hostFiles: files.hosts.get(host.name)!,
      extra: extra.layer,
    });
    const { vars, origins } = mergeLayers(layers);
    hosts.push({ name: host.name, groups, vars, origins, declaredAt: host.declaredAt });
  }
  const groups = [...model.groups.values()].map((g) => ({ name: g.name, children: [...g.children], hosts: [...g.hosts] }));
  return { file, dir: absDir, hosts, groups };
}
