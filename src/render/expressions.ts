import type { TemplateEnvironment } from './environment.js';
import { nunjucks } from './strict-nunjucks.js';

type Compiled = InstanceType<typeof nunjucks.Template>;

const wholeExpression = /^\s*\{\{([\s\S]*)\}\}\s*$/;

/**
 * Evaluates manifest fields. Each distinct string is compiled once per environment (per run), then
 * rendered per host. A field that is one `{{ expr }}` keeps the expression's native type.
 */
export class ExpressionEvaluator {
  private readonly cache = new Map<string, Compiled>();

  constructor(
    private readonly env: TemplateEnvironment,
    private readonly sourceName: string,
  ) {}

  private compiled(source: string): Compiled {
    let template = this.cache.get(source);
    if (!template) {
      template = new nunjucks.Template(source, this.env, this.sourceName, true);
      this.cache.set(source, template);
    }
    return template;
  }

  /** Native value of an expression (with or without the surrounding braces). */
  value(expression: string, context: object): unknown {
    const inner = wholeExpression.exec(expression)?.[1] ?? expression;
    const json = this.compiled(`{{ (${inner}) | dump }}`).render(context);
    return json === '' || json === undefined ? undefined : JSON.parse(json);
  }

  /** A manifest field: literal text, text with `{{ }}` parts (a string), or one expression (native). */
  field(text: unknown, context: object): unknown {
    if (typeof text !== 'string' || !/\{[{%]/.test(text)) return text;
    const whole = wholeExpression.exec(text);
    if (whole && !whole[1]!.includes('{{')) return this.value(text, context);
    return this.compiled(text).render(context);
  }

  /** Jinja truthiness: empty lists and mappings are false too. */
  truthy(expression: string, context: object): boolean {
    const value = this.value(expression, context);
    if (Array.isArray(value)) return value.length > 0;
    if (value && typeof value === 'object') return Object.keys(value).length > 0;
    return Boolean(value);
  }
}
