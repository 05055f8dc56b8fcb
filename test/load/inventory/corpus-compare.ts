// The corpus of real public inventories (test/fixtures/corpus/) compared with Ansible: for each entry the
// real `ansible-inventory -i INVENTORY --list` and the real, built `provision hosts INVENTORY --vars --json`,
// both run in the entry's directory as its owner would, and the first difference between them.
// Shared by corpus.test.ts (one test per entry) and corpus-report.mjs (one line per entry).

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS = fileURLToPath(new URL('../../fixtures/corpus/', import.meta.url));
const CLI = fileURLToPath(new URL('../../../dist/cli/cli.js', import.meta.url));

export type Format = 'ini' | 'yaml' | 'directory';

export interface CorpusEntry {
  /** directory under test/fixtures/corpus/ */
  name: string;
  /** the `-i` argument, relative to the entry's directory (a file, or a directory of inventory files) */
  inventory: string;
  format: Format;
  /** why this entry is here although Ansible refuses it (then provision must refuse it too) */
  ansibleRefuses?: string;
  /** a difference accepted for now, and why: the entry's test is reported as a todo, not a failure */
  known?: string;
}

export function loadManifest(): CorpusEntry[] {
  return JSON.parse(readFileSync(path.join(CORPUS, 'manifest.json'), 'utf8')) as CorpusEntry[];
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

// A whole run must stay bounded even if a child hangs; it is this test's own child, killed by its PID.
const CHILD_TIMEOUT_MS = 60_000;

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const hint = e.code === 'ENOENT' ? ` (\`${command}\` is not on PATH: install Debian's ansible-core)` : '';
      resolve({ status: -1, stdout, stderr: `${e.message}${hint}` });
    });
    child.on('close', (code, signal) => resolve({ status: code ?? -1, stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr }));
  });
}

/**
 * Ansible as an admin runs it, with its default inventory plugins (the corpus is mostly INI), but with an
 * empty config and home of our own so the machine's ansible.cfg cannot change the answer, and with an
 * unparsable source an error instead of a warning and an empty inventory.
 */
export function ansibleEnvironment(home: string): NodeJS.ProcessEnv {
  const config = path.join(home, 'ansible.cfg');
  writeFileSync(config, '');
  // the caller's own ANSIBLE_* settings (inventory plugins, vault files, ...) would change the reference
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ANSIBLE_')));
  return {
    ...env,
    ANSIBLE_CONFIG: config,
    ANSIBLE_HOME: home,
    ANSIBLE_LOCAL_TEMP: home,
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCALHOST_WARNING: 'False',
    ANSIBLE_INVENTORY_UNPARSED_FAILED: 'True',
  };
}

/** At most `width` of the started tasks run at once (ansible-inventory takes about 1.3 s to start, 0.5 s of it CPU). */
export function limiter(width: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= width) await new Promise<void>((r) => waiting.push(r));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export type Outcome =
  | { kind: 'identical'; hosts: number }
  | { kind: 'differing'; differences: string[] }
  | { kind: 'provision refuses'; error: string; stderr: string }
  | { kind: 'ansible refuses'; error: string; provision: Run };

interface AnsibleGroup {
  hosts?: string[];
  children?: string[];
}

/** Each host's groups as Ansible reports them: the groups listing it and all their ancestors, and `all`. */
function ansibleMembership(groups: Record<string, AnsibleGroup>): Map<string, Set<string>> {
  const parents = new Map<string, string[]>();
  for (const [name, g] of Object.entries(groups)) for (const child of g.children ?? []) parents.set(child, [...(parents.get(child) ?? []), name]);
  const membership = new Map<string, Set<string>>();
  for (const [name, g] of Object.entries(groups)) {
    for (const host of g.hosts ?? []) {
      const mine = membership.get(host) ?? new Set(['all']);
      const stack = [name];
      while (stack.length > 0) {
        const group = stack.pop()!;
        if (mine.has(group) && group !== name) continue;
        mine.add(group);
        stack.push(...(parents.get(group) ?? []));
      }
      membership.set(host, mine);
    }
  }
  return membership;
}

/** `!unsafe` values are printed as {"__ansible_unsafe": "..."}; provision keeps the plain string. */
function unwrapUnsafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapUnsafe);
  if (value && typeof value === 'object') {
    if ('__ansible_unsafe' in value) return (value as { __ansible_unsafe: unknown }).__ansible_unsafe;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapUnsafe(v)]));
  }
  return value;
}

