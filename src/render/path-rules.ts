// Rules every host's managed paths obey, checked on the rendered DesiredState before any host is
// touched. General rules, not special cases:
//  1. no managed path is / or a system directory (/etc, /usr, /var, ...): provision would chown or
//     chmod it;
//  2. no two resources manage the same path, and no path managed as a file (a key, a link) is the
//     parent of another managed path;
//  3. a directory a non-root account owns (the challenge directory, owned by acme) neither contains nor
//     lies inside another setting's tree (the certificates, a DocumentRoot, a config directory) or a
//     resource of another tree: that account could swap what root manages there, or serve it.
// Each problem points at the variable the path came from (file:line of its value) and names the host.
import type { Problem } from '../model/errors.js';
import type { Position } from '../model/inventory.js';
import { formatPath, show } from '../load/schema/describe-error.js';
import type { DesiredState, Resource } from '../model/desired.js';
import { isPathResource } from '../model/desired.js';

export const systemDirectories: ReadonlySet<string> = new Set([
  '/',
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/tmp',
  '/usr',
  '/usr/bin',
  '/usr/include',
  '/usr/lib',
  '/usr/libexec',
  '/usr/local',
  '/usr/local/bin',
  '/usr/local/etc',
  '/usr/local/lib',
  '/usr/local/sbin',
  '/usr/local/share',
  '/usr/sbin',
  '/usr/share',
  '/var',
  '/var/backups',
  '/var/cache',
  '/var/lib',
  '/var/local',
  '/var/lock',
  '/var/log',
  '/var/mail',
  '/var/opt',
  '/var/run',
  '/var/spool',
  '/var/tmp',
  '/var/www',
  '/etc/ssl',
  '/etc/ssl/certs',
  '/etc/ssl/private',
  '/etc/cron.d',
  '/etc/cron.daily',
  '/etc/cron.monthly',
  '/etc/systemd',
  '/etc/systemd/system',
  '/etc/logrotate.d',
  '/etc/ssh',
  '/etc/sudoers.d',
]);

type VariablePath = (string | number)[];

export interface PathRulesInput {
  state: DesiredState;
  /** the host's templated variables */
  vars: Record<string, unknown>;
  /** variables the host's roles declare: only these name paths */
  declared: ReadonlySet<string>;
  /** variables the inventory (or -e) sets, preferred when a path could come from several */
  fromInventory: (name: string) => boolean;
  where: (path: VariablePath) => Position;
}

