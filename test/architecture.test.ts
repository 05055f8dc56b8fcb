// The shape ARCHITECTURE.md promises, checked on the source itself: imports run one way through the
// stages, only the host stage starts processes, and template, resolve, render and plan never touch the
// filesystem (not even through what they import). A new folder under src/ must be given a stage here
// and in ARCHITECTURE.md's table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** The stages in pipeline order; a module may import its own stage and earlier ones only. */
const stages = ['model', 'host', 'load', 'template', 'resolve', 'render', 'probe', 'plan', 'apply', 'pipeline', 'status', 'validate', 'cli'] as const;
const pure = new Set(['template', 'resolve', 'render', 'plan']);
const processModules = new Set(['node:child_process', 'child_process', 'execa']);
const fsModules = new Set(['node:fs', 'fs', 'node:fs/promises', 'fs/promises']);

interface Module {
  file: string;
  stage: string;
  /** [specifier, type-only] */
  imports: [string, boolean][];
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

function stageOf(file: string): string {
  return relative(src, file).split('/')[0]!;
}

/** Every static and dynamic import, re-export included; `import type` and `export type` are type-only. */
function importsOf(text: string): [string, boolean][] {
  const found: [string, boolean][] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?\bfrom\s+['"]([^'"]+)['"]/gm)) found.push([m[3]!, Boolean(m[2])]);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push([m[1]!, false]);
  for (const m of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push([m[1]!, false]);
  return found;
}

const modules = new Map<string, Module>(sources(src).map((file) => [file, { file, stage: stageOf(file), imports: importsOf(readFileSync(file, 'utf8')) }]));

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return normalize(join(dirname(from), specifier.replace(/\.js$/, '.ts')));
}

const name = (file: string) => relative(root, file);

test('every folder of src/ is a stage, and ARCHITECTURE.md lists the stages in this order', () => {
  for (const entry of readdirSync(src))
    assert.ok((stages as readonly string[]).includes(entry), `src/${entry} is not a stage: give it one here and in ARCHITECTURE.md`);
  const doc = readFileSync(join(root, 'ARCHITECTURE.md'), 'utf8');
  const listed = [...doc.matchAll(/^\|\s*\d+\s*\|\s*`src\/([\w.-]+)\/?`/gm)].map((m) => m[1]);
  assert.deepEqual(listed, [...stages], 'the stage table of ARCHITECTURE.md');
});

test('imports run one way: a stage imports only itself and the stages before it', () => {
  const wrong: string[] = [];
  for (const module of modules.values()) {
    const rank = stages.indexOf(module.stage as (typeof stages)[number]);
    for (const [specifier] of module.imports) {
      const target = resolveImport(module.file, specifier);
      if (!target) continue;
      const targetRank = stages.indexOf(stageOf(target) as (typeof stages)[number]);
      if (targetRank > rank) wrong.push(`${name(module.file)} (${module.stage}) imports ${name(target)} (${stageOf(target)})`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('only the host stage starts processes', () => {
  const wrong: string[] = [];
  for (const module of modules.values()) {
    if (module.stage === 'host') continue;
    for (const [specifier, typeOnly] of module.imports) if (!typeOnly && processModules.has(specifier)) wrong.push(`${name(module.file)} imports ${specifier}`);
  }
  assert.deepEqual(wrong, []);
});

/** Runtime imports only: a type-only import costs nothing at run time and touches nothing. */
function reaches(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const module = modules.get(file);
  if (!module) return [];
  const found: string[] = [];
  for (const [specifier, typeOnly] of module.imports) {
    if (typeOnly) continue;
    if (fsModules.has(specifier) || processModules.has(specifier)) found.push(`${name(file)} imports ${specifier}`);
    const target = resolveImport(file, specifier);
    if (target) found.push(...reaches(target, seen));
  }
  return found;
}

test('template, resolve, render and plan touch no filesystem and start no process, not even through what they import', () => {
  const wrong: string[] = [];
  for (const module of modules.values()) {
    if (!pure.has(module.stage)) continue;
    for (const path of reaches(module.file)) wrong.push(`${name(module.file)}: ${path}`);
  }
  assert.deepEqual([...new Set(wrong)], []);
});

test('the checks above can fail: they see a later-stage import, a process and a file read', () => {
  assert.deepEqual(importsOf("import { x } from '../apply/a.js';\nimport type { Y } from './b.js';\nconst m = await import('node:child_process');"), [
    ['../apply/a.js', false],
    ['./b.js', true],
    ['node:child_process', false],
  ]);
  assert.equal(stageOf(join(src, 'plan', 'plan-host.ts')), 'plan');
  assert.ok(stages.indexOf('apply') > stages.indexOf('plan'));
});

/** Every file below `dir`, as paths relative to the project. */
function filesBelow(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(join(root, path)).isDirectory() ? filesBelow(path) : [path];
  });
}

test("a role carries everything about itself: no code outside roles/ (but validate's checkers) and no other role names a service role", () => {
  const services = /apache|postfix|dovecot|nginx/i;
  // The checkers of `provision validate` run each daemon's own parser, and the list of their names goes with them.
  const allowed = (path: string) => path.startsWith('src/validate/checkers/') || path === 'src/model/checker-names.ts';
  const naming = ['src', 'shell', 'templates', 'schemas', 'bin', 'roles/letsencrypt']
    .flatMap(filesBelow)
    .filter((path) => !allowed(path))
    .flatMap((path) =>
      readFileSync(join(root, path), 'utf8')
        .split('\n')
        .flatMap((line, index) => (services.test(line) ? [`${path}:${index + 1}: ${line.trim()}`] : [])),
    );
  assert.deepEqual(naming, []);
});
