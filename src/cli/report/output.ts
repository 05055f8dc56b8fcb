import { colorsFor } from './colors.js';
import type { Colors } from './colors.js';

/**
 * Where a command's report goes. Commands write only here, never to process.stdout themselves: the CLI
 * hands each the terminal's, so the one place that knows about streams is src/cli/cli.ts.
 */
export interface Output {
  write(text: string): void;
  colors: Colors;
}

/** Standard output, coloured only on a terminal. */
export function standardOutput(stream: NodeJS.WriteStream = process.stdout): Output {
  return { write: (text) => void stream.write(text), colors: colorsFor(stream) };
}
