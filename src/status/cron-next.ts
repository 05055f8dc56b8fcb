// When cron next runs the renewal: from the schedule's cron line as the host has it (the daily
// schedule's /etc/cron.d/letsencrypt line provision renders, `M H,H+12 * * *`; the monthly one's
// run-parts line of /etc/crontab, Debian's `52 6 1 * *`), in the host's time zone as cron reads it.
// Only the forms these are made of are understood (numbers, lists, ranges, steps, `*`, a day of the
// week only as `*`): anything else has no next run rather than a wrong one.

export interface CronTimes {
  minutes: number[];
  hours: number[];
  /** days of the month; undefined: every day */
  days?: number[];
  /** months 1-12; undefined: every month */
  months?: number[];
}

/** The time zone the host's cron runs in: an IANA name (/etc/timezone), else a fixed offset (`date +%z`), else UTC. */
export interface HostZone {
  name?: string;
  /** `+0100`, `-0530` */
  offset?: string;
}

function field(text: string, low: number, high: number): number[] | undefined | null {
  if (text === '*') return undefined;
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const from = m[1] === '*' ? low : Number(m[2]);
    const to = m[1] === '*' ? high : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? high : from;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (from < low || to > high || from > to || step < 1) return null;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** The five time fields of a cron line (`M H DOM MON DOW ...`); undefined when not understood. */
export function parseCronTimes(line: string): CronTimes | undefined {
  const words = line.trim().split(/\s+/);
  if (words.length < 5) return undefined;
  const [m, h, dom, mon, dow] = words as [string, string, string, string, string];
  const minutes = field(m, 0, 59);
  const hours = field(h, 0, 23);
  const days = field(dom, 1, 31);
  const months = field(mon, 1, 12);
  // A day of the week other than `*` ORs with the day of the month in cron: not a form provision renders.
  if (minutes === null || hours === null || days === null || months === null || dow !== '*') return undefined;
  return { minutes: minutes ?? field('*', 0, 59)!, hours: hours ?? field('*', 0, 23)!, days, months };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Seconds east of UTC in the IANA zone at `epoch`; undefined when the zone is unknown to this node. */
function zoneOffset(zone: string, epoch: number): number | undefined {
  let format = formatters.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return undefined;
    }
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(epoch * 1000)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) / 1000;
  return wall - epoch;
}

function fixedOffset(text: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})$/.exec(text);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : undefined;
}

/** How epochs map to the host's wall clock, and the zone's name as stated in the report. */
export function hostClock(zone: HostZone): { offsetAt: (epoch: number) => number; label: string } {
  if (zone.name && zoneOffset(zone.name, 0) !== undefined) return { offsetAt: (t) => zoneOffset(zone.name!, t)!, label: zone.name };
  const fixed = zone.offset === undefined ? undefined : fixedOffset(zone.offset);
  if (fixed !== undefined) return { offsetAt: () => fixed, label: zone.offset! };
  return { offsetAt: () => 0, label: 'UTC' };
}

/**
 * The moment a wall-clock time (seconds, as if it were UTC) happens. Twice (the hour repeated when
 * summer time ends): the first, when cron runs a job at a fixed time. Never (the hour skipped when it
 * begins): the moment the clock jumps, when cron runs the jobs of the skipped hour.
 */
function wallToEpoch(wall: number, offsetAt: (epoch: number) => number): number {
  const before = offsetAt(wall - 86400);
  const after = offsetAt(wall + 86400);
  const candidates = [wall - before, wall - after].filter((t) => t + offsetAt(t) === wall).sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  let low = Math.min(wall - before, wall - after);
  let high = Math.max(wall - before, wall - after);
  const start = offsetAt(low);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (offsetAt(mid) === start) low = mid;
    else high = mid;
  }
  return high;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The first run strictly after `now` (epoch seconds), within two years; undefined if none (e.g. 31 February). */
export function nextCronRun(times: CronTimes, now: number, offsetAt: (epoch: number) => number): number | undefined {
  const today = new Date((now + offsetAt(now)) * 1000);
  let year = today.getUTCFullYear();
  let month = today.getUTCMonth() + 1;
  let day = today.getUTCDate();
  for (let i = 0; i < 800; i++) {
    if ((!times.months || times.months.includes(month)) && (!times.days || times.days.includes(day))) {
      for (const hour of times.hours)
        for (const minute of times.minutes) {
          const at = wallToEpoch(Date.UTC(year, month - 1, day, hour, minute) / 1000, offsetAt);
          if (at > now) return at;
        }
    }
    if (++day > daysIn(year, month)) {
      day = 1;
      if (++month > 12) {
        month = 1;
        year++;
      }
    }
  }
  return undefined;
}

/** `2026-12-02 15:17 +0100`: the host's wall clock at `epoch`, with its offset. */
export function formatHostTime(epoch: number, offsetAt: (epoch: number) => number): string {
  const offset = offsetAt(epoch);
  const wall = new Date((epoch + offset) * 1000).toISOString();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hhmm = `${String(Math.floor(abs / 3600)).padStart(2, '0')}${String(Math.floor((abs % 3600) / 60)).padStart(2, '0')}`;
  return `${wall.slice(0, 10)} ${wall.slice(11, 16)} ${sign}${hhmm}`;
}
