// Nunjucks, made strict the way Ansible users expect of Jinja's StrictUndefined: reading a variable or a
// key that does not exist is an error naming it, not an empty string. Nunjucks has no such mode, so two
// small patches, applied once when this module is loaded:
//  - the runtime lookups throw UndefinedVariableError instead of returning undefined;
//  - the compiler records the line, column and template of every variable read (by default it only
//    records the line and column of function calls), so the error can say where.
import nunjucks from 'nunjucks';
// First: the strict lookups below wrap the data-only ones.
import './data-only-runtime.js';

export class UndefinedVariableError extends Error {
  constructor(
    readonly variable: string,
    /** the template whose code read it (a macro runs inside its caller, which nunjucks would blame) */
    readonly template?: string,
  ) {
    super(`"${variable}" is undefined`);
  }
}

interface PatchableRuntime {
  /** set by compiled code before each variable read: the template that code came from */
  provisionTemplate?: string;
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
  memberLookup: (obj: unknown, key: unknown) => unknown;
}

interface PatchableCompiler {
  _emit(code: string): void;
  templateName?: string;
  [method: string]: unknown;
}

const runtime = (nunjucks as unknown as { runtime: PatchableRuntime }).runtime;
const compilerProto = (nunjucks as unknown as { compiler: { Compiler: { prototype: PatchableCompiler } } }).compiler.Compiler.prototype;

const lookup = runtime.contextOrFrameLookup;
runtime.contextOrFrameLookup = function strictLookup(context, frame, name) {
  const value = lookup(context, frame, name);
  if (value === undefined) throw new UndefinedVariableError(name, runtime.provisionTemplate);
  return value;
};

const memberLookup = runtime.memberLookup;
runtime.memberLookup = function strictMemberLookup(obj, key) {
  if (Array.isArray(obj)) {
    if (typeof key === 'number' && (key >= obj.length || key < -obj.length)) throw new UndefinedVariableError(`[${key}]`, runtime.provisionTemplate);
  } else if (obj !== null && typeof obj === 'object' && !(String(key) in obj)) {
    throw new UndefinedVariableError(`.${String(key)}`, runtime.provisionTemplate);
  }
  return memberLookup(obj, key);
};

for (const method of ['compileSymbol', 'compileLookupVal']) {
  const compile = compilerProto[method] as (this: PatchableCompiler, node: { lineno: number; colno: number }, frame: unknown) => void;
  compilerProto[method] = function trackPosition(this: PatchableCompiler, node: { lineno: number; colno: number }, frame: unknown) {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, runtime.provisionTemplate = ${JSON.stringify(this.templateName ?? '')}, `);
    compile.call(this, node, frame);
    this._emit(')');
  };
}

// `x is version('3.4', '>=')`: nunjucks 3.2 compiles a test's arguments without commas between them
// (invalid JavaScript), so a test taking more than one argument fails to compile; this compiles them
// as a list.
interface IsNode {
  left: unknown;
  right: { name?: { value: string }; value?: string; args?: { children: unknown[] } };
}
type IsCompiler = PatchableCompiler & {
  compile(node: unknown, frame: unknown): void;
  _compileAggregate(node: unknown, frame: unknown, start: string, end: string): void;
};
const compileIsWithoutArguments = compilerProto.compileIs as (this: IsCompiler, node: IsNode, frame: unknown) => void;
compilerProto.compileIs = function compileIs(this: IsCompiler, node: IsNode, frame: unknown) {
  // A test without arguments compiles as before (and through any other patch of compileIs).
  if (!node.right.args || node.right.args.children.length === 0) return compileIsWithoutArguments.call(this, node, frame);
  const name = node.right.name ? node.right.name.value : node.right.value;
  this._emit(`env.getTest(${JSON.stringify(name)}).call(context, `);
  this.compile(node.left, frame);
  this._compileAggregate(node.right.args, frame, ',', '');
  this._emit(') === true');
};

// Asking whether something exists must not fail because it does not: `x is defined`, `x is undefined`
// and `x | default(y)` (also `d`) read their operand in a guard that turns the undefined-variable
// error into undefined, as Jinja's StrictUndefined allows.
(runtime as unknown as { provisionTolerant: (read: () => unknown) => unknown }).provisionTolerant = (read) => {
  try {
    return read();
  } catch (error) {
    if (error instanceof UndefinedVariableError) return undefined;
    throw error;
  }
};
type Node = { value?: unknown; name?: { value: string }; children?: Node[]; args?: Node; left?: Node; right?: Node };
type NodeCompiler = PatchableCompiler & { compile(node: Node, frame: unknown): void };
type Compile = (this: NodeCompiler, node: Node, frame: unknown) => void;
function emitTolerant(compiler: NodeCompiler, node: Node, frame: unknown): void {
  compiler._emit('runtime.provisionTolerant(function() { return ');
  compiler.compile(node, frame);
  compiler._emit('; })');
}
const existenceTests = new Set(['defined', 'undefined']);
const compileIs = compilerProto.compileIs as Compile;
compilerProto.compileIs = function tolerantIs(this: NodeCompiler, node: Node, frame: unknown) {
  const test = node.right!.name ? node.right!.name.value : String(node.right!.value);
  if (!existenceTests.has(test) || node.right!.args) return compileIs.call(this, node, frame);
  this._emit(`env.getTest(${JSON.stringify(test)}).call(context, `);
  emitTolerant(this, node.left!, frame);
  this._emit(') === true');
};
const compileFilter = compilerProto.compileFilter as Compile;
compilerProto.compileFilter = function tolerantDefault(this: NodeCompiler, node: Node, frame: unknown) {
  const name = node.name!.value;
  const [value, ...rest] = node.args!.children!;
  if ((name !== 'default' && name !== 'd') || !value) return compileFilter.call(this, node, frame);
  this._emit(`env.getFilter(${JSON.stringify(name)}).call(context, `);
  emitTolerant(this, value, frame);
  for (const arg of rest) {
    this._emit(', ');
    this.compile(arg, frame);
  }
  this._emit(')');
};

export { nunjucks };