/** JSON with sorted keys: equal text, equal value (key order is not part of a variable's value). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function shorten(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface Listed {
  hosts: { name: string; groups: string[]; vars?: Record<string, unknown> }[];
}

/** Every difference between Ansible's --list and provision's hosts --vars --json, hosts first. */
export function differences(ansibleStdout: string, provisionStdout: string): { differences: string[]; hosts: number } {
  const { _meta, ...groups } = JSON.parse(ansibleStdout) as { _meta?: { hostvars?: Record<string, Record<string, unknown>> } } & Record<string, AnsibleGroup>;
  const hostvars = _meta?.hostvars ?? {};
  const membership = ansibleMembership(groups);
  const ours = new Map((JSON.parse(provisionStdout) as Listed).hosts.map((h) => [h.name, h]));
  const out: string[] = [];

  for (const name of [...membership.keys()].sort()) if (!ours.has(name)) out.push(`host ${name}: Ansible has it, provision does not`);
  for (const name of [...ours.keys()].sort()) if (!membership.has(name)) out.push(`host ${name}: provision has it, Ansible does not`);

  for (const name of [...membership.keys()].sort()) {
    const mine = ours.get(name);
    if (!mine) continue;
    const theirs = [...membership.get(name)!].sort();
    const ourGroups = [...mine.groups].sort();
    if (canonical(theirs) !== canonical(ourGroups)) {
      const missing = theirs.filter((g) => !ourGroups.includes(g));
      const extra = ourGroups.filter((g) => !theirs.includes(g));
      out.push(
        `host ${name}: groups differ (${[missing.length ? `only Ansible: ${missing.join(', ')}` : '', extra.length ? `only provision: ${extra.join(', ')}` : ''].filter(Boolean).join('; ')})`,
      );
    }
    // ansible-inventory leaves out hosts without variables
    const expected = unwrapUnsafe(hostvars[name] ?? {}) as Record<string, unknown>;
    const got = mine.vars ?? {};
    for (const key of [...new Set([...Object.keys(expected), ...Object.keys(got)])].sort()) {
      if (!(key in got)) out.push(`host ${name}: ${key} = ${shorten(canonical(expected[key]))} in Ansible, missing in provision`);
      else if (!(key in expected)) out.push(`host ${name}: ${key} = ${shorten(canonical(got[key]))} in provision, missing in Ansible`);
      else if (canonical(expected[key]) !== canonical(got[key])) {
        out.push(`host ${name}: ${key}: Ansible ${shorten(canonical(expected[key]), 60)}, provision ${shorten(canonical(got[key]), 60)}`);
      }
    }
  }
  return { differences: out, hosts: membership.size };
}

function firstLines(text: string): string {
  return shorten(
    text
      .trim()
      .split('\n')
      .filter((l) => !/^\d+ problem\(s\) found/.test(l))
      .slice(0, 2)
      .join(' | '),
    160,
  );
}

/**
 * Why Ansible refused: its parser's own complaint when it gives one, else its final ERROR line. Without a
 * terminal Ansible wraps each message at 79 columns (at spaces, or after a hyphen), so lines are first
 * joined back into one message each.
 */
function ansibleReason(stderr: string, cwd: string, format: Format): string {
  const messages: string[] = [];
  for (const line of stderr.split('\n')) {
    if (/^(\[WARNING\]|\[DEPRECATION WARNING\]|ERROR!)/.test(line) || messages.length === 0) messages.push(line);
    else messages[messages.length - 1] += (messages[messages.length - 1].endsWith('-') ? '' : ' ') + line;
  }
  const plain = messages.map((m) =>
    m
      .split(cwd + path.sep)
      .join('')
      .replace(/^\[WARNING\]:\s*\*?\s*/, '')
      .trim(),
  );
  // every enabled plugin tries the file; the one for the entry's own format says what is wrong with it
  const complaints = plain.filter((m) => /^Failed to parse .* with \w+ plugin/.test(m));
  const parser = complaints.find((m) => m.includes(` with ${format} plugin`)) ?? complaints.pop();
  return shorten(parser ?? plain.find((m) => m.startsWith('ERROR!')) ?? firstLines(stderr), 200);
}

/** Runs both tools on every entry (at most two processes at once) and reports each entry's outcome. */
export function compareCorpus(entries: CorpusEntry[]): { outcomes: Map<string, Promise<Outcome>>; done: Promise<void> } {
  const home = mkdtempSync(path.join(tmpdir(), 'provision-corpus-'));
  const env = ansibleEnvironment(home);
  const limit = limiter(2);
  // the same environment for provision: it reads Ansible's settings too (ansible.cfg, vault options)
  const cliEnv = { ...env, NO_COLOR: '1' };
  const outcomes = new Map<string, Promise<Outcome>>();
  for (const entry of entries) {
    const cwd = path.join(CORPUS, entry.name);
    const theirs = limit(() => run('ansible-inventory', ['-i', entry.inventory, '--list'], cwd, env));
    const ours = limit(() =>
      existsSync(CLI)
        ? run(process.execPath, [CLI, 'hosts', entry.inventory, '--vars', '--json'], cwd, cliEnv)
        : Promise.resolve({ status: -1, stdout: '', stderr: 'dist/cli/cli.js missing: run `npm run build`' }),
    );
    outcomes.set(
      entry.name,
      Promise.all([theirs, ours]).then(([a, p]): Outcome => {
        if (a.status !== 0) return { kind: 'ansible refuses', error: ansibleReason(a.stderr, cwd, entry.format), provision: p };
        if (p.status !== 0) return { kind: 'provision refuses', error: `exit ${p.status}: ${firstLines(p.stderr)}`, stderr: p.stderr };
        const { differences: found, hosts } = differences(a.stdout, p.stdout);
        return found.length === 0 ? { kind: 'identical', hosts } : { kind: 'differing', differences: found };
      }),
    );
  }
  const done = Promise.allSettled(outcomes.values()).then(() => rmSync(home, { recursive: true, force: true }));
  return { outcomes, done };
}

/** A failing test's message: every difference (up to 20), or provision's whole error. */
export function explain(outcome: Outcome): string {
  if (outcome.kind === 'differing') {
    const shown = outcome.differences.slice(0, 20);
    const more = outcome.differences.length - shown.length;
    return [`${outcome.differences.length} difference(s):`, ...shown, ...(more > 0 ? [`... and ${more} more`] : [])].join('\n  ');
  }
  if (outcome.kind === 'provision refuses') return `provision refuses it:\n${outcome.stderr.trim()}`;
  return describe(outcome);
}

/** One line for the report table. */
export function describe(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'identical':
      return `identical (${outcome.hosts} hosts)`;
    case 'differing':
      return `differing (${outcome.differences.length}): ${outcome.differences[0]}`;
    case 'provision refuses':
      return `provision refuses: ${outcome.error}`;
    case 'ansible refuses':
      return `Ansible refuses: ${outcome.error}`;
  }
}
