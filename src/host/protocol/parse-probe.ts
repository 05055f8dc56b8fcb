// The probe script's answers (shell/probe.sh) read back into what the host has.
import type { DesiredState } from '../../model/desired.js';
import type { ActualState, Attributes, Observed, ProbedRecord, WasState } from '../../model/actual.js';
import { answerPrefix, probeAnswer, resourceAnswer } from './answers.js';
import { resourceIndex } from './script-ids.js';

export class ProbeOutputError extends Error {}

function attributes(mode: string | undefined, owner: string | undefined, group: string | undefined): Attributes {
  return { mode: (mode ?? '').padStart(4, '0'), owner: owner ?? '', group: group ?? '' };
}

function emptyRecord(): ProbedRecord {
  return { lines: [], was: new Map() };
}

function wasState(word: string | undefined, rest: string[], line: string): WasState {
  switch (word) {
    case 'missing':
      return { state: 'missing' };
    case 'symlink':
      return { state: 'symlink', target: rest.join(' ') };
    case 'directory':
      return { state: 'directory', empty: rest[0] === '1' };
    case 'file':
      return rest[0] && rest[0] !== '-' ? { state: 'file', sha256: rest[0] } : { state: 'file' };
    case 'other':
      return { state: 'other', type: rest[0] ?? 'unknown' };
    default:
      throw new ProbeOutputError(`probe line not understood: ${line}`);
  }
}

