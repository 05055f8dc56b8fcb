// The two inventories of the fleet benchmark, describing the same work:
// - provision's: every host with the letsencrypt and apache roles, its own names, and its tree under
//   provision_root (provision places it in <root>/<host>/);
// - Ansible's: the same connection variables, and per host the lists playbook.yml loops over, taken
//   from provision's own desired state (directories, keys, CSRs, links) and from the files
//   `provision render --out` wrote (copy sources), aimed at a second tree.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

/** provision's inventory. */
export function writeProvisionInventory(file, fleet, treeRoot) {
  const hosts = {};
  for (const host of fleet.hosts) {
    hosts[host.name] = { ...fleet.inventoryVars(host), acme_domains: [`${host.name}.bench.test`, `www.${host.name}.bench.test`] };
  }
  const inventory = { all: { vars: { provision_roles: ['letsencrypt', 'apache'], provision_root: treeRoot }, hosts } };
  writeFileSync(file, stringify(inventory));
}

/**
 * Ansible's inventory. `work` is provision's loadProject() result for its inventory with `root` set to
 * Ansible's tree, so `host.root` is this host's Ansible tree and every path is the same logical path.
 */
export function writeAnsibleInventory(file, fleet, work, renderDir, { keyArguments, csrSubject, placeholderDays }) {
  const byName = new Map(fleet.hosts.map((h) => [h.name, h]));
  const hosts = {};
  for (const { host, desired } of work) {
    const at = (path) => join(host.root, path);
    const pick = (kind) => desired.resources.filter((r) => r.kind === kind);
    const directories = pick('directory').map((r) => ({ path: at(r.path), mode: r.mode }));
    const keys = pick('private_key').map((r) => ({ path: at(r.path), mode: r.mode, args: keyArguments[r.keyType].join(' ') }));
    const csrs = pick('csr').map((r) => ({
      path: at(r.path),
      key: at(r.key),
      mode: r.mode,
      subject: csrSubject(r),
      san: r.domains.map((d) => `DNS:${d}`).join(','),
    }));
    const placeholders = pick('placeholder_certificate').map((r) => ({
      dir: at(r.dir),
      key: at(r.key),
      mode: r.mode ?? '0644',
      subject: csrSubject(r),
      san: r.domains.map((d) => `DNS:${d}`).join(','),
      days: placeholderDays,
    }));
    const files = pick('file').map((r) => ({ src: join(renderDir, host.name, r.path), dest: at(r.path), mode: r.mode }));
    const links = pick('symlink').map((r) => ({ path: at(r.path), target: r.target }));
    // provision makes a missing parent directory (mkdir -p, default mode) for anything it writes;
    // Ansible's copy and link need it to exist. The parents nobody declares become directory tasks
    // without a mode, run first: Ansible gives the missing parents of a directory it creates that
    // directory's mode, so a declared 0750 directory must not be the one creating etc/.
    const declared = new Set(directories.map((d) => d.path));
    const paths = [...directories, ...keys, ...csrs, ...links].map((x) => x.path).concat(files.map((f) => f.dest));
    const parents = [...new Set(paths.map((p) => dirname(p)))]
      .filter((p) => !declared.has(p))
      .sort()
      .map((path) => ({ path }));
    hosts[host.name] = {
      ...fleet.inventoryVars(byName.get(host.name)),
      bench_directories: [...parents, ...directories],
      bench_keys: keys,
      bench_csrs: csrs,
      bench_placeholders: placeholders,
      bench_files: files,
      bench_links: links,
    };
  }
  writeFileSync(file, stringify({ all: { vars: { ansible_python_interpreter: '/usr/bin/python3' }, hosts } }));
}
