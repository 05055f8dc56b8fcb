import { nunjucks } from '../render/strict-nunjucks.js';
import { filters } from '../render/filters.js';

// Ansible templates variable values lazily ("{{ inventory_hostname }}" as a default); we do it once per
// host, up front, so that schema checks see the final values.
const env = new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false, dev: true });
for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);

const cache = new Map<string, InstanceType<typeof nunjucks.Template>>();
const hasTemplate = /\{[{%]/;
const wholeExpression = /^\s*\{\{([\s\S]*)\}\}\s*$/;
const maxDepth = 10;

function render(text: string, context: object): unknown {
  const whole = wholeExpression.exec(text);
  const source = whole && !whole[1]!.includes('{{') ? `{{ (${whole[1]}) | dump }}` : text;
  let template = cache.get(source);
  if (!template) {
    template = new nunjucks.Template(source, env, 'variable', true);
    cache.set(source, template);
  }
  const output = template.render(context);
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

/**
 * Resolves `{{ }}` in every variable against the others. Each value is resolved against the raw
 * variables, and a result that still holds a template is resolved again (bounded, so a loop is an error).
 * Returns the failing variable's name with the error.
 */
export function templateVars(vars: Record<string, unknown>): { vars: Record<string, unknown>; errors: { variable: string; error: Error }[] } {
  const result: Record<string, unknown> = {};
  const errors: { variable: string; error: Error }[] = [];
  for (const [name, value] of Object.entries(vars)) {
    try {
      result[name] = templateValue(value, vars, 0);
    } catch (error) {
      errors.push({ variable: name, error: error as Error });
      result[name] = value;
    }
  }
  return { vars: result, errors };
}
