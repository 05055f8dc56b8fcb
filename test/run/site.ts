// A small connection-agnostic fixture for the behaviour suites: a `site` role writing three files
// (one of them large, so a partial write would show; its lines but the first never change, as a
// diff of thousands of changed lines is slow) under each host's provision_root, and an
// inventory whose hosts use whatever connection variables the suite gives them.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';

export const managedFiles = ['/etc/site/a.conf', '/etc/site/big.conf', '/etc/site/conf.d/c.conf'];

export interface Site {
  dir: string;
  inventory: string;
  /** provision_root: host `name`'s tree is root/name */
  root: string;
  hostRoot(name: string): string;
  /** What `file` (a managed path) holds on the host, or undefined when it does not exist. */
  read(host: string, file: string): string | undefined;
  /** The content a run with `value` writes into `file`. */
  expected(file: string, value: string): string;
  /** `.provision-*` temp files anywhere in the host's tree. */
  tempFiles(host: string): string[];
  /** Rewrites the inventory: per-host variables (site_value, site_sleep, connection variables). */
  setHosts(hosts: Record<string, Record<string, unknown>>): void;
}

function content(file: string, value: string): string {
  if (file.endsWith('big.conf')) return `value = ${value}\n${Array.from({ length: 5000 }, (_, i) => `padding line ${i}\n`).join('')}`;
  return `value = ${value}\n`;
}

/** `hosts`: inventory name -> variables (connection variables, site_value, site_sleep). */
export function makeSite(hosts: Record<string, Record<string, unknown>>): Site {
  const dir = mkdtempSync('/tmp/provision-site-');
  // Removed after the test (or the file) that made it.
  after(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const root = join(dir, 'root');
  mkdirSync(root);
  // The ssh test user writes here without become; a tree only local (root) hosts use is root's alone:
  // root refuses to write under a directory every account can write.
  const onlyLocal = Object.keys(hosts).length > 0 && Object.values(hosts).every((vars) => vars.ansible_connection === 'local');
  chmodSync(root, onlyLocal ? 0o755 : 0o777);
  const role = join(dir, 'roles/site');
  mkdirSync(join(role, 'templates'), { recursive: true });
  writeFileSync(
    join(role, 'role.yml'),
    [
      'prefix: site_',
      'resources:',
      '  - file: { template: small.conf.njk, dest: /etc/site/a.conf, mode: "0644" }',
      // site_sleep slows the apply down between staging and renaming, for the interruption tests.
      '  - file: { template: big.conf.njk, dest: /etc/site/big.conf, mode: "0644", validate: "sleep {{ site_sleep }} && test -s %s" }',
      '  - file: { template: small.conf.njk, dest: /etc/site/conf.d/c.conf, mode: "0600" }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(role, 'templates/small.conf.njk'), 'value = {{ site_value }}\n');
  writeFileSync(join(role, 'templates/big.conf.njk'), 'value = {{ site_value }}\n{% for i in range(5000) %}padding line {{ i }}\n{% endfor %}');
  writeFileSync(join(role, 'defaults.yml'), 'site_value: one\nsite_sleep: "0"\n');
  writeFileSync(
    join(role, 'schema.json'),
    JSON.stringify({ type: 'object', properties: { site_value: { type: 'string' }, site_sleep: { type: 'string', pattern: '^[0-9.]+$' } } }),
  );
  const inventory = join(dir, 'inventory.yml');
  const site: Site = {
    dir,
    inventory,
    root,
    hostRoot: (name) => join(root, name),
    read: (host, file) => {
      const path = join(root, host, file);
      return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    },
    expected: content,
    tempFiles: (host) => {
      const base = join(root, host);
      if (!existsSync(base)) return [];
      return readdirSync(base, { recursive: true })
        .map(String)
        .filter((p) => p.split('/').pop()!.startsWith('.provision-'));
    },
    setHosts: (next) => {
      writeFileSync(inventory, JSON.stringify({ all: { vars: { provision_roles: ['site'], provision_root: root }, hosts: next } }, null, 2));
    },
  };
  site.setHosts(hosts);
  return site;
}