/** Reads the probe's `@...` lines back into an ActualState for the resources of `state`. */
export function parseProbe(output: string, state: DesiredState): ActualState {
  const actual: ActualState = { isRoot: false, users: new Set(), groups: new Set(), resources: new Map(), pendingHandlers: [] };
  const lines = output.split('\n');
  let done = false;
  /** the path of the last `@record path ...` line: the `@was` lines that follow are about it */
  let lastPath: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('@')) continue;
    const [tag, word, ...rest] = line.slice(1).split(' ');
    if (tag === probeAnswer.done) done = true;
    else if (tag === probeAnswer.uid) {
      actual.isRoot = word === '0';
      actual.uid = Number(word);
    } else if (tag === probeAnswer.gid) actual.gid = Number(word);
    else if (tag === probeAnswer.parent) {
      const [uid, gid, owner, group] = rest;
      (actual.parents ??= new Map()).set(rest.slice(4).join(' '), {
        mode: parseInt(word ?? '', 8),
        uid: Number(uid),
        gid: Number(gid),
        owner: owner ?? '',
        group: group ?? '',
      });
    } else if (tag === probeAnswer.pending) actual.pendingHandlers.push(line.slice(answerPrefix(tag).length));
    else if (tag === probeAnswer.record) {
      const record = (actual.record ??= emptyRecord());
      const text = line.slice(answerPrefix(tag).length);
      record.lines.push(text);
      if (text.startsWith('path ')) lastPath = text.split(' ').slice(6).join(' ');
    } else if (tag === probeAnswer.record_unsafe) (actual.record ??= emptyRecord()).unsafe = true;
    else if (tag === probeAnswer.was) {
      if (lastPath === undefined || !actual.record) throw new ProbeOutputError(`probe line not understood: ${line}`);
      if (word === 'content') {
        const chunks: string[] = [];
        for (i++; i < lines.length && lines[i] !== `@${probeAnswer.was} end`; i++) chunks.push(lines[i]!);
        const current = actual.record.was.get(lastPath);
        if (current?.state === 'file') current.content = Buffer.from(chunks.join(''), 'base64').toString('utf8');
      } else if (word === 'names') {
        const current = actual.record.was.get(lastPath);
        const names = rest[0] && rest[0] !== '-' ? rest[0].split(',').flatMap((n) => (n.startsWith('DNS:') ? [n.slice(4).toLowerCase()] : [])) : [];
        if (current?.state === 'file') current.names = names;
      } else actual.record.was.set(lastPath, wasState(word, rest, line));
    } else if (tag === probeAnswer.foreign) (actual.foreignLinks ??= []).push({ index: Number(word), name: rest[0] ?? '', link: rest.slice(1).join(' ') });
    else if (tag === probeAnswer.created) (actual.createdAccounts ??= new Set()).add(line.slice(answerPrefix(tag).length));
    else if (tag === probeAnswer.account) {
      if (rest[1] === '1') (word === 'passwd' ? actual.users : actual.groups).add(rest[0]!);
    } else if (tag && resourceIndex(tag) !== undefined) {
      const resource = state.resources[resourceIndex(tag)!];
      if (!resource) throw new ProbeOutputError(`probe reported unknown resource ${tag}`);
      const current = actual.resources.get(resource.id);
      let observed: Observed | undefined;
      switch (word) {
        case resourceAnswer.missing:
          observed = { state: 'missing' };
          break;
        case resourceAnswer.other:
          observed = { state: 'other', type: rest[0] ?? 'unknown', ...(rest.length > 1 ? { target: rest.slice(1).join(' ') } : {}) };
          break;
        case resourceAnswer.file:
          observed = { state: 'file', ...attributes(rest[0], rest[1], rest[2]), sha256: rest[3] ?? '' };
          break;
        case resourceAnswer.directory:
          observed = { state: 'directory', ...attributes(rest[0], rest[1], rest[2]) };
          break;
        case resourceAnswer.symlink:
          observed = { state: 'symlink', target: rest.join(' ') };
          break;
        case resourceAnswer.private_key:
          observed = { state: 'private_key', ...attributes(rest[0], rest[1], rest[2]), ...(rest[3] ? { keyType: rest[3] } : {}) };
          break;
        case resourceAnswer.next:
          if (current?.state === 'private_key')
            current.next =
              rest[0] === 'missing' || rest[0] === 'other'
                ? { state: rest[0] }
                : {
                    state: 'private_key',
                    ...attributes(rest[0], rest[1], rest[2]),
                    keyType: rest[3] ?? 'unknown',
                    csrMatches: rest[4] === '1',
                    ...(rest[5] && rest[5] !== '-' ? { csr: attributes(rest[5], rest[6], rest[7]) } : {}),
                    san: rest[8] && rest[8] !== '-' ? rest[8].split(',') : [],
                  };
          break;
        case resourceAnswer.csr:
          observed = {
            state: 'csr',
            ...attributes(rest[0], rest[1], rest[2]),
            keyMatches: rest[3] === '1',
            san: rest[4] && rest[4] !== '-' ? rest[4].split(',') : [],
            subject: '',
          };
          break;
        case resourceAnswer.certificate:
          observed = { state: 'certificate', selfSigned: rest[0] === 'self-signed', keyMatches: rest[1] === '1' };
          break;
        case resourceAnswer.subject:
          if (current?.state === 'csr') current.subject = rest.join(' ').replace(/^subject=/, '');
          break;
        case resourceAnswer.user: {
          const fields = rest.join(' ').split(':');
          observed = { state: 'user', uid: Number(fields[2] ?? NaN), home: fields[5] ?? '', shell: fields[6] ?? '', groups: [] };
          break;
        }
        case resourceAnswer.groups:
          if (current?.state === 'user') current.groups = rest.filter(Boolean);
          break;
        case resourceAnswer.group:
          observed = { state: 'group' };
          break;
        case resourceAnswer.content: {
          const chunks: string[] = [];
          for (i++; i < lines.length && lines[i] !== `@${tag} ${resourceAnswer.end}`; i++) chunks.push(lines[i]!);
          if (current?.state === 'file') current.content = Buffer.from(chunks.join(''), 'base64').toString('utf8');
          break;
        }
        default:
          throw new ProbeOutputError(`probe line not understood: ${line}`);
      }
      if (observed) actual.resources.set(resource.id, observed);
    }
  }
  if (!done) throw new ProbeOutputError('probe output ended early');
  for (const resource of state.resources) {
    if (!actual.resources.has(resource.id)) throw new ProbeOutputError(`probe said nothing about ${resource.id}`);
  }
  return actual;
}
