/** What the apply script reported, per resource id and per handler. */
export interface ApplyReport {
  ok: Set<string>;
  failed: Map<string, string>;
  handlers: { name: string; ok: boolean; detail: string }[];
  /** why a check was not run (not root, no unshare...) */
  notes: string[];
  /** the script reached its end (not killed or cut off) */
  done: boolean;
}

export function parseApply(output: string): ApplyReport {
  const report: ApplyReport = { ok: new Set(), failed: new Map(), handlers: [], notes: [], done: false };
  let lastFailure: { id?: string; handler?: number } | undefined;
  for (const line of output.split('\n')) {
    if (line === '@done') report.done = true;
    else if (line.startsWith('@note ')) report.notes.push(line.slice(6));
    else if (line.startsWith('@ok ')) report.ok.add(line.slice(4));
    else if (line.startsWith('@fail ')) {
      const [id, ...message] = line.slice(6).split(' ');
      report.failed.set(id!, message.join(' '));
      lastFailure = { id };
    } else if (line.startsWith('@handler ')) {
      const words = line.slice(9).split(' ');
      const status = words.pop();
      report.handlers.push({ name: words.join(' '), ok: status === 'ok', detail: '' });
      lastFailure = status === 'ok' ? undefined : { handler: report.handlers.length - 1 };
    } else if (line.startsWith('@detail ') && lastFailure) {
      const detail = line.slice(8);
      if (lastFailure.id !== undefined) report.failed.set(lastFailure.id, `${report.failed.get(lastFailure.id)}\n${detail}`);
      else if (lastFailure.handler !== undefined) report.handlers[lastFailure.handler]!.detail += `${detail}\n`;
    }
  }
  return report;
}
