// An INI inventory read the way Ansible's ini plugin reads it (ansible-core 2.14): lines before any
// section are hosts of `ungrouped`; `[g]` holds host lines, `[g:vars]` key=value lines, `[g:children]`
// group names. A group named only in `[g:vars]` or as a child must be declared somewhere in the file
// (or by an earlier source). Host lines are split like a shell (quotes removed, `#` starts a comment)
// before each value goes through Python's literal_eval; `:vars` values go through it as written.

import type { Problem } from '../../../model/errors.js';
import { expandHostPattern, HostRangeError } from '../host-ranges.js';
import { addChild, addGroup, addHost, setGroupVar, setHostVar } from '../inventory-data.js';
import type { InventoryModel } from '../model.js';
import type { VarOrigin } from '../../../model/inventory.js';
import { iniValue } from './literal-eval.js';
import { shlexSplit, ShlexError } from '../../../model/shlex.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/u;
// Python's str.splitlines boundaries
// eslint-disable-next-line no-control-regex -- the control characters Python splits lines at are the point
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

interface Pending {
  line: number;
  state: 'vars' | 'children';
  parents: string[];
}

class LineError extends Error {}

export class IniParser {
  readonly problems: Problem[] = [];
  private lineNo = 0;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly file: string,
    private readonly model: InventoryModel,
  ) {}

  private origin(col = 1): VarOrigin {
    return { file: this.file, node: null, lineCounter: null, line: this.lineNo, col };
  }

  parse(text: string): void {
    let group = 'ungrouped';
    let state = 'hosts';
    for (const raw of text.split(LINE_BREAK)) {
      this.lineNo++;
      const line = raw.trim();
      if (line === '' || line[0] === '#' || line[0] === ';') continue;
      const col = raw.indexOf(line[0]!) + 1;
      try {
        const section = SECTION.exec(line);
        if (section) {
          group = section[1]!;
          state = section[2] ?? 'hosts';
          if (state !== 'hosts' && state !== 'children' && state !== 'vars') {
            state = 'invalid';
            throw new LineError(
              `section [${section[1]}:${section[2]}] has unknown type \`${section[2]}\`; use [${group}], [${group}:vars] or [${group}:children]`,
            );
          }
          this.declare(group, state);
          continue;
        }
        if (line.startsWith('[') && line.endsWith(']')) {
          throw new LineError(`invalid section \`${line}\`: a section is [group], [group:vars] or [group:children], without spaces`);
        }
        if (state === 'hosts') this.hostLine(line, group, col);
        else if (state === 'vars') this.varsLine(line, group, col);
        else if (state === 'children') this.childLine(line, group);
      } catch (e) {
        if (!(e instanceof LineError)) throw e;
        this.problems.push({ file: this.file, line: this.lineNo, col, message: e.message });
      }
    }
    for (const [name, decl] of this.pending) {
      const message =
        decl.state === 'vars'
          ? `section [${name}:vars] is for a group that is not declared; add a [${name}] section (it may be empty)`
          : `section [${decl.parents[decl.parents.length - 1]}:children] names group \`${name}\`, which is not declared; add a [${name}] section`;
      this.problems.push({ file: this.file, line: decl.line, col: 1, message });
    }
  }

  /** A section header: [g] and [g:children] declare g, [g:vars] alone does not. */
  private declare(group: string, state: 'hosts' | 'children' | 'vars'): void {
    if (!this.model.groups.has(group)) {
      if (state === 'vars' && !this.pending.has(group)) this.pending.set(group, { line: this.lineNo, state, parents: [] });
      addGroup(this.model, group);
    }
    const waiting = this.pending.get(group);
    if (waiting && state !== 'vars') {
      if (waiting.state === 'children') this.addPendingChildren(group);
      else this.pending.delete(group);
    }
  }

  private addPendingChildren(group: string): void {
    const waiting = this.pending.get(group)!;
    for (const parent of waiting.parents) {
      this.child(parent, group);
      const parentWaiting = this.pending.get(parent);
      if (parentWaiting?.state === 'children') this.addPendingChildren(parent);
    }
    this.pending.delete(group);
  }

  private child(parent: string, child: string): void {
    const error = addChild(this.model, parent, child);
    if (error) this.problems.push({ file: this.file, line: this.lineNo, col: 1, message: error });
  }

  private hostLine(line: string, group: string, col: number): void {
    let tokens: string[];
    try {
      tokens = shlexSplit(line, { comments: true });
    } catch (e) {
      if (!(e instanceof ShlexError)) throw e;
      throw new LineError(`cannot read host line \`${line}\`: ${e.message.toLowerCase()}`);
    }
    if (tokens.length === 0) return;
    const pattern = tokens[0]!;
    let names: string[];
    let port: number | null;
    try {
      ({ hosts: names, port } = expandHostPattern(pattern));
    } catch (e) {
      if (!(e instanceof HostRangeError)) throw e;
      throw new LineError(`host \`${pattern}\`: ${e.message}`);
    }
    if (pattern.trim().endsWith(':') && port === null) throw new LineError(`host \`${pattern}\` ends in \`:\`, which is reserved for a port (host:port)`);
    if (names.some((n) => n.trim() === '---')) throw new LineError('host `---` is a sign this is a YAML file; give it a .yml name or fix its first line');
    const vars: [string, unknown][] = [];
    for (const token of tokens.slice(1)) {
      const eq = token.indexOf('=');
      if (eq < 0) throw new LineError(`expected key=value after the host name, found \`${token}\``);
      vars.push([token.slice(0, eq), iniValue(token.slice(eq + 1))]);
    }
    for (const name of names) {
      const host = addHost(this.model, name, group, { file: this.file, line: this.lineNo, col }, port, this.origin(col));
      for (const [key, value] of vars) setHostVar(host, key, structuredClone(value), this.origin(col));
    }
  }

  private varsLine(line: string, group: string, col: number): void {
    const eq = line.indexOf('=');
    if (eq < 0) throw new LineError(`expected key=value in [${group}:vars], found \`${line}\``);
    const key = line.slice(0, eq).trim();
    const value = iniValue(line.slice(eq + 1).trim());
    const error = setGroupVar(addGroup(this.model, group), key, value, this.origin(col));
    if (error) throw new LineError(error);
  }

  private childLine(line: string, group: string): void {
    const m = GROUP_NAME.exec(line);
    if (!m) throw new LineError(`expected a group name in [${group}:children], found \`${line}\``);
    const child = m[1]!;
    if (!this.model.groups.has(child)) {
      const waiting = this.pending.get(child);
      if (waiting) waiting.parents.push(group);
      else this.pending.set(child, { line: this.lineNo, state: 'children', parents: [group] });
    } else this.child(group, child);
  }
}

/** Adds an INI inventory's groups and hosts to `model`; returns the problems, each with file:line. */
export function parseIni(text: string, file: string, model: InventoryModel): Problem[] {
  const parser = new IniParser(file, model);
  parser.parse(text);
  return parser.problems;
}
