// Runs the real, built CLI (dist/cli/cli.js) as a user would, on temp copies of inventories.
import { spawnSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, lstatSync, readlinkSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const projectRoot = resolve(import.meta.dirname, '../..');
const cli = join(projectRoot, 'dist/cli/cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function provision(args: string[], cwd: string = projectRoot): CliResult {
  if (!existsSync(cli)) throw new Error('dist/cli/cli.js missing: run `npm run build` (npm test does)');
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function provisionAsync(args: string[], cwd: string = projectRoot): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A temp copy of inventories/<name> (or of a fixture directory), and an empty root beside it. */
export function tempInventory(name = 'example', from = join(projectRoot, 'inventories')): { dir: string; inventory: string; root: string } {
  const base = mkdtempSync(join(tmpdir(), 'provision-test-'));
  const dir = join(base, 'inventories', name);
  cpSync(join(from, name), dir, { recursive: true });
  return { dir, inventory: join(dir, 'inventory.yml'), root: join(base, 'root') };
}

/** Every path under `dir` with a digest of its content, mode and link target: equal digests, equal trees. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = p.slice(dir.length);
      if (st.isSymbolicLink()) out.set(rel, `link ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir ${st.mode.toString(8)}`);
        walk(p);
      } else out.set(rel, `file ${st.mode.toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(dir);
  return out;
}
