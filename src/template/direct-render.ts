// Most fields of role.yml and most templated variables only read variables: "{{ acme_user }}",
// "{{ acme_certs_dir }}/{{ item.name }}/domain.key", "{{ (x) | dump }}". Rendering one through nunjucks
// costs a Context, a Frame, a callback chain and a try/catch per host; these are evaluated here instead,
// straight from nunjucks' own parse tree, through the same runtime functions the compiled template
// calls (the strict, data-only lookups of strict-nunjucks.ts and data-only-runtime.ts, the environment's
// filters), so the output is the same string. Anything else in the tree (tags, operators, calls,
// tests, default(), keyword arguments) is not evaluated here. A direct render that throws is not
// reported: the caller renders the compiled template instead, which throws the located error (reads
// and these filters change nothing, so doing it again is safe).
import { nunjucks } from './strict-nunjucks.js';
import { newContext } from './data-only-runtime.js';
import type { TemplateEnvironment } from './environment.js';

interface Node {
  typename: string;
  value?: unknown;
  children?: Node[];
  target?: Node;
  val?: Node;
  name?: Node;
  args?: Node;
  left?: Node;
  right?: Node;
  cond?: Node;
  body?: Node;
  else_?: Node | null;
  key?: Node;
  expr?: Node;
  ops?: Node[];
  type?: string;
}
interface Frame {
  lookup(name: string): unknown;
}
interface Runtime {
  contextOrFrameLookup(context: object, frame: Frame, name: string): unknown;
  inOperator(key: unknown, value: unknown): boolean;
  makeKeywordArgs(args: Record<string, unknown>): unknown;
  provisionTolerant(read: () => unknown): unknown;
  memberLookup(obj: unknown, key: unknown): unknown;
  suppressValue(value: unknown, autoescape: boolean): unknown;
  Frame: new () => Frame;
}
interface Environment {
  opts: { autoescape: boolean; throwOnUndefined: boolean };
  extensionsList: unknown[];
  asyncFilters: string[];
  getFilter(name: string): (this: object, ...args: unknown[]) => unknown;
  getTest(name: string): (this: object, ...args: unknown[]) => unknown;
}

const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
const parser = (nunjucks as unknown as { parser: { parse(src: string, extensions: unknown[], opts: object): Node } }).parser;

type Evaluate = (context: object, frame: Frame) => unknown;

/** Filters whose compiled form differs from a plain call (strict-nunjucks.ts guards their operand). */
const guardedFilters = new Set(['default', 'd']);
/** Tests strict-nunjucks.ts compiles with their operand guarded: `x is defined`. */
const guardedTests = new Set(['defined', 'undefined']);
// nunjucks compiles `a == b` to the JavaScript `a == b`, without parentheses: evaluated here only where
// that text means the same as the tree (an operand that is not itself a comparison or test).
const compare: Record<string, (a: unknown, b: unknown) => boolean> = {
  // == as the compiled template does (JavaScript loose equality)
  '==': (a, b) => a == b,
  '===': (a, b) => a === b,
  // != likewise
  '!=': (a, b) => a != b,
  '!==': (a, b) => a !== b,
  '<': (a, b) => (a as number) < (b as number),
  '>': (a, b) => (a as number) > (b as number),
  '<=': (a, b) => (a as number) <= (b as number),
  '>=': (a, b) => (a as number) >= (b as number),
};
const unbracketed = new Set(['Compare', 'Is']);

function all(nodes: Node[] | undefined, env: Environment): Evaluate[] | undefined {
  const evaluators = (nodes ?? []).map((node) => expression(node, env));
  return evaluators.every((e) => e !== undefined) ? (evaluators as Evaluate[]) : undefined;
}

/** A mapping literal, as the JavaScript object literal nunjucks compiles it to. */
function pairs(node: Node, env: Environment): ((context: object, frame: Frame) => Record<string, unknown>) | undefined {
  const entries: [string, Evaluate][] = [];
  for (const pair of node.children ?? []) {
    const key = pair.key;
    if (pair.typename !== 'Pair' || !key || !pair.value) return undefined;
    if (key.typename !== 'Symbol' && !(key.typename === 'Literal' && typeof key.value === 'string')) return undefined;
    // in an object literal, "__proto__" sets the prototype: left to nunjucks
    if (key.value === '__proto__') return undefined;
    const value = expression(pair.value as Node, env);
    if (!value) return undefined;
    entries.push([String(key.value), value]);
  }
  return (context, frame) => {
    const mapping: Record<string, unknown> = {};
    for (const [key, value] of entries) mapping[key] = value(context, frame);
    return mapping;
  };
}

