// Renders the built-in roles for one host (run: node --import tsx test/roles/render-host.mjs VARS.json OUTDIR):
// VARS.json holds the host's variables including provision_roles; every file resource is written to
// OUTDIR/<its absolute path>, and the desired state (contents elided) is printed as JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadRoles } from '../../src/roles/load-roles.ts';
import { prepareRenderers, renderHost } from '../../src/render/render-host.ts';
import { formatProblem } from '../../src/errors.ts';
import { templateVars } from '../../src/vars/template-vars.ts';

const [varsFile, outDir] = process.argv.slice(2);
const vars = JSON.parse(readFileSync(varsFile, 'utf8'));
const { roles, problems } = loadRoles([resolve(import.meta.dirname, '../../roles')]);
const defaults = Object.assign({}, ...vars.provision_roles.map((name) => roles.get(name).defaults));
const { vars: context, errors } = templateVars({ ...defaults, ...vars, inventory_hostname: vars.inventory_hostname ?? 'test', group_names: ['all'] });
for (const { variable, error } of errors) problems.push({ message: `${variable}: ${error.message}` });
const rendered = renderHost('test', vars.provision_roles, context, prepareRenderers(roles.values()));
problems.push(...rendered.problems);
if (problems.length > 0) {
  console.error(problems.map(formatProblem).join('\n'));
  process.exit(1);
}
for (const resource of rendered.state.resources) {
  if (resource.kind !== 'file') continue;
  const file = join(outDir, resource.path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, resource.content, { mode: 0o755 });
}
const elided = rendered.state.resources.map((r) => (r.kind === 'file' ? { ...r, content: undefined } : r));
console.log(JSON.stringify({ ...rendered.state, resources: elided }, null, 2));
