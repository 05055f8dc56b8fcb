// Inventory values and role templates are data, never code. Nunjucks compiles a template to JavaScript
// whose every variable read, key or item read and call goes through four runtime functions; they are
// replaced here, once when this module is loaded, so that whatever a template says:
//  - a read reaches only own data properties of plain mappings, lists and strings (no `constructor`,
//    `__proto__`, `prototype`, nothing of a function or a class instance), and a short list of string
//    and list methods that take and return data (split, slice, concat...);
//  - a call reaches only the macros templates define and the globals registered below (range, cycler,
//    joiner); filters and tests are looked up by name at compile time, from the environment only;
//  - a name is only a name: the lexer refuses a symbol that is not an identifier (nunjucks pastes symbol
//    text into the generated JavaScript) and regular expression literals (r/.../, which can hang).
// This is the mechanism, not a list of bad words: anything not allowed is refused with UnsafeTemplateError.
import nunjucks from 'nunjucks';

export class UnsafeTemplateError extends Error {}

interface Runtime {
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
  memberLookup: (obj: unknown, key: unknown) => unknown;
  callWrap: (obj: unknown, name: string, context: unknown, args: unknown[]) => unknown;
  makeMacro: (...args: unknown[]) => (...args: unknown[]) => unknown;
  SafeString: new (value: string) => object;
}
interface Frame {
  lookup(name: string): unknown;
}
interface Context {
  ctx: Record<string, unknown>;
  env: { globals: Record<string, unknown> };
}
interface Token {
  type: string;
  value: unknown;
  lineno: number;
  colno: number;
}

const { TemplateError } = (nunjucks as unknown as { lib: { TemplateError: new (message: string, lineno: number, colno: number) => Error } }).lib;
const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
const lexer = (nunjucks as unknown as { lexer: { lex(src: string, opts?: object): { nextToken(): Token | null }; TOKEN_SYMBOL: string; TOKEN_REGEX: string } })
  .lexer;

/** The functions a template may reach and call: macros, and the registered globals and their results. */
const callable = new WeakSet<object>();

const refusal = 'templates read only variables, their keys and items, and call only filters, tests and macros';

