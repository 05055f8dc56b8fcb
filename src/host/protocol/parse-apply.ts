// The apply script's answers (shell/apply.sh) read back into what it did.
import { answerPrefix, applyAnswer } from './answers.js';

/** What the apply script reported, per resource id and per handler. */
export interface ApplyReport {
  ok: Set<string>;
  failed: Map<string, string>;
  handlers: { name: string; ok: boolean; detail: string }[];
  /** why a check was not run (not root, no unshare...) */
  notes: string[];
  /** what the user must know that is not a failure (a removal postponed) */
  warnings: string[];
  /** the script reached its end (not killed or cut off) */
  done: boolean;
}

const notePrefix = answerPrefix(applyAnswer.note);
const warnPrefix = answerPrefix(applyAnswer.warn);
const okPrefix = answerPrefix(applyAnswer.ok);
const failPrefix = answerPrefix(applyAnswer.fail);
const handlerPrefix = answerPrefix(applyAnswer.handler);
const detailPrefix = answerPrefix(applyAnswer.detail);
/** the last word of `@handler NAME ok|fail` */
const handlerSucceeded = 'ok';

export function parseApply(output: string): ApplyReport {
  const report: ApplyReport = { ok: new Set(), failed: new Map(), handlers: [], notes: [], warnings: [], done: false };
  let lastFailure: { id?: string; handler?: number } | undefined;
  for (const line of output.split('\n')) {
    if (line === `@${applyAnswer.done}`) report.done = true;
    else if (line.startsWith(notePrefix)) report.notes.push(line.slice(notePrefix.length));
    else if (line.startsWith(warnPrefix)) report.warnings.push(line.slice(warnPrefix.length));
    else if (line.startsWith(okPrefix)) report.ok.add(line.slice(okPrefix.length));
    else if (line.startsWith(failPrefix)) {
      const [id, ...message] = line.slice(failPrefix.length).split(' ');
      report.failed.set(id!, message.join(' '));
      lastFailure = { id };
    } else if (line.startsWith(handlerPrefix)) {
      const words = line.slice(handlerPrefix.length).split(' ');
      const status = words.pop();
      report.handlers.push({ name: words.join(' '), ok: status === handlerSucceeded, detail: '' });
      lastFailure = status === handlerSucceeded ? undefined : { handler: report.handlers.length - 1 };
    } else if (line.startsWith(detailPrefix) && lastFailure) {
      const detail = line.slice(detailPrefix.length);
      if (lastFailure.id !== undefined) report.failed.set(lastFailure.id, `${report.failed.get(lastFailure.id)}\n${detail}`);
      else if (lastFailure.handler !== undefined) report.handlers[lastFailure.handler]!.detail += `${detail}\n`;
    }
  }
  return report;
}
