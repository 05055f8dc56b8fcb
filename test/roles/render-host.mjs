// Renders the built-in roles for hosts (run: node --import tsx test/roles/render-host.mjs VARS.json OUTDIR
// [VARS.json OUTDIR]...): each VARS.json holds a host's variables including provision_roles; every file
// resource is written to OUTDIR/<its absolute path>, every symlink resource made there (its target as
// it is), and the desired state (contents elided) is printed as JSON, one line per host. Several hosts
// in one call save Node's start-up time.
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.ts';
import { prepareRenderers, renderHost } from '../../src/render/render-host.ts';
import { formatProblem } from '../../src/model/errors.ts';
import { templateVars } from '../../src/resolve/template-vars.ts';

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error('usage: render-host.mjs VARS.json OUTDIR [VARS.json OUTDIR]...');
  process.exit(2);
}
const { roles, problems } = loadRoles([resolve(import.meta.dirname, '../../roles')]);
const renderers = prepareRenderers(roles.values());
for (let i = 0; i < args.length; i += 2) {
  const [varsFile, outDir] = [args[i], args[i + 1]];
  const vars = JSON.parse(readFileSync(varsFile, 'utf8'));
  const defaults = Object.assign({}, ...vars.provision_roles.map((name) => roles.get(name).defaults));
  const { vars: context, errors } = templateVars({ ...defaults, ...vars, inventory_hostname: vars.inventory_hostname ?? 'test', group_names: ['all'] });
  for (const { variable, error } of errors) problems.push({ message: `${varsFile}: ${variable}: ${error.message}` });
  const rendered = renderHost('test', vars.provision_roles, context, renderers);
  problems.push(...rendered.problems);
  if (problems.length > 0) break;
  for (const resource of rendered.state.resources) {
    if (resource.kind !== 'file' && resource.kind !== 'symlink') continue;
    const file = join(outDir, resource.path);
    mkdirSync(dirname(file), { recursive: true });
    rmSync(file, { force: true });
    if (resource.kind === 'file') writeFileSync(file, resource.content, { mode: 0o755 });
    else symlinkSync(resource.target, file);
  }
  const elided = rendered.state.resources.map((r) => (r.kind === 'file' ? { ...r, content: undefined } : r));
  console.log(JSON.stringify({ ...rendered.state, resources: elided }));
}
if (problems.length > 0) {
  console.error(problems.map(formatProblem).join('\n'));
  process.exit(1);
}
