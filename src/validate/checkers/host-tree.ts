// The host's managed tree, rebuilt inside a checker's sandbox so that a program can read the rendered
// configuration as it will be on the host, without this machine's own files being involved.
//
// Every absolute path at or under a path the desired state manages (files, directories, keys, CSRs,
// symlinks) is rewritten, in the sandbox copies only, to <sandbox>/root<path>. Directories are
// created, every rendered file is written, symlinks are made, and the certificates and keys a role
// produces only at run time (issued by the CA, generated on the host) get throwaway placeholders.
import { lstatSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { CheckInput } from '../checker.js';
import type { FileResource } from '../../model/desired.js';
import { isPathResource } from '../../model/desired.js';
import { runTool } from './run-tool.js';

export const opensslTool = { command: 'openssl', package: 'openssl' };

export interface HostTree {
  sandbox: string;
  /** `<sandbox>/root`: the host's `/` */
  root: string;
  /** where a host path is in the sandbox (whether or not it is managed) */
  inSandbox(hostPath: string): string;
  /** managed absolute paths in `text` moved into the sandbox; `referenced` lists the host paths found */
  rewrite(text: string): { text: string; referenced: string[] };
  /** sandbox paths in a program's message back to host paths */
  unmap(message: string): string;
  /** the host path a sandbox path stands for, when it lies under the sandbox root */
  hostPathOf(sandboxPath: string): string | undefined;
  /** placeholders made for runtime files, host paths */
  placeholders: string[];
}

const escapeRegExp = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const normalize = (path: string) => (path.length > 1 ? path.replace(/\/+$/, '') : path);

/** One throwaway self-signed certificate and its key per process (EC P-256: fast). */
let placeholderPair: Promise<{ cert: string; key: string }> | undefined;

export function placeholderCertificate(workDir: string): Promise<{ cert: string; key: string }> {
  placeholderPair ??= (async () => {
    await mkdir(workDir, { recursive: true });
    const keyFile = join(workDir, 'placeholder.key');
    const certFile = join(workDir, 'placeholder.pem');
    const result = await runTool(opensslTool, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=provision-validate-placeholder',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    if (result.exitCode !== 0) throw new Error(`openssl cannot make a placeholder certificate: ${result.stderr.trim()}`);
    return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  })();
  placeholderPair.catch(() => {
    placeholderPair = undefined;
  });
  return placeholderPair;
}

export type PlaceholderKind = 'certificate' | 'key';

/** What a referenced runtime path is: a certificate (.pem/.crt/.cer), a key (.key or a private_key resource). */
export function placeholderKind(hostPath: string, keyPaths: Set<string>): PlaceholderKind | undefined {
  if (keyPaths.has(hostPath) || /\.key$/.test(hostPath)) return 'key';
  if (/\.(pem|crt|cer)$/.test(hostPath)) return 'certificate';
  return undefined;
}

export interface BuildOptions {
  /** files whose references get placeholders (default: the checked files) */
  referencing?: FileResource[];
}

export async function buildHostTree(input: CheckInput, options: BuildOptions = {}): Promise<HostTree> {
  const sandbox = input.sandbox;
  const root = join(sandbox, 'root');
  const pathResources = input.desired.resources.filter(isPathResource);
  const managed = [...new Set([...pathResources.map((r) => normalize(r.path)), ...input.files.map((f) => normalize(f.path))])]
    .filter((p) => isAbsolute(p) && p.length > 1)
    .sort((a, b) => b.length - a.length);
  const keyPaths = new Set(pathResources.filter((r) => r.kind === 'private_key').map((r) => normalize(r.path)));

  // A managed path, not inside a longer word or path, then the rest of the path, if any.
  const pattern =
    managed.length > 0
      ? new RegExp(`(?<![\\w.~/$@-])(?:${managed.map(escapeRegExp).join('|')})(?![\\w.~@-])(?:/[^\\s"'<>,;:|&()\\[\\]{}$\`\\\\]*)?`, 'g')
      : undefined;

  const inSandbox = (hostPath: string) => join(root, hostPath);
  const rewrite = (text: string) => {
    const referenced: string[] = [];
    if (!pattern) return { text, referenced };
    const out = text.replace(pattern, (match) => {
      referenced.push(normalize(match));
      return root + match;
    });
    return { text: out, referenced };
  };
  const unmap = (message: string) =>
    message
      .split(root + '/')
      .join('/')
      .split(root)
      .join('/')
      .split(sandbox)
      .join('<sandbox>');
  const hostPathOf = (sandboxPath: string) => (sandboxPath.startsWith(root + '/') ? sandboxPath.slice(root.length) : undefined);

  await mkdir(root, { recursive: true });
  const directories = pathResources
    .filter((r) => r.kind === 'directory')
    .map((r) => r.path)
    .sort((a, b) => a.length - b.length);
  for (const dir of directories) await mkdir(inSandbox(dir), { recursive: true });

  // Every rendered file of the host (references between them resolve), the checked ones last.
  const files = new Map<string, FileResource>();
  for (const r of input.desired.resources) if (r.kind === 'file') files.set(r.path, r);
  for (const f of input.files) files.set(f.path, f);
  for (const file of files.values()) {
    const target = inSandbox(file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, rewrite(file.content).text, { mode: file.secret ? 0o600 : 0o644 });
  }

  for (const r of pathResources) {
    if (r.kind !== 'symlink') continue;
    const at = inSandbox(r.path);
    if (exists(at)) continue;
    await mkdir(dirname(at), { recursive: true });
    await symlink(isAbsolute(r.target) ? rewrite(r.target).text : r.target, at);
  }

  // Runtime files the checked files refer to: certificates issued later, keys generated on the host.
  const placeholders: string[] = [];
  for (const file of options.referencing ?? input.files) {
    for (const hostPath of rewrite(file.content).referenced) {
      const at = inSandbox(hostPath);
      if (exists(at)) continue;
      const kind = placeholderKind(hostPath, keyPaths);
      if (!kind) continue;
      const pair = await placeholderCertificate(join(sandbox, '.placeholder'));
      await mkdir(dirname(at), { recursive: true });
      await writeFile(at, kind === 'key' ? pair.key : pair.cert, { mode: kind === 'key' ? 0o600 : 0o644 });
      placeholders.push(hostPath);
    }
  }

  return { sandbox, root, inSandbox, rewrite, unmap, hostPathOf, placeholders };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
