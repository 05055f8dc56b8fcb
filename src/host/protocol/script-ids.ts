// How the host scripts name a resource, in their calls and in their answers: `r<index>`, the
// resource's index in the desired state the script was made from. Letters and digits only, so an id
// is never shell syntax and never holds a space.

export type ScriptId = `r${number}`;

export function scriptId(index: number): ScriptId {
  return `r${index}`;
}

/** The index a script id names; undefined when `word` is not a script id. */
export function resourceIndex(word: string): number | undefined {
  const match = /^r(\d+)$/.exec(word);
  return match ? Number(match[1]) : undefined;
}
