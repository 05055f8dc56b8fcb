// Every builder of src/host/shell-calls.ts against the shell function it calls: the parameter line in
// the comment above the function in shell/*.sh, and the words a real `sh` hands the function when it
// runs the builder's line (the function replaced by a stub that prints its arguments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as calls from '../../src/host/shell-calls.js';
import { packageRoot } from '../../src/model/paths.js';

type Library = 'apply.sh' | 'probe.sh' | 'status.sh' | 'foreign-links.sh';
const libraries: Record<Library, string> = {
  'apply.sh': readFileSync(join(packageRoot, 'shell', 'apply.sh'), 'utf8'),
  'probe.sh': readFileSync(join(packageRoot, 'shell', 'probe.sh'), 'utf8'),
  'status.sh': readFileSync(join(packageRoot, 'shell', 'status.sh'), 'utf8'),
  'foreign-links.sh': readFileSync(join(packageRoot, 'shell', 'foreign-links.sh'), 'utf8'),
};

/** The function's definition line and body, up to its closing `}` at the start of a line. */
function definition(library: Library, name: string): { at: number; body: string[] } | undefined {
  const lines = libraries[library].split('\n');
  const at = lines.findIndex((line) => line.startsWith(`${name}() {`));
  if (at < 0) return undefined;
  const end = lines.findIndex((line, i) => i > at && line === '}');
  return { at, body: lines.slice(at, end < 0 ? at + 1 : end + 1) };
}

/**
 * The parameters documented in the `# NAME PARAMETERS[: what it does]` line of the comment above the
 * function (assignments of its globals may stand between): `X` one word, `[X]` an optional one, `X...`
 * and `[a X | b Y]...` the rest of the words, `a|b` one of those literal words.
 */
function documentedParameters(library: Library, name: string): string[] {
  const found = definition(library, name);
  assert.ok(found, `${library} defines ${name}()`);
  const lines = libraries[library].split('\n');
  for (let i = found.at - 1; i >= 0 && (lines[i]!.startsWith('#') || /^[A-Z_]+=/.test(lines[i]!)); i--) {
    const match = new RegExp(`^# ${name}(?: (.*?))?(?::(?: .*)?)?$`).exec(lines[i]!);
    if (!match) continue;
    const text = (match[1] ?? '').replace(/\([^)]*\)/g, '').replace(/\s*<\s*\S+/, '');
    return text.match(/\[[^\]]*\](?:\.\.\.)?|\S+/g) ?? [];
  }
  assert.fail(`${library}: no "# ${name} PARAMETERS" line above ${name}()`);
}

const isRest = (parameter: string) => parameter.endsWith('...');

/** The words `sh` passes to `name` when it runs `line` (R is the root prefix, Tr9 a staged temp file). */
function wordsPassed(name: string, line: string): string[] {
  const script = [`R=/R`, `Tr9=/tmp/staged-r9`, `${name}() { for word do printf '%s\\0' "$word"; done; }`, line].join('\n');
  const run = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\0').slice(0, -1);
}

/** Rest words that follow `[a X Y | b Z]...`: each group starts with its literal and has its length. */
function restFitsAlternatives(parameter: string, words: string[]): boolean {
  const alternatives = parameter
    .replace(/^\[|\]\.\.\.$/g, '')
    .split('|')
    .map((alt) => alt.trim().split(/\s+/));
  for (let i = 0; i < words.length;) {
    const alternative = alternatives.find((alt) => alt[0] === words[i]);
    if (!alternative || i + alternative.length > words.length) return false;
    i += alternative.length;
  }
  return true;
}

interface Case {
  library: Library;
  builder: keyof typeof calls;
  line: string;
  /** each documented parameter in order, with the word(s) the function must receive for it */
  expect: [string, string | string[]][];
}

