// Nunjucks, made strict the way Ansible users expect of Jinja's StrictUndefined: reading a variable or a
// key that does not exist is an error naming it, not an empty string. Nunjucks has no such mode, so two
// small patches, applied once when this module is loaded:
//  - the runtime lookups throw UndefinedVariableError instead of returning undefined;
//  - the compiler records the line and column of every variable read (by default it only does so for
//    function calls), so the error can say where.
import nunjucks from 'nunjucks';

export class UndefinedVariableError extends Error {
  constructor(readonly variable: string) {
    super(`"${variable}" is undefined`);
  }
}

interface PatchableRuntime {
  contextOrFrameLookup: (context: unknown, frame: unknown, name: string) => unknown;
  memberLookup: (obj: unknown, key: unknown) => unknown;
}

interface PatchableCompiler {
  _emit(code: string): void;
  [method: string]: unknown;
}

const runtime = (nunjucks as unknown as { runtime: PatchableRuntime }).runtime;
const compilerProto = (nunjucks as unknown as { compiler: { Compiler: { prototype: PatchableCompiler } } }).compiler.Compiler.prototype;

const lookup = runtime.contextOrFrameLookup;
runtime.contextOrFrameLookup = function strictLookup(context, frame, name) {
  const value = lookup(context, frame, name);
  if (value === undefined) throw new UndefinedVariableError(name);
  return value;
};

const memberLookup = runtime.memberLookup;
runtime.memberLookup = function strictMemberLookup(obj, key) {
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj) && !(String(key) in obj)) {
    throw new UndefinedVariableError(`.${String(key)}`);
  }
  return memberLookup(obj, key);
};

for (const method of ['compileSymbol', 'compileLookupVal']) {
  const compile = compilerProto[method] as (this: PatchableCompiler, node: { lineno: number; colno: number }, frame: unknown) => void;
  compilerProto[method] = function trackPosition(this: PatchableCompiler, node: { lineno: number; colno: number }, frame: unknown) {
    this._emit(`(lineno = ${node.lineno}, colno = ${node.colno}, `);
    compile.call(this, node, frame);
    this._emit(')');
  };
}

export { nunjucks };
