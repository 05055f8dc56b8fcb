// The one script `provision status` sends a host: it looks at every certificate, its renewal state,
// the schedule and every endpoint, and changes nothing (shell/status.sh). Certificates are `c<i>`,
// endpoints `e<i>`, in the order of StatusTargets.
import { readShellLibrary, wrapScript } from '../host/script.js';
import * as call from '../host/shell-calls.js';
import { statusAnswer } from '../host/protocol/answers.js';
import type { ScheduleTarget, StatusTargets } from './targets.js';

/** A schedule under a --root tree: its files, no timer (the tree has no systemd). */
export const withoutTimer = (s: ScheduleTarget): ScheduleTarget => ({ kind: s.kind, file: s.file, ...(s.cron ? { cron: s.cron } : {}) });

export const certificateId = (index: number) => `c${index}`;
export const endpointId = (index: number) => `e${index}`;

/**
 * Under a --root tree (provision_root) the files are read below it, and no daemon is asked and no
 * timer looked up: the tree has none.
 */
export function statusScript(targets: StatusTargets, root?: string): string {
  const schedule = targets.schedule && root !== undefined ? withoutTimer(targets.schedule) : targets.schedule;
  const endpoints = root === undefined ? targets.endpoints : [];
  const body = [
    call.statusNow(),
    ...targets.certificates.flatMap((c, i) => [
      call.statusCert({ id: certificateId(i), dir: c.dir, caFile: targets.caFile }),
      call.statusState({ id: certificateId(i), file: c.stateFile }),
    ]),
    ...(schedule ? [call.statusSchedule(schedule)] : []),
    ...(schedule?.cron ? [call.statusCronLine(schedule.cron)] : []),
    // Each with its certificate's directory: a daemon presenting that very leaf needs no openssl to read it.
    ...endpoints.map((e, i) =>
      call.statusServed({
        id: endpointId(i),
        port: e.port,
        starttls: e.starttls,
        serverName: e.serverName,
        dir: targets.certificates.find((c) => c.name === e.certificate)?.dir ?? '/nonexistent',
      }),
    ),
    // As the probe looks for them (a real host only): plan's warnings, the same function.
    ...(root === undefined
      ? (targets.foreignLinks ?? []).map((watch, index) => call.foreignLinks({ index, dir: watch.dir, uses: watch.uses, desired: targets.managedPaths ?? [] }))
      : []),
    `printf '@${statusAnswer.done}\\n'`,
  ];
  return wrapScript(root, `${readShellLibrary('status.sh')}\n${readShellLibrary('foreign-links.sh')}`, body.join('\n'));
}