const cases: Case[] = [
  // shell/apply.sh
  {
    library: 'apply.sh',
    builder: 'ensureGroup',
    line: calls.ensureGroup({ id: 'r1', name: 'web admins', system: true }),
    expect: [
      ['ID', 'r1'],
      ['NAME', 'web admins'],
      ['SYSTEM', '1'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'ensureGroup',
    line: calls.ensureGroup({ id: 'r1', name: 'web', system: false }),
    expect: [
      ['ID', 'r1'],
      ['NAME', 'web'],
      ['SYSTEM', ''],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'ensureUser',
    line: calls.ensureUser({ id: 'r2', name: 'acme', system: false, home: '/var/lib/acme', shell: '/bin/sh', group: 'acme', groups: ['ssl-cert', 'www data'] }),
    expect: [
      ['ID', 'r2'],
      ['NAME', 'acme'],
      ['SYSTEM', ''],
      ['HOME', '/var/lib/acme'],
      ['SHELL', '/bin/sh'],
      ['GROUP', 'acme'],
      ['GROUPS', 'ssl-cert,www data'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'ensureDir',
    line: calls.ensureDir({ id: 'r3', path: "/etc/it's", mode: '0755', owner: 'root', group: 'adm', oldTarget: '/old target' }),
    expect: [
      ['ID', 'r3'],
      ['PATH', "/R/etc/it's"],
      ['MODE', '0755'],
      ['OWNER', 'root'],
      ['GROUP', 'adm'],
      ['[OLD-TARGET]', ['/old target']],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'ensureDir',
    line: calls.ensureDir({ id: 'r3', path: '/etc/x', mode: '0755' }),
    expect: [
      ['ID', 'r3'],
      ['PATH', '/R/etc/x'],
      ['MODE', '0755'],
      ['OWNER', ''],
      ['GROUP', ''],
      ['[OLD-TARGET]', []],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'setAttrs',
    line: calls.setAttrs({ id: 'r4', path: '/etc/a b', mode: '0640', group: 'adm' }),
    expect: [
      ['ID', 'r4'],
      ['PATH', '/R/etc/a b'],
      ['MODE', '0640'],
      ['OWNER', ''],
      ['GROUP', 'adm'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'genKey',
    line: calls.genKey({
      id: 'r5',
      path: '/k.pem',
      mode: '0600',
      owner: 'root',
      group: 'ssl-cert',
      opensslArgs: ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    }),
    expect: [
      ['ID', 'r5'],
      ['PATH', '/R/k.pem'],
      ['MODE', '0600'],
      ['OWNER', 'root'],
      ['GROUP', 'ssl-cert'],
      ['OPENSSL-ARGS...', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'genNextKey',
    line: calls.genNextKey({
      id: 'r6',
      path: '/k.pem.next',
      mode: '0400',
      owner: 'root',
      group: 'root',
      opensslArgs: ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    }),
    expect: [
      ['ID', 'r6'],
      ['PATH', '/R/k.pem.next'],
      ['MODE', '0400'],
      ['OWNER', 'root'],
      ['GROUP', 'root'],
      ['OPENSSL-ARGS...', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'makeCsr',
    line: calls.makeCsr({
      id: 'r6',
      path: '/c.csr',
      key: '/k.pem',
      subject: '/CN=a.test',
      san: 'DNS:a.test,DNS:b.test',
      mode: '0644',
      owner: 'acme',
      group: 'adm',
    }),
    expect: [
      ['ID', 'r6'],
      ['PATH', '/R/c.csr'],
      ['KEY', '/R/k.pem'],
      ['SUBJECT', '/CN=a.test'],
      ['SAN', 'DNS:a.test,DNS:b.test'],
      ['MODE', '0644'],
      ['OWNER', 'acme'],
      ['GROUP', 'adm'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'placeholderCert',
    line: calls.placeholderCert({
      id: 'r7',
      dir: '/certs/a',
      key: '/k.pem',
      subject: '/O=x y/CN=a.test',
      san: 'DNS:a.test',
      days: 30,
      mode: '0644',
      owner: 'root',
      group: 'ssl-cert',
    }),
    expect: [
      ['ID', 'r7'],
      ['DIR', '/R/certs/a'],
      ['KEY', '/R/k.pem'],
      ['SUBJECT', '/O=x y/CN=a.test'],
      ['SAN', 'DNS:a.test'],
      ['DAYS', '30'],
      ['MODE', '0644'],
      ['OWNER', 'root'],
      ['GROUP', 'ssl-cert'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'safeBelow',
    line: calls.safeBelow({ id: 'r8', top: '/srv/shared dir', path: '/srv/shared dir/x' }),
    expect: [
      ['ID', 'r8'],
      ['TOP', '/srv/shared dir'],
      ['PATH', '/R/srv/shared dir/x'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'stage',
    line: calls.stage({ id: 'r9', path: '/etc/f', mode: '0640', owner: 'root', group: 'adm' }),
    expect: [
      ['ID', 'r9'],
      ['PATH', '/R/etc/f'],
      ['MODE', '0640'],
      ['OWNER', 'root'],
      ['GROUP', 'adm'],
    ],
  },
  { library: 'apply.sh', builder: 'stagePrivate', line: calls.stagePrivate({ id: 'r9' }), expect: [['ID', 'r9']] },
  {
    library: 'apply.sh',
    builder: 'check',
    line: calls.check({ id: 'r9', shellText: 'grep -q x "$1"' }),
    expect: [
      ['ID', 'r9'],
      ['COMMAND...', ['sh', '-c', 'grep -q x "$1"', 'provision-validate', '/tmp/staged-r9']],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'wholeCheck',
    line: calls.wholeCheck({
      id: 'r9',
      label: 'apache2ctl -t',
      root: '/etc/apache2',
      command: "apache2ctl -t 'x'",
      candidates: [
        { kind: 'file', staged: 'r9', path: '/etc/apache2/a b.conf' },
        { kind: 'link', target: '../a.conf', path: '/etc/apache2/sites-enabled/a.conf' },
        { kind: 'removed', path: '/etc/apache2/sites-enabled/b.conf' },
      ],
    }),
    expect: [
      ['ID', 'r9'],
      ['LABEL', 'apache2ctl -t'],
      ['ROOT', '/etc/apache2'],
      ['COMMAND', "apache2ctl -t 'x'"],
      [
        '[f TEMP DEST | l TARGET PATH | d - PATH]...',
        ['f', '/tmp/staged-r9', '/etc/apache2/a b.conf', 'l', '../a.conf', '/etc/apache2/sites-enabled/a.conf', 'd', '-', '/etc/apache2/sites-enabled/b.conf'],
      ],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'promiseHandlers',
    line: calls.promiseHandlers({ names: ['reload apache', 'x'] }),
    expect: [['NAME...', ['reload apache', 'x']]],
  },
  {
    library: 'apply.sh',
    builder: 'fail',
    line: calls.fail({ id: 'handlers', message: "cannot record 'it'" }),
    expect: [
      ['ID', 'handlers'],
      ['MESSAGE', "cannot record 'it'"],
      ['[DETAIL]', []],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'fail',
    line: calls.fail({ id: 'r1', message: 'failed', detail: 'line 1\nline 2' }),
    expect: [
      ['ID', 'r1'],
      ['MESSAGE', 'failed'],
      ['[DETAIL]', ['line 1\nline 2']],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'commit',
    line: calls.commit({ id: 'r9', path: '/etc/f g', backup: true }),
    expect: [
      ['ID', 'r9'],
      ['TEMP', '/tmp/staged-r9'],
      ['PATH', '/R/etc/f g'],
      ['BACKUP', '1'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'commit',
    line: calls.commit({ id: 'r9', path: '/etc/f', backup: false }),
    expect: [
      ['ID', 'r9'],
      ['TEMP', '/tmp/staged-r9'],
      ['PATH', '/R/etc/f'],
      ['BACKUP', '0'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'link',
    line: calls.link({ id: 'r10', path: '/etc/l', target: '../t x' }),
    expect: [
      ['ID', 'r10'],
      ['PATH', '/R/etc/l'],
      ['TARGET', '../t x'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'handler',
    line: calls.handler({
      name: 'reload apache',
      steps: [
        { kind: 'reload', unit: 'apache2' },
        { kind: 'command', command: "echo 'hi' && true" },
      ],
    }),
    expect: [
      ['NAME', 'reload apache'],
      ['[command TEXT | reload UNIT]...', ['reload', 'apache2', 'command', "echo 'hi' && true"]],
    ],
  },
  { library: 'apply.sh', builder: 'settleHandlers', line: calls.settleHandlers(), expect: [] },
  { library: 'apply.sh', builder: 'abortIfFailed', line: calls.abortIfFailed(), expect: [] },
  { library: 'apply.sh', builder: 'finish', line: calls.finish(), expect: [] },
  // shell/probe.sh
  { library: 'probe.sh', builder: 'probeUid', line: calls.probeUid(), expect: [] },
  {
    library: 'probe.sh',
    builder: 'probeStatAll',
    line: calls.probeStatAll({ paths: ['/etc/a b'], machinePaths: ['/etc/.'] }),
    expect: [['PATH...', ['/R/etc/a b', '/etc/.']]],
  },
  { library: 'probe.sh', builder: 'probeSumAll', line: calls.probeSumAll({ paths: ['/x', "/y'z"] }), expect: [['PATH...', ['/R/x', "/R/y'z"]]] },
  { library: 'probe.sh', builder: 'probeLinkAll', line: calls.probeLinkAll({ paths: ['/l'] }), expect: [['PATH...', ['/R/l']]] },
  {
    library: 'probe.sh',
    builder: 'probeGetentAll',
    line: calls.probeGetentAll({ database: 'passwd', names: ['root', 'a b'] }),
    expect: [
      ['passwd|group', 'passwd'],
      ['NAME...', ['root', 'a b']],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeFact',
    line: calls.probeFact({ name: 'apache', output: 'stdout', programs: ['apache2', '/usr/sbin/apache2'], args: ['-v'] }),
    expect: [
      ['NAME', 'apache'],
      ['stdout|both', 'stdout'],
      ['CANDIDATES', 'apache2:/usr/sbin/apache2'],
      ['ARG...', ['-v']],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeAccount',
    line: calls.probeAccount({ database: 'group', name: 'ssl-cert' }),
    expect: [
      ['passwd|group', 'group'],
      ['NAME', 'ssl-cert'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeFile',
    line: calls.probeFile({ id: 'r0', path: '/f', sha256: 'ab12', sendContent: true }),
    expect: [
      ['ID', 'r0'],
      ['PATH', '/R/f'],
      ['SHA256', 'ab12'],
      ['SEND', '1'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeFile',
    line: calls.probeFile({ id: 'r0', path: '/f', sha256: 'ab12', sendContent: false }),
    expect: [
      ['ID', 'r0'],
      ['PATH', '/R/f'],
      ['SHA256', 'ab12'],
      ['SEND', '0'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeDir',
    line: calls.probeDir({ id: 'r1', path: '/d' }),
    expect: [
      ['ID', 'r1'],
      ['PATH', '/R/d'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeLink',
    line: calls.probeLink({ id: 'r2', path: '/l' }),
    expect: [
      ['ID', 'r2'],
      ['PATH', '/R/l'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeKey',
    line: calls.probeKey({ id: 'r3', path: '/k' }),
    expect: [
      ['ID', 'r3'],
      ['PATH', '/R/k'],
      ['[CSR]', []],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeKey',
    line: calls.probeKey({ id: 'r3', path: '/k', csr: '/c.csr' }),
    expect: [
      ['ID', 'r3'],
      ['PATH', '/R/k'],
      ['[CSR]', ['/R/c.csr']],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeCsr',
    line: calls.probeCsr({ id: 'r4', path: '/c.csr', key: '/k' }),
    expect: [
      ['ID', 'r4'],
      ['CSR', '/R/c.csr'],
      ['KEY', '/R/k'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeCert',
    line: calls.probeCert({ id: 'r5', path: '/p/fullchain.pem', key: '/k' }),
    expect: [
      ['ID', 'r5'],
      ['CERT', '/R/p/fullchain.pem'],
      ['KEY', '/R/k'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeUser',
    line: calls.probeUser({ id: 'r6', name: 'acme' }),
    expect: [
      ['ID', 'r6'],
      ['NAME', 'acme'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeGroup',
    line: calls.probeGroup({ id: 'r7', name: 'ssl cert' }),
    expect: [
      ['ID', 'r7'],
      ['NAME', 'ssl cert'],
    ],
  },
  {
    library: 'probe.sh',
    builder: 'probeRecord',
    line: calls.probeRecord({ file: '/var/lib/provision/managed/web 1', desired: ['/etc/a b', '/etc/c'] }),
    expect: [
      ['FILE', '/var/lib/provision/managed/web 1'],
      ['DESIRED', '/etc/a b\n/etc/c'],
    ],
  },
  {
    library: 'foreign-links.sh',
    builder: 'foreignLinks',
    line: calls.foreignLinks({ index: 1, dir: '/etc/apache2/sites-enabled', uses: '/etc/ssl/lets encrypt/', desired: ['/etc/a'] }),
    expect: [
      ['N', '1'],
      ['DIR', '/etc/apache2/sites-enabled'],
      ['USES', '/etc/ssl/lets encrypt/'],
      ['DESIRED', '/etc/a'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'writeRecord',
    line: calls.writeRecord({ file: '/var/lib/provision/managed/web 1' }),
    expect: [
      ['ID', 'record'],
      ['FILE', '/var/lib/provision/managed/web 1'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'issued',
    line: calls.issued({ dir: '/etc/k', key: '/etc/k/domain.key', names: ['a.test', 'b test'] }),
    expect: [
      ['DIR', '/R/etc/k'],
      ['KEY', '/R/etc/k/domain.key'],
      ['NAME...', ['a.test', 'b test']],
    ],
  },
  { library: 'apply.sh', builder: 'warn', line: calls.warn({ text: "it's postponed" }), expect: [['TEXT', "it's postponed"]] },
  { library: 'apply.sh', builder: 'beginPart', line: calls.beginPart(), expect: [] },
  { library: 'apply.sh', builder: 'endPart', line: calls.endPart(), expect: [] },
  {
    library: 'apply.sh',
    builder: 'removeLink',
    line: calls.removeLink({ id: 'x0', path: '/etc/a b' }),
    expect: [
      ['ID', 'x0'],
      ['PATH', '/R/etc/a b'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'removeDir',
    line: calls.removeDir({ id: 'x2', path: '/etc/d' }),
    expect: [
      ['ID', 'x2'],
      ['PATH', '/R/etc/d'],
    ],
  },
  {
    library: 'apply.sh',
    builder: 'archive',
    line: calls.archive({ id: 'x1', paths: ['/etc/k/fullchain.pem', '/etc/k/chain.pem'] }),
    expect: [
      ['ID', 'x1'],
      ['PATH...', ['/R/etc/k/fullchain.pem', '/R/etc/k/chain.pem']],
    ],
  },
  { library: 'probe.sh', builder: 'probeParent', line: calls.probeParent({ dir: '/etc/x y' }), expect: [['DIR', '/etc/x y']] },
  {
    library: 'probe.sh',
    builder: 'probeCreatedAccounts',
    line: calls.probeCreatedAccounts({ file: '/var/lib/provision/accounts' }),
    expect: [['FILE', '/var/lib/provision/accounts']],
  },
  {
    library: 'probe.sh',
    builder: 'probePendingHandlers',
    line: calls.probePendingHandlers({ file: '/var/lib/provision/pending-handlers' }),
    expect: [['FILE', '/var/lib/provision/pending-handlers']],
  },
  // shell/status.sh
  { library: 'status.sh', builder: 'statusNow', line: calls.statusNow(), expect: [] },
  {
    library: 'status.sh',
    builder: 'statusCronLine',
    line: calls.statusCronLine({ file: '/etc/cron.d/letsencrypt', word: 'letsencrypt-renew' }),
    expect: [
      ['FILE', '/R/etc/cron.d/letsencrypt'],
      ['WORD', 'letsencrypt-renew'],
    ],
  },
  {
    library: 'status.sh',
    builder: 'statusCert',
    line: calls.statusCert({ id: 'c0', dir: "/etc/ssl/it's", caFile: '' }),
    expect: [
      ['ID', 'c0'],
      ['DIR', "/R/etc/ssl/it's"],
      ['CA-FILE', ''],
    ],
  },
  {
    library: 'status.sh',
    builder: 'statusState',
    line: calls.statusState({ id: 'c1', file: '/var/lib/x y.json' }),
    expect: [
      ['ID', 'c1'],
      ['FILE', '/R/var/lib/x y.json'],
    ],
  },
  {
    library: 'status.sh',
    builder: 'statusSchedule',
    line: calls.statusSchedule({ kind: 'systemd', file: '/etc/systemd/system/a.timer', unit: 'a.timer' }),
    expect: [
      ['KIND', 'systemd'],
      ['FILE', '/R/etc/systemd/system/a.timer'],
      ['[UNIT]', ['a.timer']],
    ],
  },
  {
    library: 'status.sh',
    builder: 'statusSchedule',
    line: calls.statusSchedule({ kind: 'daily', file: '/etc/cron.d/x' }),
    expect: [
      ['KIND', 'daily'],
      ['FILE', '/R/etc/cron.d/x'],
      ['[UNIT]', []],
    ],
  },
  {
    library: 'status.sh',
    builder: 'statusServed',
    line: calls.statusServed({ id: 'e0', port: 25, starttls: 'smtp', serverName: 'mail.example.test', dir: '/etc/ssl/x y' }),
    expect: [
      ['ID', 'e0'],
      ['PORT', '25'],
      ['STARTTLS', 'smtp'],
      ['NAME', 'mail.example.test'],
      ['DIR', '/R/etc/ssl/x y'],
    ],
  },
];

/** Builders of lines that are not a call of a library function. */
const notCalls = new Set(['keepStagedTemp', 'stagedTemp', 'setCreatedAccountsFile', 'setPendingHandlersFile', 'setArchiveDir']);

for (const c of cases) {
  const name = c.line.split(' ')[0]!;
  test(`${c.builder} calls ${name} of shell/${c.library} with its documented parameters in order`, () => {
    const parameters = documentedParameters(c.library, name);
    assert.deepEqual(
      c.expect.map(([parameter]) => parameter),
      parameters,
      `the parameters documented above ${name}()`,
    );
    const words = wordsPassed(name, c.line);
    assert.deepEqual(
      words,
      c.expect.flatMap(([, value]) => value),
      c.line,
    );
    for (const [parameter, value] of c.expect) {
      if (/^[a-z]+(\|[a-z]+)+$/.test(parameter)) assert.ok(parameter.split('|').includes(value as string), `${parameter}: ${String(value)}`);
      if (parameter.startsWith('[') && isRest(parameter))
        assert.ok(restFitsAlternatives(parameter, value as string[]), `${parameter}: ${JSON.stringify(value)}`);
      if (parameter.startsWith('[') && !isRest(parameter)) assert.ok((value as string[]).length <= 1, `${parameter} is one word or none`);
      if (!parameter.startsWith('[') && !isRest(parameter)) assert.equal(typeof value, 'string', `${parameter} is one word`);
    }
  });
}

test('every builder of src/host/shell-calls.ts is checked here', () => {
  const builders = Object.entries(calls)
    .filter(([, value]) => typeof value === 'function')
    .map(([key]) => key);
  assert.deepEqual(builders.filter((b) => !notCalls.has(b)).sort(), [...new Set(cases.map((c) => c.builder))].sort());
});

test('a function reads no positional parameter beyond those documented (functions without a rest, up to a set -- or shift)', () => {
  for (const c of cases) {
    const name = c.line.split(' ')[0]!;
    const parameters = documentedParameters(c.library, name);
    if (parameters.some(isRest)) continue;
    // Up to a `set --` or `shift`: after one, the numbers name other words.
    const body = definition(c.library, name)!.body;
    const end = body.findIndex((line) => /^\s*(set --|shift)(\s|$)/.test(line));
    const read = [
      ...body
        .slice(0, end < 0 ? undefined : end)
        .join('\n')
        .matchAll(/\$\{?([1-9])/g),
    ].map((m) => Number(m[1]));
    assert.ok(Math.max(0, ...read) <= parameters.length, `${name} reads $${Math.max(...read)}, documents ${parameters.length}: ${parameters.join(' ')}`);
  }
});

test('the staged temp file of a resource is the variable the stage line keeps it in', () => {
  const run = spawnSync('sh', ['-c', `TMP=/tmp/new; ${calls.keepStagedTemp('r4')}; printf '%s' ${calls.stagedTemp('r4')}`], { encoding: 'utf8' });
  assert.equal(run.stdout, '/tmp/new');
  const files = spawnSync(
    'sh',
    ['-c', `${calls.setCreatedAccountsFile("/a b/it's")}; ${calls.setPendingHandlersFile('/p')}; printf '%s|%s' "$CREATED_ACCOUNTS" "$PENDING_HANDLERS"`],
    { encoding: 'utf8' },
  );
  assert.equal(files.stdout, "/a b/it's|/p");
  for (const variable of ['CREATED_ACCOUNTS', 'PENDING_HANDLERS'])
    assert.match(libraries['apply.sh'], new RegExp(`"\\$${variable}"`), `apply.sh reads ${variable}`);
});