function expression(node: Node, env: Environment): Evaluate | undefined {
  switch (node.typename) {
    case 'Symbol': {
      const name = String(node.value);
      return (context, frame) => runtime.contextOrFrameLookup(context, frame, name);
    }
    case 'Literal': {
      const value = node.value;
      if (value !== null && typeof value === 'object') return undefined;
      return () => value;
    }
    case 'LookupVal': {
      const target = node.target && expression(node.target, env);
      const key = node.val?.typename === 'Literal' ? node.val.value : undefined;
      if (!target || (typeof key !== 'string' && typeof key !== 'number')) return undefined;
      return (context, frame) => runtime.memberLookup(target(context, frame), key);
    }
    case 'Group':
      return node.children?.length === 1 ? expression(node.children[0]!, env) : undefined;
    case 'Filter': {
      const name = node.name?.typename === 'Symbol' ? String(node.name.value) : undefined;
      if (!name || guardedFilters.has(name) || env.asyncFilters.includes(name)) return undefined;
      const evaluators = all(node.args?.children, env);
      if (!evaluators) return undefined;
      return (context, frame) => {
        const filter = env.getFilter(name);
        return filter.call(context, ...evaluators.map((arg) => arg(context, frame)));
      };
    }
    case 'KeywordArgs': {
      const mapping = pairs(node, env);
      return mapping && ((context, frame) => runtime.makeKeywordArgs(mapping(context, frame)));
    }
    case 'Dict':
      return pairs(node, env);
    case 'Array': {
      const items = all(node.children, env);
      return items && ((context, frame) => items.map((item) => item(context, frame)));
    }
    case 'In': {
      if (!node.left || !node.right) return undefined;
      const [left, right] = all([node.left, node.right], env) ?? [];
      return left && right && ((context, frame) => runtime.inOperator(left(context, frame), right(context, frame)));
    }
    case 'InlineIf': {
      const cond = node.cond && expression(node.cond, env);
      const body = node.body && expression(node.body, env);
      const otherwise = node.else_ ? expression(node.else_, env) : () => '';
      return cond && body && otherwise && ((context, frame) => (cond(context, frame) ? body(context, frame) : otherwise(context, frame)));
    }
    case 'Compare': {
      const op = node.ops?.length === 1 ? node.ops[0]! : undefined;
      const test = op?.type ? compare[op.type] : undefined;
      if (!op?.expr || !node.expr || !test || unbracketed.has(node.expr.typename) || unbracketed.has(op.expr.typename)) return undefined;
      const [left, right] = all([node.expr, op.expr], env) ?? [];
      return left && right && ((context, frame) => test(left(context, frame), right(context, frame)));
    }
    case 'Is': {
      // only the tolerant form of strict-nunjucks.ts: `x is defined`, `x is undefined`
      const name = node.right?.typename === 'Symbol' ? String(node.right.value) : undefined;
      const left = node.left && expression(node.left, env);
      if (!name || !guardedTests.has(name) || !left) return undefined;
      return (context, frame) =>
        env.getTest(name).call(
          context,
          runtime.provisionTolerant(() => left(context, frame)),
        ) === true;
    }
    default:
      return undefined;
  }
}

/** A function giving the same output as rendering `source` in `env`, when the source only reads. */
export function directRenderer(source: string, templateEnv: TemplateEnvironment): ((vars: object) => string) | undefined {
  const env = templateEnv as unknown as Environment;
  if (env.extensionsList.length > 0 || env.opts.throwOnUndefined) return undefined;
  let root: Node;
  try {
    root = parser.parse(source, env.extensionsList, env.opts);
  } catch {
    return undefined;
  }
  const parts: (string | Evaluate)[] = [];
  for (const output of root.children ?? []) {
    if (output.typename !== 'Output') return undefined;
    for (const child of output.children ?? []) {
      if (child.typename === 'TemplateData') {
        if (child.value) parts.push(String(child.value));
        continue;
      }
      const evaluate = expression(child, env);
      if (!evaluate) return undefined;
      parts.push(evaluate);
    }
  }
  const autoescape = env.opts.autoescape;
  return (vars) => {
    const context = newContext(templateEnv, vars);
    const frame = new runtime.Frame();
    let output = '';
    for (const part of parts) output += typeof part === 'string' ? part : runtime.suppressValue(part(context, frame), autoescape);
    return output;
  };
}
