import { resolve } from 'node:path';
import { ExitCode } from '../../model/errors.js';
import { prepareProjectOrThrow, statedHostWarnings } from '../../pipeline/pipeline.js';
import { noteHostWarnings } from '../../model/warnings.js';
import { writeRenderedTree } from '../report/rendered-tree.js';
import type { Output } from '../report/output.js';

export interface RenderCommandOptions {
  inventory: string | readonly string[];
  out: string;
  limit?: string;
  extraVars: string[];
}

/** `provision render --out DIR`: every host's files under DIR/<host>/<path>, without connecting. */
export async function renderCommand(options: RenderCommandOptions, out: Output): Promise<number> {
  const { hosts, problems } = prepareProjectOrThrow(options.inventory, { extraVars: options.extraVars, limit: options.limit, hostDirsFor: 'render --out' });
  // No host is looked at: the roles' warnings with the variables as stated.
  noteHostWarnings(statedHostWarnings(problems));
  const written = writeRenderedTree(
    resolve(options.out),
    hosts.map(({ host, desired }) => ({ name: host.name, desired })),
  );
  for (const { name, files, base } of written) out.write(`${name}: ${files} files under ${base}\n`);
  return ExitCode.ok;
}