function normalise(path: string): string {
  if (!path.includes('//') && (path.length === 1 || !path.endsWith('/'))) return path;
  const collapsed = path.replace(/\/+/g, '/');
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

function inside(child: string, parent: string): boolean {
  return parent === '/' ? child !== '/' : child.startsWith(`${parent}/`);
}

interface Setting {
  variable: VariablePath;
  value: string;
}

/** Every string of a declared variable, with its path inside the variable. */
function leaves(value: unknown, path: VariablePath, out: Setting[]): void {
  if (typeof value === 'string') out.push({ variable: path, value });
  else if (Array.isArray(value)) value.forEach((v, i) => leaves(v, [...path, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, [...path, k], out);
}

function describe(resource: Resource): string {
  const what = resource.kind === 'placeholder_certificate' ? 'placeholder certificate' : resource.kind.replace('_', ' ');
  return `${what} (role ${resource.role})`;
}

/** The paths a resource writes: its own, and for a placeholder every file it installs. */
function managedPaths(resource: Resource): string[] {
  if (resource.kind === 'placeholder_certificate') return ['signed.crt', 'chain.pem', 'fullchain.pem'].map((f) => normalise(`${resource.dir}/${f}`));
  return isPathResource(resource) ? [normalise(resource.path)] : [];
}

export function checkPathRules(input: PathRulesInput, host: string): Problem[] {
  const { state, vars, declared, fromInventory, where } = input;
  const preferInventory = (a: Setting, b: Setting) => Number(fromInventory(String(b.variable[0]))) - Number(fromInventory(String(a.variable[0])));
  // Top-level absolute paths are trees a setting names; other strings may be path components (names),
  // looked for only when there is a problem to explain.
  const trees: Setting[] = [];
  for (const name of Object.keys(vars)) {
    const value = vars[name];
    if (typeof value === 'string' && value.startsWith('/') && declared.has(name)) trees.push({ variable: [name], value: normalise(value) });
  }
  let names: Setting[] | undefined;
  const namesOnce = () => {
    if (!names) {
      const all: Setting[] = [];
      for (const name of Object.keys(vars)) if (declared.has(name)) leaves(vars[name], [name], all);
      names = all.filter((s) => s.value !== '' && !s.value.startsWith('/'));
    }
    return names;
  };

  /** The setting whose tree holds `path` (the deepest one). */
  const treeOf = (path: string): Setting | undefined =>
    trees.filter((t) => t.value === path || inside(path, t.value)).sort((a, b) => b.value.length - a.value.length || preferInventory(a, b))[0];
  /** The variable a path came from: a name among the components below its tree, else the tree. */
  const blame = (path: string): Setting | undefined => {
    const tree = treeOf(path);
    const below = (tree ? path.slice(tree.value.length) : path).split('/').filter(Boolean);
    const name = namesOnce()
      .filter((n) => below.includes(n.value))
      .sort(preferInventory)[0];
    return name ?? tree;
  };

  const pathsOf = new Map<Resource, string[]>(state.resources.map((r) => [r, managedPaths(r)]));
  const problems = new Map<string, Problem>();
  const report = (setting: Setting | undefined, message: string) => {
    const variable = setting ? formatPath(setting.variable) : undefined;
    const key = `${variable}\n${message}`;
    if (!problems.has(key)) problems.set(key, { ...where(setting?.variable ?? []), hosts: [host], ...(variable ? { variable } : {}), message });
  };
  const shown = (setting: Setting | undefined, path: string) =>
    setting && setting.value !== path ? `${show(path)} (from ${show(setting.value)})` : show(path);

  // 1. Never / or a system directory.
  const systemTaken = new Set<string>();
  for (const resource of state.resources) {
    const paths = [...pathsOf.get(resource)!, ...(resource.kind === 'user' && resource.home ? [normalise(resource.home)] : [])];
    for (const path of paths) {
      if (!systemDirectories.has(path) || systemTaken.has(path)) continue;
      systemTaken.add(path);
      const setting = blame(path);
      const taker = pathsOf.get(resource)!.includes(path)
        ? `the ${describe(resource)}`
        : `the home of user ${resource.kind === 'user' ? resource.name : ''} (role ${resource.role})`;
      report(
        setting,
        `${shown(setting, path)} is ${path === '/' ? 'the root directory' : 'a system directory'}, which ${taker} would take over: no managed path may be / or a system directory such as /etc, /usr, /var`,
      );
    }
  }

  // 2. One path, one resource; a file is never the parent of another managed path.
  const byPath = new Map<string, Resource>();
  const twice = new Set<string>();
  for (const [resource, paths] of pathsOf) {
    for (const path of paths) {
      const other = byPath.get(path);
      if (other && other.id !== resource.id) {
        twice.add(path);
        const setting = blame(path);
        report(
          setting,
          `${shown(setting, path)} would be managed twice, as the ${describe(other)} and as the ${describe(resource)}: no two resources may manage the same path`,
        );
      } else byPath.set(path, resource);
    }
  }
  const filesHolding = new Set<string>();
  for (const [path, resource] of byPath) {
    for (let parent = path.slice(0, path.lastIndexOf('/')); parent.length > 0; parent = parent.slice(0, parent.lastIndexOf('/'))) {
      const holder = byPath.get(parent);
      if (!holder || holder.kind === 'directory' || twice.has(parent) || filesHolding.has(parent)) continue;
      filesHolding.add(parent);
      const setting = blame(path);
      report(
        setting,
        `${shown(setting, path)}, managed as the ${describe(resource)}, would be inside ${show(parent)}, which the ${describe(holder)} manages as a file: no managed path may lie inside a managed file`,
      );
    }
  }

  // 3. A directory a non-root account owns is nobody else's tree, and holds no other tree.
  for (const owned of state.resources) {
    if (owned.kind !== 'directory' || !owned.owner || owned.owner === 'root') continue;
    const dir = normalise(owned.path);
    if (systemDirectories.has(dir)) continue; // reported by rule 1
    // The directory's own setting: the one naming it, else the deepest one holding it (the challenge
    // directory holds the acme-owned token directory); that setting's whole tree is the account's reach
    // (served over HTTP, swapped by it), so the rule applies to the tree, not only to the directory.
    const holding = trees.filter((t) => t.value === dir || inside(dir, t.value));
    const deepest = Math.max(-1, ...holding.map((t) => t.value.length));
    const own = holding.filter((t) => t.value.length === deepest).sort(preferInventory)[0];
    const reach = own ? own.value : dir;
    if (systemDirectories.has(reach)) continue; // reported by rule 1
    const rule = `a directory a non-root account owns must neither contain nor lie inside another setting's tree`;
    const reachDescribed = `${show(reach)}${reach === dir ? '' : `, which holds ${show(dir)}`}, a directory the account ${owned.owner} owns`;
    const ownedBy = own ? `${formatPath(own.variable)} ${reachDescribed}` : reachDescribed;
    for (const other of trees) {
      if (own && other.variable[0] === own.variable[0]) continue;
      const otherInside = inside(other.value, reach);
      const ownInside = inside(reach, other.value);
      if (other.value !== reach && !otherInside && !ownInside) continue;
      const otherName = `${formatPath(other.variable)} ${show(other.value)}`;
      if (fromInventory(String(other.variable[0])) || !own || !fromInventory(String(own.variable[0]))) {
        const relation = other.value === reach ? 'is the same directory as' : otherInside ? 'is inside' : 'contains';
        report(other, `${show(other.value)} ${relation} ${ownedBy}: ${rule}`);
      } else {
        const relation = other.value === reach ? 'is the same directory as' : otherInside ? 'contains' : 'is inside';
        report(own, `${reachDescribed}, ${relation} ${otherName}: ${rule}`);
      }
    }
    // Resources of no setting's tree inside it (fixed paths, when the directory is no setting's) must
    // stay out too; the fixed paths roles use are all in system directories, which rule 1 keeps it from.
    for (const [resource, paths] of pathsOf) {
      for (const path of paths) {
        if (!inside(path, reach)) continue;
        const tree = treeOf(path);
        if (tree && (tree.value === reach || inside(tree.value, reach))) continue;
        report(own, `${show(path)}, managed as the ${describe(resource)}, is inside ${ownedBy}: ${rule} or resource`);
      }
    }
  }
  return [...problems.values()];
}
