// loadInventory: reads the inventory sources (YAML, INI, scripts, exported JSON, directories of them)
// with their group_vars/ and host_vars/ and the -e extra vars, and returns every host with its variables
// merged as `ansible-inventory -i SOURCE... --list` shows them.
// Every problem found anywhere is collected and thrown together as one InputError. What Ansible only
// warns about (a duplicate key, an unknown group key, a group_vars that is a file) is a warning: the
// inventory loads as Ansible loads it, and the warnings are returned and noted for the CLI to print.

import path from 'node:path';
import { InputError, isWarning, type Problem } from '../../model/errors.js';
import { noteWarnings, uniqueWarnings } from '../../model/warnings.js';
import { loadExtraVars } from './extra-vars.js';
import { loadVarsFiles } from './group-vars.js';
import { hostGroups, newModel, type InventoryModel, type VarLayer } from './model.js';
import { parseSourceFile } from './parse-source.js';
import { expandSource, type ExpandedSource } from './sources.js';
import type { ScriptLimits } from './script-inventory.js';
import { layersFor, mergeLayers } from './precedence.js';
import { reconcile, sortedHostGroups } from './reconcile.js';
import type { Inventory, InventoryHost } from '../../model/inventory.js';
import { readBoundedText } from './read-file.js';
import { decryptInlineValues } from './vault/decrypt-vars.js';
import type { VaultSecret } from './vault/vault-format.js';
import { configuredVaultSecrets } from './vault/vault-secrets.js';

export interface LoadOptions {
  /** `-e` arguments, in command-line order */
  extraVars?: string[];
  /** directory that relative paths (the inventory, `-e @file`) are relative to; default process.cwd() */
  cwd?: string;
  /** bounds on running an inventory script (tests shorten them) */
  scriptLimits?: ScriptLimits;
  /** vault passwords; default: those the command line gave (configuredVaultSecrets) */
  vaultSecrets?: readonly VaultSecret[];
  /**
   * Without any vault password, keep inline `!vault` values encrypted instead of failing, as
   * `ansible-inventory --list` prints them: for listing, which never needs the plaintext.
   */
  keepInlineVaultWithoutPassword?: boolean;
}

