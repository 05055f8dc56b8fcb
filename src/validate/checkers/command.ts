// The checker of a manifest's check (`checks:` in role.yml) that has no built-in checker: the check's
// own command, run on this machine against the host's rendered configuration. The host tree is built
// in the sandbox (host-tree.ts: every rendered file, placeholders for runtime certificates and keys);
// the sandbox copy of the check's `root` is seeded from this machine's own `root` when it exists (a
// package's default configuration, which the rendered files are laid over). The command then runs in
// a private mount namespace where that copy, and the sandbox copy of every other managed top directory
// this machine has, is bind-mounted over the real one: this machine's files are never changed, and
// nothing it runs sees a mount.
import { lstatSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import type { Checker, CheckInput, Finding, RequiredTool } from '../checker.js';
import type { ConfigCheck } from '../../model/desired.js';
import { isPathResource } from '../../model/desired.js';
import { buildHostTree } from './host-tree.js';
import { runTool } from './run-tool.js';

const unshare = { command: 'unshare', package: 'util-linux' };
const cp = { command: 'cp', package: 'coreutils' };

// Runs as `sh -c SCRIPT provision-check COMMAND SOURCE TARGET ... -- FILE...`: each SOURCE is mounted
// over its TARGET, then COMMAND runs with the checked files as "$@".
const inNamespace = [
  'cmd=$1',
  'shift',
  'while [ "$1" != -- ]; do mount --bind "$1" "$2" || exit 125; shift 2; done',
  'shift',
  'exec sh -c "$cmd" provision-check "$@"',
].join('\n');

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Makes the way to a managed path in the seeded copy safe to write: a link on the way (the package's
 * copy may hold links out of it) becomes a directory, and whatever is at the path itself goes, so the
 * rendered file or link is written there and never through a link to this machine's files.
 */
async function clearWay(copyRoot: string, hostRoot: string, hostPath: string): Promise<void> {
  const parts = hostPath.slice(hostRoot.length).split('/').filter(Boolean);
  let at = copyRoot;
  for (const [index, part] of parts.entries()) {
    at = join(at, part);
    let stat;
    try {
      stat = lstatSync(at);
    } catch {
      return;
    }
    if (index === parts.length - 1) {
      if (!stat.isDirectory()) await rm(at, { force: true });
    } else if (!stat.isDirectory()) {
      await rm(at, { force: true });
      await mkdir(at);
    }
  }
}

/** The top directories the host's desired state manages outside `root` (none inside another). */
function topDirectories(input: CheckInput, root: string): string[] {
  const dirs = input.desired.resources
    .flatMap((r) => (r.kind === 'directory' ? [r.path.replace(/\/+$/, '')] : []))
    .filter((d) => d.length > 1 && !under(d, root) && !under(root, d));
  return [...new Set(dirs)].filter((d) => !dirs.some((other) => other !== d && under(d, other))).sort();
}

/** A message of the command's output located with the check's `findings` regex, or undefined. */
function located(line: string, pattern: RegExp | undefined): { path: string; line?: number; message: string } | undefined {
  const groups = pattern?.exec(line)?.groups;
  if (!groups?.file) return undefined;
  const number = Number(groups.line);
  return { path: groups.file, ...(Number.isInteger(number) && number > 0 ? { line: number } : {}), message: (groups.message ?? line).trim() || line };
}

/** A managed link's path as the rendered file it leads to (a program names the path it opened). */
function throughLinks(path: string, input: CheckInput): string {
  let current = path;
  for (let hops = 0; hops < 8; hops++) {
    const link = input.desired.resources.find((r) => r.kind === 'symlink' && r.path === current);
    if (!link || link.kind !== 'symlink') return current;
    current = posix.resolve(posix.dirname(current), link.target);
  }
  return current;
}

export function commandChecker(check: ConfigCheck): Checker {
  const tools: RequiredTool[] = [...(check.tools ?? []), unshare];
  const pattern = check.findings === undefined ? undefined : new RegExp(check.findings);
  return {
    name: check.name,
    tools,
    async run(input: CheckInput): Promise<Finding[]> {
      const first = input.files[0]?.path ?? check.root;
      if (typeof process.getuid === 'function' && process.getuid() !== 0) {
        return [{ path: first, severity: 'warning', message: `${check.label} was not run: it needs root (a private mount namespace)` }];
      }
      if (!isDirectory(check.root)) {
        return [{ path: first, severity: 'warning', message: `${check.label} was not run: ${check.root} does not exist on this machine` }];
      }
      const copyRoot = join(input.sandbox, 'root', check.root);
      await mkdir(copyRoot, { recursive: true });
      const seeded = await runTool(cp, ['-a', '--', `${check.root}/.`, `${copyRoot}/`]);
      if (seeded.exitCode !== 0) throw new Error(`cannot copy ${check.root}: ${seeded.stderr.trim()}`);
      for (const resource of input.desired.resources) {
        if (isPathResource(resource) && under(resource.path, check.root) && resource.path !== check.root) await clearWay(copyRoot, check.root, resource.path);
      }
      const tree = await buildHostTree(input);

      const mounts = [[tree.inSandbox(check.root), check.root]];
      for (const dir of topDirectories(input, check.root)) {
        if (isDirectory(dir) && isDirectory(tree.inSandbox(dir))) mounts.push([tree.inSandbox(dir), dir]);
      }
      const args = [
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        inNamespace,
        'provision-check',
        check.command,
        ...mounts.flat(),
        '--',
        ...input.files.map((f) => f.path),
      ];
      const result = await runTool(unshare, args, { cwd: dirname(copyRoot) });
      if (result.exitCode === 0) return [];
      const output = tree.unmap(`${result.stderr}${result.stdout}`).trim();
      const findings: Finding[] = [];
      for (const line of output.split('\n')) {
        const found = located(line, pattern);
        if (found) findings.push({ ...found, path: throughLinks(found.path, input), severity: 'error' });
      }
      if (findings.length === 0) findings.push({ path: first, severity: 'error', message: `${check.label} fails: ${output || `exit ${result.exitCode}`}` });
      return findings;
    },
  };
}
