// bench/render: load, resolve, check and render every role for N generated hosts (default 1,000), the
// whole pure half of the pipeline that `render`, `plan` and `apply` share. No host is contacted.
// Usage: npm run bench:render [-- --hosts N]
// Before it, a peer comparison of the inventory stage alone (the part both tools do): Ansible's
// `ansible-inventory --list` against `provision hosts --vars --json` on the same generated inventory,
// both as whole processes, best of 3.
// Last line: RESULT render hosts=N ms=.. hosts_per_s=.. rss_mb=..
import { cpSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const hostsFlag = args.indexOf('--hosts');
const count = hostsFlag >= 0 ? Number(args[hostsFlag + 1]) : 1000;
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const { prepareProjectOrThrow } = await import(join(projectRoot, 'dist/pipeline/pipeline.js'));

// The example inventory's group_vars, with N hosts split between web and mail servers.
const dir = mkdtempSync(join(tmpdir(), 'provision-bench-render-'));
cpSync(join(projectRoot, 'inventories/example/group_vars'), join(dir, 'group_vars'), { recursive: true });
const lines = ['all:', '  vars:', '    ansible_connection: local', '  children:', '    webservers:', '      hosts:'];
const half = Math.ceil(count / 2);
for (let i = 0; i < half; i++) lines.push(`        web${i}.example.test:`, `          acme_domains: [web${i}.example.test, www${i}.example.test]`);
lines.push('    mailservers:', '      hosts:');
for (let i = 0; i < count - half; i++) lines.push(`        mail${i}.example.test:`, `          acme_domains: [mail${i}.example.test]`);
writeFileSync(join(dir, 'inventory.yml'), `${lines.join('\n')}\n`);

const started = process.hrtime.bigint();
const work = prepareProjectOrThrow(join(dir, 'inventory.yml'), {}).hosts;
const ms = Number(process.hrtime.bigint() - started) / 1e6;

function bestOf3(command, commandArgs) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    const run = spawnSync(command, commandArgs, {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      env: { ...process.env, ANSIBLE_HOME: dir, ANSIBLE_LOCAL_TEMP: dir },
    });
    if (run.error || run.status !== 0) return { error: run.error?.message ?? run.stderr.split('\n')[0] };
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: best };
}
const ours = bestOf3(process.execPath, [join(projectRoot, 'dist/cli/cli.js'), 'hosts', 'inventory.yml', '--vars', '--json']);
const peer = bestOf3('ansible-inventory', ['-i', 'inventory.yml', '--list']);
if (peer.error || ours.error) console.log(`peer: not compared (${peer.error ?? ours.error}); install Debian's ansible-core`);
else
  console.log(
    `peer inventory stage, ${count} hosts: provision hosts --vars ${Math.round(ours.ms)} ms, ansible-inventory --list ${Math.round(peer.ms)} ms, ratio ${(peer.ms / ours.ms).toFixed(1)}x`,
  );
rmSync(dir, { recursive: true, force: true });

const resources = work.reduce((n, w) => n + w.desired.resources.length, 0);
const bytes = work.reduce((n, w) => n + w.desired.resources.reduce((m, r) => m + (r.kind === 'file' ? r.content.length : 0), 0), 0);
const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(`rendered ${work.length} hosts: ${resources} resources, ${(bytes / 1e6).toFixed(1)} MB of file content`);
console.log(`RESULT render hosts=${work.length} ms=${Math.round(ms)} hosts_per_s=${Math.round(work.length / (ms / 1000))} rss_mb=${Math.round(rssMb)}`);
