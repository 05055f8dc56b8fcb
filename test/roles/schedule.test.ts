// The letsencrypt role's renewal schedules as cron and systemd read them: the default (`daily`, cron)
// and `systemd` schedules check twice a day, twelve hours apart, at a minute taken from the host's
// name (Let's Encrypt asks ARI clients to check at least twice daily at a random time:
// letsencrypt.org/docs/integration-guide/), the same at every render and spread over a fleet. Real
// tools read the files: Debian's crontab (dry run) and systemd-analyze calendar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.js';
import { prepareRenderers, renderHost } from '../../src/render/render-host.js';
import { templateVars } from '../../src/resolve/template-vars.js';
import { stableNumber } from '../../src/template/filters.js';
import { projectRoot } from '../helpers/cli.js';

const { roles, problems } = loadRoles([join(projectRoot, 'roles')]);
assert.deepEqual(problems, []);
const renderers = prepareRenderers(roles.values());
const letsencrypt = roles.get('letsencrypt')!;

/** The host's schedule files (path → content) as the letsencrypt role renders them. */
function scheduleFiles(host: string, schedule: string): Map<string, string> {
  const { vars, errors } = templateVars({
    ...letsencrypt.defaults,
    acme_domains: [host],
    acme_schedule: schedule,
    inventory_hostname: host,
    group_names: ['all'],
  });
  assert.deepEqual(errors, []);
  const { state, problems: renderProblems } = renderHost(host, ['letsencrypt'], vars, renderers);
  assert.deepEqual(renderProblems, []);
  const files = new Map<string, string>();
  for (const resource of state.resources) {
    if (resource.kind === 'file' && /^\/etc\/(cron|systemd)/.test(resource.path)) files.set(resource.path, resource.content);
  }
  return files;
}

const cronPath = '/etc/cron.d/letsencrypt';
const timerPath = '/etc/systemd/system/letsencrypt-renew.timer';

/** The minutes of the day (0..1439) the cron.d job line starts the script at. */
function cronMinutes(text: string): number[] {
  const jobs = text.split('\n').filter((line) => /^\d/.test(line));
  assert.equal(jobs.length, 1, `one job line:\n${text}`);
  const job = /^(\d+) ([\d,]+) \* \* \* root \[ -x \/usr\/local\/sbin\/letsencrypt-renew \] && \/usr\/local\/sbin\/letsencrypt-renew$/.exec(jobs[0]);
  assert.ok(job, jobs[0]);
  return job[2].split(',').map((hour) => Number(hour) * 60 + Number(job[1]));
}

/** The minutes of the day of the timer's OnCalendar lines ("*-*-* HH,HH:MM:00" or one line per time). */
function timerMinutes(text: string): number[] {
  const minutes: number[] = [];
  for (const [, hours, minute] of text.matchAll(/^OnCalendar=\*-\*-\* ([\d,]+):(\d\d):00$/gm)) {
    for (const hour of hours.split(',')) minutes.push(Number(hour) * 60 + Number(minute));
  }
  return minutes.sort((a, b) => a - b);
}

