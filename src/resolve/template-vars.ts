import { nunjucks } from '../template/strict-nunjucks.js';
import { filters } from '../template/filters.js';
import { versionTest } from '../template/version.js';
import { registerGlobals } from '../template/data-only-runtime.js';
import { directRenderer } from '../template/direct-render.js';

// Ansible templates variable values lazily ("{{ inventory_hostname }}" as a default); we do it once per
// host, up front, so that schema checks see the final values.
const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false, dev: true });
registerGlobals(env as unknown as { globals: Record<string, unknown> });
for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
(env as unknown as { addTest(name: string, test: (...args: unknown[]) => boolean): void }).addTest('version', versionTest as (...args: unknown[]) => boolean);

const cache = new Map<string, { template: InstanceType<typeof nunjucks.Template>; direct?: (vars: object) => string }>();
const hasTemplate = /\{[{%]/;
const wholeExpression = /^\s*\{\{([\s\S]*)\}\}\s*$/;
const maxDepth = 10;

function render(text: string, context: object): unknown {
  const whole = wholeExpression.exec(text);
  const source = whole && !whole[1]!.includes('{{') ? `{{ (${whole[1]}) | dump }}` : text;
  let cached = cache.get(source);
  if (!cached) {
    // direct: the same output without nunjucks' render machinery, for sources that only read
    // (direct-render.ts); when it throws, the compiled template throws the error to report.
    cached = { template: new nunjucks.Template(source, env, 'variable', true), direct: directRenderer(source, env) };
    cache.set(source, cached);
  }
  let output: string | undefined;
  if (cached.direct) {
    try {
      output = cached.direct(context);
    } catch {
      output = undefined;
    }
  }
  output ??= cached.template.render(context);
  return source === text ? output : JSON.parse(output);
}

function templateValue(value: unknown, context: object, depth: number): unknown {
  if (typeof value === 'string') {
    if (!hasTemplate.test(value)) return value;
    if (depth >= maxDepth) throw new Error(`variable refers to itself through ${maxDepth} levels: ${value}`);
    return templateValue(render(value, context), context, depth + 1);
  }
  if (Array.isArray(value)) return value.map((v) => templateValue(v, context, depth));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, templateValue(v, context, depth)]));
  }
  return value;
}

/** Names of other variables a value's templates mention (a superset: any word that is a variable's name). */
function mentioned(value: unknown, names: Record<string, unknown>, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    if (hasTemplate.test(value)) for (const word of value.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) if (Object.hasOwn(names, word)) found.add(word);
  } else if (Array.isArray(value)) value.forEach((v) => mentioned(v, names, found));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => mentioned(v, names, found));
  return found;
}

/**
 * Resolves `{{ }}` in every variable against the others. The variables a value mentions are resolved
 * first, so an expression sees their values, not their templates (`{{ acme_certificates | map(...) }}`
 * where acme_certificates is itself computed); a result that still holds a template is resolved again
 * (bounded, so a loop is an error). Returns the failing variable's name with the error.
 */
export function templateVars(vars: Record<string, unknown>): { vars: Record<string, unknown>; errors: { variable: string; error: Error }[] } {
  const context: Record<string, unknown> = { ...vars };
  const errors: { variable: string; error: Error }[] = [];
  const done = new Set<string>();
  const inProgress = new Set<string>();
  const resolve = (name: string) => {
    // A variable met again while it is being resolved is a cycle: the depth limit reports it.
    if (done.has(name) || inProgress.has(name)) return;
    inProgress.add(name);
    const value = vars[name];
    for (const other of mentioned(value, vars)) if (other !== name) resolve(other);
    try {
      context[name] = templateValue(value, context, 0);
    } catch (error) {
      errors.push({ variable: name, error: error as Error });
      context[name] = value;
    }
    inProgress.delete(name);
    done.add(name);
  };
  for (const name of Object.keys(vars)) resolve(name);
  return { vars: context, errors };
}
