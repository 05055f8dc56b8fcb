import pc from 'picocolors';

/** Colour only when writing to a terminal (and NO_COLOR is not set). */
export function colorsFor(stream: NodeJS.WriteStream) {
  return pc.createColors(Boolean(stream.isTTY) && !process.env.NO_COLOR);
}

export type Colors = ReturnType<typeof colorsFor>;
