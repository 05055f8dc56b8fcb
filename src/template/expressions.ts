import type { TemplateEnvironment } from './environment.js';
import { nunjucks } from './strict-nunjucks.js';
import { directRenderer } from './direct-render.js';

type Compiled = InstanceType<typeof nunjucks.Template>;
interface Cached {
  template: Compiled;
  /** the same output without nunjucks' render machinery, when the source only reads (direct-render.ts) */
  direct?: (vars: object) => string;
}

const wholeExpression = /^\s*\{\{([\s\S]*)\}\}\s*$/;

/**
 * Evaluates manifest fields. Each distinct string is compiled once per environment (per run), then
 * rendered per host. A field that is one `{{ expr }}` keeps the expression's native type.
 */
export class ExpressionEvaluator {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly env: TemplateEnvironment,
    private readonly sourceName: string,
  ) {}

  private render(source: string, context: object): string {
    let cached = this.cache.get(source);
    if (!cached) {
      cached = { template: new nunjucks.Template(source, this.env, this.sourceName, true), direct: directRenderer(source, this.env) };
      this.cache.set(source, cached);
    }
    if (cached.direct) {
      try {
        return cached.direct(context);
      } catch {
        // the compiled template throws the same error with its position
      }
    }
    return cached.template.render(context);
  }

  /** Native value of an expression (with or without the surrounding braces). */
  value(expression: string, context: object): unknown {
    const inner = wholeExpression.exec(expression)?.[1] ?? expression;
    const json = this.render(`{{ (${inner}) | dump }}`, context);
    return json === '' || json === undefined ? undefined : JSON.parse(json);
  }

  /** A manifest field: literal text, text with `{{ }}` parts (a string), or one expression (native). */
  field(text: unknown, context: object): unknown {
    if (typeof text !== 'string' || !/\{[{%]/.test(text)) return text;
    const whole = wholeExpression.exec(text);
    if (whole && !whole[1]!.includes('{{')) return this.value(text, context);
    return this.render(text, context);
  }

  /** Jinja truthiness: empty lists and mappings are false too. */
  truthy(expression: string, context: object): boolean {
    const value = this.value(expression, context);
    if (Array.isArray(value)) return value.length > 0;
    if (value && typeof value === 'object') return Object.keys(value).length > 0;
    return Boolean(value);
  }
}