test('daily (the default) and systemd: twice a day, twelve hours apart, the same times in both, the same at every render', () => {
  for (const host of ['web1.example.test', 'mail1.example.test', 'a', 'db-07.internal.example.org']) {
    const daily = scheduleFiles(host, 'daily');
    assert.deepEqual([...daily.keys()], [cronPath], `${host}: daily installs only the cron.d file`);
    const cron = daily.get(cronPath)!;
    assert.equal(scheduleFiles(host, 'daily').get(cronPath), cron, `${host}: the same file at every render`);
    const [first, second] = cronMinutes(cron);
    assert.equal(second - first, 720, `${host}: ${cron}`);
    assert.match(cron, /^# .*twice a day/m);

    const timer = scheduleFiles(host, 'systemd').get(timerPath)!;
    assert.deepEqual(timerMinutes(timer), [first, second], `${host}: the timer runs at the cron job's times:\n${timer}`);
    assert.match(timer, /^Description=Twice-daily /m);
    assert.match(timer, /^Persistent=true$/m);
    // A random delay keeps the runs of hosts that share a minute apart, and stays well inside the gap.
    assert.match(timer, /^RandomizedDelaySec=(\d+min|1h)$/m);
  }
});

test('monthly stays the seed schedule: no cron.d file, no timer, every certificate renewed at every run', () => {
  const monthly = scheduleFiles('web1.example.test', 'monthly');
  assert.deepEqual([...monthly.keys()], ['/etc/cron.monthly/letsencrypt']);
  assert.match(monthly.get('/etc/cron.monthly/letsencrypt')!, /^exec \/usr\/local\/sbin\/letsencrypt-renew --force$/m);
});

test('one of the two times is the once-a-day time earlier versions rendered, so an upgrade adds a run and moves none', () => {
  // Earlier versions ran once a day at the minute of the day stable_number(1440) gave the host's name.
  for (const host of ['web1.example.test', 'mail1.example.test', 'host17.example.test']) {
    assert.ok(cronMinutes(scheduleFiles(host, 'daily').get(cronPath)!).includes(stableNumber(host, 1440)), host);
  }
});

test('a fleet of 200 hosts is spread over the day: many distinct minutes, every hour used, none crowded', () => {
  const firstRuns = Array.from({ length: 200 }, (_, i) => cronMinutes(scheduleFiles(`host${i}.example.test`, 'daily').get(cronPath)!)[0]);
  // The first run falls in the first half of the day (the second is twelve hours later).
  assert.ok(
    firstRuns.every((minute) => minute >= 0 && minute < 720),
    'first runs before noon',
  );
  assert.ok(new Set(firstRuns).size >= 150, `200 hosts share only ${new Set(firstRuns).size} minutes of 720`);
  const perHour = Array.from({ length: 12 }, (_, hour) => firstRuns.filter((minute) => Math.floor(minute / 60) === hour).length);
  // 200 hosts over 12 hours: about 17 an hour; no hour empty, none with more than two and a half times that.
  assert.ok(
    perHour.every((count) => count >= 5 && count <= 42),
    `hosts per hour (0..11, and again 12..23): ${perHour.join(' ')}`,
  );
});

test('crontab (Debian cron, dry run) accepts the cron.d file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-schedule-'));
  try {
    for (const host of ['web1.example.test', 'mail1.example.test', 'host3.example.test']) {
      const file = join(dir, `${host}.cron`);
      writeFileSync(file, scheduleFiles(host, 'daily').get(cronPath)!);
      // crontab -n parses a user crontab: the time fields and the variable lines are what it checks
      // (the cron.d user field, root, is read as the start of the command).
      const check = spawnSync('crontab', ['-n', file], { encoding: 'utf8' });
      assert.equal(check.error, undefined, 'crontab missing: apt-get install cron');
      assert.equal(check.status, 0, `${host}: ${check.stdout}${check.stderr}`);
      assert.match(check.stdout + check.stderr, /successfully checked/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('systemd-analyze calendar: the timer elapses every twelve hours, at the cron job times', () => {
  for (const host of ['web1.example.test', 'mail1.example.test', 'host3.example.test']) {
    const timer = scheduleFiles(host, 'systemd').get(timerPath)!;
    const calendars = [...timer.matchAll(/^OnCalendar=(.*)$/gm)].map((line) => line[1]);
    assert.ok(calendars.length > 0, timer);
    const run = spawnSync('systemd-analyze', ['calendar', '--iterations=4', ...calendars], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    assert.equal(run.status, 0, `${host}: ${run.stdout}${run.stderr}`);
    const elapses = [...run.stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)]
      .map((line) => Date.parse(`${line[1].replace(' ', 'T')}Z`))
      .sort((a, b) => a - b);
    // With one calendar line per time the command lists each line's elapses: the first four overall.
    const next = [...new Set(elapses)].slice(0, 4);
    assert.equal(next.length, 4, run.stdout);
    for (let i = 1; i < next.length; i++) assert.equal(next[i] - next[i - 1], 12 * 3600_000, `${host}: ${run.stdout}`);
    const minutesOfDay = next.map((ms) => Math.floor((ms % 86_400_000) / 60_000)).sort((a, b) => a - b);
    assert.deepEqual([...new Set(minutesOfDay)], cronMinutes(scheduleFiles(host, 'daily').get(cronPath)!), `${host}: ${run.stdout}`);
  }
});
