/** The last non-empty lines of a command's output (its stderr, usually): enough to explain a failure in one message. */
export function lastLines(text: string, count = 5): string {
  return text.replace(/\r/g, '').trim().split('\n').filter(Boolean).slice(-count).join('\n');
}
