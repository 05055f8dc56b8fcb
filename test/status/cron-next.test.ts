// When cron next runs the renewal (src/status/cron-next.ts): the daily schedule's `M H,H+12` line and
// the monthly run-parts line, in UTC, a fixed offset and a zone with summer time (the hour skipped:
// the job runs when the clock jumps; the hour repeated: once, at the first), across month ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatHostTime, hostClock, nextCronRun, parseCronTimes } from '../../src/status/cron-next.js';
import { parseStatus } from '../../src/host/protocol/parse-status.js';

const at = (iso: string) => Date.parse(iso) / 1000;
const next = (line: string, now: string, zone: { name?: string; offset?: string } = {}) => {
  const times = parseCronTimes(line);
  assert.ok(times, line);
  const clock = hostClock(zone);
  const run = nextCronRun(times, at(now), clock.offsetAt);
  return run === undefined ? undefined : new Date(run * 1000).toISOString();
};

test('the daily schedule: the next of its two times, strictly after now', () => {
  assert.deepEqual(parseCronTimes('17 3,15 * * * root [ -x /usr/local/sbin/letsencrypt-renew ] && /usr/local/sbin/letsencrypt-renew'), {
    minutes: [17],
    hours: [3, 15],
    days: undefined,
    months: undefined,
  });
  assert.equal(next('17 3,15 * * * root x', '2026-12-02T10:00:00Z'), '2026-12-02T15:17:00.000Z');
  assert.equal(next('17 3,15 * * * root x', '2026-12-02T15:17:00Z'), '2026-12-03T03:17:00.000Z');
  // the last day of the year
  assert.equal(next('17 3,15 * * * root x', '2026-12-31T20:00:00Z'), '2027-01-01T03:17:00.000Z');
  // a fixed offset (`date +%z`, no zone name): 15:17 at +0530 is 09:47 UTC
  assert.equal(next('17 3,15 * * * root x', '2026-12-02T00:00:00Z', { offset: '+0530' }), '2026-12-02T09:47:00.000Z');
  assert.equal(next('17 3,15 * * * root x', '2026-12-02T12:00:00Z', { offset: '-0800' }), '2026-12-02T23:17:00.000Z');
});

test('month ends: the monthly run-parts line, and a day some months lack', () => {
  assert.equal(
    next('52 6\t1 * *\troot\ttest -x /usr/sbin/anacron || { cd / && run-parts --report /etc/cron.monthly; }', '2027-01-31T23:00:00Z'),
    '2027-02-01T06:52:00.000Z',
  );
  assert.equal(next('52 6 1 * * root run-parts /etc/cron.monthly', '2027-02-01T06:52:00Z'), '2027-03-01T06:52:00.000Z');
  // the 31st: not in February nor April
  assert.equal(next('0 0 31 * * root x', '2027-01-31T01:00:00Z'), '2027-03-31T00:00:00.000Z');
  assert.equal(next('0 0 31 * * root x', '2027-03-31T01:00:00Z'), '2027-05-31T00:00:00.000Z');
  // 29 February: the next leap year
  assert.equal(next('0 12 29 2 * root x', '2027-03-01T00:00:00Z'), '2028-02-29T12:00:00.000Z');
  // never (31 February): no next run rather than a wrong one
  assert.equal(next('0 0 31 2 * root x', '2027-01-01T00:00:00Z'), undefined);
});

test('summer time (Europe/Berlin): a skipped time runs when the clock jumps, a repeated one once, at the first', () => {
  const berlin = { name: 'Europe/Berlin', offset: '+0100' };
  // 28 March 2027: 02:00 CET becomes 03:00 CEST (01:00 UTC); 02:30 never happens
  assert.equal(next('30 2 * * * root x', '2027-03-27T12:00:00Z', berlin), '2027-03-28T01:00:00.000Z');
  assert.equal(next('17 3,15 * * * root x', '2027-03-27T20:00:00Z', berlin), '2027-03-28T01:17:00.000Z');
  // 31 October 2027: 03:00 CEST becomes 02:00 CET; 02:30 happens at 00:30 and 01:30 UTC: cron runs the first
  assert.equal(next('30 2 * * * root x', '2027-10-30T12:00:00Z', berlin), '2027-10-31T00:30:00.000Z');
  assert.equal(next('30 2 * * * root x', '2027-10-31T00:45:00Z', berlin), '2027-11-01T01:30:00.000Z');
  // winter and summer: 15:17 local
  assert.equal(next('17 3,15 * * * root x', '2027-01-10T10:00:00Z', berlin), '2027-01-10T14:17:00.000Z');
  assert.equal(next('17 3,15 * * * root x', '2027-07-10T10:00:00Z', berlin), '2027-07-10T13:17:00.000Z');
  const clock = hostClock(berlin);
  assert.equal(clock.label, 'Europe/Berlin');
  assert.equal(formatHostTime(at('2027-07-10T13:17:00Z'), clock.offsetAt), '2027-07-10 15:17 +0200');
  assert.equal(formatHostTime(at('2027-01-10T14:17:00Z'), clock.offsetAt), '2027-01-10 15:17 +0100');
});

test('the zone as stated: a name node does not know falls back to the offset, none to UTC; unknown forms have no next run', () => {
  assert.equal(hostClock({ name: 'Nowhere/Nope', offset: '+0200' }).label, '+0200');
  assert.equal(hostClock({}).label, 'UTC');
  assert.equal(formatHostTime(at('2026-12-02T15:17:00Z'), hostClock({}).offsetAt), '2026-12-02 15:17 +0000');
  assert.equal(formatHostTime(at('2026-12-02T15:17:00Z'), hostClock({ offset: '-0330' }).offsetAt), '2026-12-02 11:47 -0330');
  assert.equal(parseCronTimes('17 3,15 * * 1 root x'), undefined, 'a day of the week');
  assert.equal(parseCronTimes('@daily root x'), undefined);
  assert.equal(parseCronTimes('61 3 * * * root x'), undefined);
  assert.deepEqual(parseCronTimes('*/20 1-3 * * * root x')?.minutes, [0, 20, 40]);
  assert.deepEqual(parseCronTimes('*/20 1-3 * * * root x')?.hours, [1, 2, 3]);
});

test("the status script's clock line: epoch, offset and zone name; the cron line", () => {
  const seen = parseStatus('@now 1796204604 +0100 Europe/Berlin\n@cron 17 3,15 * * * root x\n@done\n');
  assert.equal(seen.now, 1796204604);
  assert.deepEqual(seen.zone, { offset: '+0100', name: 'Europe/Berlin' });
  assert.equal(seen.cron, '17 3,15 * * * root x');
  assert.deepEqual(parseStatus('@now 1796204604 +0000 -\n@done\n').zone, { offset: '+0000' });
});