function isPlainMapping(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A value read from a variable, key or item: a function only when a template may call it. */
function dataOrCallable(value: unknown, name: string): unknown {
  if (typeof value === 'function' && !callable.has(value)) throw new UnsafeTemplateError(`${JSON.stringify(name)} is a function, not data: ${refusal}`);
  return value;
}

const makeMacro = runtime.makeMacro;
runtime.makeMacro = function registeredMacro(...args: unknown[]) {
  const macro = makeMacro(...args);
  callable.add(macro);
  return macro;
};

runtime.callWrap = function dataOnlyCall(obj, name, context, args) {
  if (typeof obj !== 'function' || !callable.has(obj)) throw new UnsafeTemplateError(`cannot call \`${name}\`: ${refusal}`);
  return (obj as (...a: unknown[]) => unknown).apply(context, args);
};

// A context's variables are layers, not copies: nunjucks copied every variable of the host into a new
// object for each render (each expression of role.yml, each template, each include and import), which
// was most of the time spent rendering. A context keeps what its render sets ({% set %}, macros,
// imports) in its own `ctx` and reads the rest from `below`: the plain variables it was given, or
// Layers on top of them (a loop's `item`, a parent template's variables). A variable is an own property
// of one of these objects, never anything they inherit from JavaScript.
class Layers {
  constructor(
    readonly top: Record<string, unknown>,
    readonly below: object,
  ) {}
}

/** Variables on top of others, without copying them: `extra` wins. */
export function layered(below: object, extra: Record<string, unknown>): object {
  return new Layers(extra, below);
}

type LayeredContext = Context & { below: object; blocks: object; exported: string[]; addBlock(name: string, block: unknown): unknown };

/** The object that holds `name` as its own among a context's layers, if any. */
function holderOf(context: LayeredContext, name: string): Record<string, unknown> | undefined {
  // `__proto__` never was a variable: nunjucks' copy turned it into the copy's prototype.
  if (name === '__proto__') return undefined;
  if (Object.hasOwn(context.ctx, name)) return context.ctx;
  let below = context.below;
  for (; below instanceof Layers; below = below.below) if (Object.hasOwn(below.top, name)) return below.top;
  return Object.hasOwn(below, name) ? (below as Record<string, unknown>) : undefined;
}

// nunjucks' Context is not exported: its prototype is taken from the context of a render that runs
// no template code.
interface ContextProto {
  init(this: LayeredContext, ctx: object, blocks: Record<string, unknown>, env: Context['env']): void;
  lookup(this: LayeredContext, name: string): unknown;
  setVariable(this: LayeredContext, name: string, value: unknown): void;
  getVariables(this: LayeredContext): object;
  getExported(this: LayeredContext): Record<string, unknown>;
}
let contextProto: ContextProto | undefined;
const probe = Object.assign(new nunjucks.Template('', new nunjucks.Environment([])), {
  compiled: true,
  blocks: {},
  rootRenderFunc: (_env: unknown, context: object, _frame: unknown, _runtime: unknown, done: (error: unknown, output: string) => void) => {
    contextProto = Object.getPrototypeOf(context) as ContextProto;
    done(null, '');
  },
});
probe.render({});
if (
  !contextProto ||
  !['init', 'lookup', 'setVariable', 'getVariables', 'getExported'].every((m) => typeof (contextProto as unknown as Record<string, unknown>)[m] === 'function')
) {
  throw new Error('nunjucks Context not found: data-only-runtime.ts needs review for this nunjucks version');
}
const nunjucksContext = contextProto;

/** A nunjucks Context over `vars`, as a render of a template of `env` makes (direct-render.ts). */
export function newContext(env: unknown, vars: object): object {
  const context = Object.create(nunjucksContext) as LayeredContext;
  nunjucksContext.init.call(context, vars, {}, env as Context['env']);
  return context;
}

contextProto.init = function layeredInit(ctx, blocks, env) {
  this.env = env ?? (new nunjucks.Environment() as unknown as Context['env']);
  this.ctx = {};
  this.below = ctx;
  this.blocks = {};
  this.exported = [];
  for (const name of Object.keys(blocks)) this.addBlock(name, blocks[name]);
};
contextProto.lookup = function layeredLookup(name) {
  const holder = holderOf(this, name);
  if (holder) return holder[name];
  return Object.hasOwn(this.env.globals, name) ? this.env.globals[name] : undefined;
};
contextProto.setVariable = function layeredSet(name, value) {
  // As with nunjucks' copy, setting `__proto__` makes no variable.
  if (name !== '__proto__') this.ctx[name] = value;
};
// An include or `import ... with context` sees the variables as they are now: the layer handed over
// is never written again, this context writes to a new one on top of it.
contextProto.getVariables = function layeredSnapshot() {
  this.below = new Layers(this.ctx, this.below);
  this.ctx = {};
  return this.below;
};
contextProto.getExported = function layeredExported() {
  const exported: Record<string, unknown> = {};
  for (const name of this.exported) exported[name] = holderOf(this, name)?.[name];
  return exported;
};

runtime.contextOrFrameLookup = function dataOnlyLookup(context, frame, name) {
  // Frames hold {% set %} and loop variables in prototype-less objects; the context's variables are
  // layers (above), whose inherited members (`constructor`, `toString`) are not variables.
  const fromFrame = (frame as Frame).lookup(name);
  if (fromFrame !== undefined) return dataOrCallable(fromFrame, name);
  const { env } = context as Context;
  const holder = holderOf(context as LayeredContext, name);
  if (holder) return dataOrCallable(holder[name], name);
  if (Object.hasOwn(env.globals, name)) return dataOrCallable(env.globals[name], name);
  return undefined;
};

// The few methods templates use like filters ("a b".split(" "), list.concat([x]), list.slice(1)):
// they take and return data and change nothing. Anything taking a callback or mutating is left out.
type Method = (this: unknown, ...args: unknown[]) => unknown;
const pick = (proto: object, names: string[]) => new Map(names.map((name) => [name, (proto as Record<string, Method>)[name]!]));
const stringMethods = pick(String.prototype, [
  'split',
  'slice',
  'substring',
  'startsWith',
  'endsWith',
  'includes',
  'indexOf',
  'lastIndexOf',
  'toUpperCase',
  'toLowerCase',
  'trim',
  'trimStart',
  'trimEnd',
  'charAt',
  'at',
]);
const listMethods = pick(Array.prototype, ['slice', 'concat', 'indexOf', 'lastIndexOf', 'includes', 'join', 'at']);

function dataMethod(obj: unknown, name: string, method: Method): (...args: unknown[]) => unknown {
  const bound = (...args: unknown[]) => {
    if (args.some((arg) => typeof arg === 'function')) throw new UnsafeTemplateError(`${name}: a function is not data: ${refusal}`);
    return method.apply(obj, args);
  };
  callable.add(bound);
  return bound;
}

runtime.memberLookup = function dataOnlyMemberLookup(obj, key) {
  if (obj === undefined || obj === null) return undefined;
  if (typeof key !== 'string' && typeof key !== 'number') throw new UnsafeTemplateError(`a key must be a string or a number, not ${typeof key}: ${refusal}`);
  if (obj instanceof runtime.SafeString) obj = String(obj);
  // The common case first, without allocating: an own key of a mapping or list.
  let methods: Map<string, Method> | undefined;
  if (typeof obj === 'object') {
    const isList = Array.isArray(obj);
    if (!isList && !isPlainMapping(obj as object))
      throw new UnsafeTemplateError(`key ${JSON.stringify(String(key))} of an object that is not a mapping or list: ${refusal}`);
    if (Object.hasOwn(obj as object, key)) {
      const value = (obj as Record<string, unknown>)[key];
      return typeof value === 'function' ? boundCallable(obj, key, value) : value;
    }
    methods = isList ? listMethods : undefined;
  } else if (typeof obj === 'string') {
    if (
      key === 'length' ||
      (typeof key === 'number' ? Number.isInteger(key) && key >= 0 && key < obj.length : /^(0|[1-9][0-9]*)$/.test(key) && Number(key) < obj.length)
    )
      return obj[key as number];
    methods = stringMethods;
  } else if (typeof obj === 'function') {
    throw new UnsafeTemplateError(`key ${JSON.stringify(String(key))} of a function: ${refusal}`);
  }
  const name = String(key);
  const method = methods?.get(name);
  if (method) return dataMethod(obj, name, method);
  if (name in Object(obj)) throw new UnsafeTemplateError(`key ${JSON.stringify(name)} is not data (it is inherited from JavaScript): ${refusal}`);
  return undefined;
};

/** A registered function read as a member (cycler().next) runs on its own object, as in nunjucks. */
function boundCallable(obj: unknown, key: string | number, value: unknown): unknown {
  dataOrCallable(value, String(key));
  const bound = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(obj, args);
  callable.add(bound);
  return bound;
}

// Symbols become JavaScript text in the compiled template; anything but an identifier is refused.
const tokenizerProto = Object.getPrototypeOf(lexer.lex('')) as { nextToken(): Token | null };
const nextToken = tokenizerProto.nextToken;
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
tokenizerProto.nextToken = function checkedToken(this: unknown) {
  const token = nextToken.call(this);
  if (token?.type === lexer.TOKEN_SYMBOL && !identifier.test(String(token.value))) {
    throw new TemplateError(`${JSON.stringify(token.value)} is not a name (letters, digits and _)`, token.lineno + 1, token.colno + 1);
  }
  if (token?.type === lexer.TOKEN_REGEX) throw new TemplateError('regular expression literals are not supported', token.lineno + 1, token.colno + 1);
  return token;
};

/** Nunjucks' globals, registered as callable, with the functions their results hold (joiner(), cycler().next). */
export function registerGlobals(env: { globals: Record<string, unknown> }): void {
  const { range, cycler, joiner } = env.globals as Record<string, (...args: unknown[]) => unknown>;
  const registeredResult = (make: (...args: unknown[]) => unknown) => {
    const wrapped = (...args: unknown[]) => {
      const result = make(...args);
      if (typeof result === 'function') callable.add(result);
      else if (result && typeof result === 'object') for (const value of Object.values(result)) if (typeof value === 'function') callable.add(value);
      return result;
    };
    callable.add(wrapped);
    return wrapped;
  };
  callable.add(range!);
  // Only these: a global added to nunjucks later is not reachable until it is reviewed here.
  env.globals = Object.assign(Object.create(null), { range, cycler: registeredResult(cycler!), joiner: registeredResult(joiner!) });
}