function readInventory(file: string, abs: string): string {
  const read = readBoundedText(abs, file, { what: 'inventory file' });
  if (read.problem) {
    const message =
      read.problem.message === 'is a directory' ? 'is a directory; give the inventory file (a YAML file such as hosts.yml)' : read.problem.message;
    throw new InputError([{ ...read.problem, message }]);
  }
  return read.text;
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
  const mark = (layer: VarLayer) => {
    for (const entry of layer.values()) entry.origin.sourceDir = absDir;
  };
  const members = hostsByGroup(model);
  const problems: Problem[] = [];
  const groups = new Map<string, VarLayer>();
  for (const group of model.groups.keys()) {
    const loaded = loadVarsFiles(absDir, displayDir, 'group_vars', group, secrets);
    const hosts = group === 'all' ? undefined : members.get(group);
    problems.push(...loaded.problems.map((p) => (hosts && hosts.length > 0 ? { ...p, hosts } : p)));
    mark(loaded.layer);
    groups.set(group, loaded.layer);
  }
  const hosts = new Map<string, VarLayer>();
  for (const host of model.hosts.keys()) {
    const loaded = loadVarsFiles(absDir, displayDir, 'host_vars', host, secrets);
    problems.push(...loaded.problems.map((p) => ({ ...p, hosts: [host] })));
    mark(loaded.layer);
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
    .sort(
      (a, b) =>
        fileOrder.get(a.p.file)! - fileOrder.get(b.p.file)! || (a.p.line ?? 0) - (b.p.line ?? 0) || (a.p.col ?? 0) - (b.p.col ?? 0) || a.index - b.index,
    )
    .map(({ p }) => p);
}

/** Throws the errors (with the warnings found so far) if there are any; returns the warnings, noted for the CLI. */
function failOnErrors(problems: Problem[]): Problem[] {
  const sorted = sortProblems(problems);
  const warnings = uniqueWarnings(sorted.filter(isWarning));
  noteWarnings(warnings);
  const errors = sorted.filter((p) => !isWarning(p));
  if (errors.length > 0) throw new InputError(errors, warnings);
  return warnings;
}

/** Reads one file of a source; a read error becomes a problem of that file. */
function readOrProblem(problems: Problem[]) {
  return (display: string, abs: string): string => {
    try {
      return readInventory(display, abs);
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems.push(...e.problems);
      return '';
    }
  };
}

/**
 * `sources`: one inventory (file or directory) or several, merged in order as Ansible merges repeated
 * `-i`: a later source adds hosts, groups and children to an earlier one's.
 */
export function loadInventory(sources: string | readonly string[], options: LoadOptions = {}): Inventory {
  const cwd = options.cwd ?? process.cwd();
  const names = typeof sources === 'string' ? [sources] : [...sources];
  if (names.length === 0) throw new InputError([{ message: 'no inventory given' }]);

  const problems: Problem[] = [];
  const model = newModel();
  const expanded: ExpandedSource[] = [];
  /** host -> the file that declared it first (Ansible's inventory_file) */
  const declaredIn = new Map<string, string>();
  /** inventory file as displayed -> its source's directory, where relative paths in its values start */
  const sourceDirOf = new Map<string, string>();
  for (const name of names) {
    const result = expandSource(name, cwd);
    if (!result.source) throw new InputError(result.problems);
    problems.push(...result.problems);
    expanded.push(result.source);
    for (const file of result.source.files) {
      const before = model.hosts.size;
      problems.push(...parseSourceFile(file, model, { read: readOrProblem(problems), scriptLimits: options.scriptLimits }));
      if (model.hosts.size > before) for (const host of [...model.hosts.keys()].slice(before)) declaredIn.set(host, file.abs);
      sourceDirOf.set(file.display, result.source.varsDir.abs);
    }
  }
  failOnErrors(problems);
  for (const layer of [...[...model.hosts.values()].map((h) => h.vars), ...[...model.groups.values()].map((g) => g.vars)]) {
    for (const entry of layer.values()) entry.origin.sourceDir = sourceDirOf.get(entry.origin.file);
  }

  reconcile(model);
  const secrets = options.vaultSecrets ?? configuredVaultSecrets();
  const files = expanded.map((source) => readVarsFiles(model, source.varsDir.abs, source.varsDir.display, secrets));
  for (const f of files) problems.push(...f.problems);
  const extra = loadExtraVars(options.extraVars ?? [], cwd, secrets);
  problems.push(...extra.problems);
  const allLayers = [
    ...[...model.groups.values()].map((g) => g.vars),
    ...[...model.hosts.values()].map((h) => h.vars),
    ...files.flatMap((f) => [...f.groups.values(), ...f.hosts.values()]),
    extra.layer,
  ];
  if (secrets.length > 0 || !options.keepInlineVaultWithoutPassword) problems.push(...decryptInlineValues(allLayers, secrets));

  const warnings = failOnErrors(problems);

  const hosts: InventoryHost[] = [];
  for (const host of model.hosts.values()) {
    const groups = sortedHostGroups(model, host.name);
    const layers = layersFor({
      groups,
      groupInline: (g) => model.groups.get(g)?.vars,
      sources: files.length,
      groupFiles: (g, s) => files[s]!.groups.get(g),
      hostInline: host.vars,
      hostFiles: files.map((f) => f.hosts.get(host.name)!),
      extra: extra.layer,
    });
    const { vars, origins } = mergeLayers(layers);
    const inventoryFile = declaredIn.get(host.name);
    hosts.push({
      name: host.name,
      groups,
      vars,
      origins,
      declaredAt: host.declaredAt,
      inventoryFile,
      inventoryDir: inventoryFile && path.dirname(inventoryFile),
    });
  }
  const groups = [...model.groups.values()].map((g) => ({ name: g.name, children: [...g.children], hosts: [...g.hosts] }));
  const first = expanded[0]!;
  return { file: first.display, sources: names, dir: first.varsDir.abs, hosts, groups, warnings };
}
