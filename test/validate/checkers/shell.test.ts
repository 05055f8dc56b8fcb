import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shellChecker, dialectOf } from '../../../src/validate/checkers/shell.js';
import { errorsOf, exampleHost, filesOf, fixture, runChecker, show, withContent } from './helpers.js';

const isScript = (path: string) => path.startsWith('/etc/cron.daily/') || path.startsWith('/usr/local/sbin/');

test('shell: the example inventory renders scripts that sh -n and ShellCheck accept', async () => {
  for (const name of ['web1.example.test', 'mail1.example.test'] as const) {
    const work = exampleHost(name);
    const findings = await runChecker(shellChecker, work, filesOf(work, isScript));
    assert.deepEqual(findings, [], show(findings));
  }
});

test('shell: a syntax error is reported by sh -n with its line', async () => {
  const work = exampleHost('web1.example.test');
  const [renew] = filesOf(work, isScript);
  const broken = withContent(renew!, fixture('shell/syntax-error.sh'));
  const findings = await runChecker(shellChecker, work, [broken]);
  const fromSh = findings.filter((f) => f.message.startsWith('sh -n:'));
  assert.equal(fromSh.length, 1, show(findings));
  assert.equal(fromSh[0]!.path, renew!.path);
  assert.equal(fromSh[0]!.line, 5);
  assert.match(fromSh[0]!.message, /"done" unexpected/);
  assert.equal(fromSh[0]!.severity, 'error');
});

test('shell: a ShellCheck finding (unquoted $1) is an error at its line', async () => {
  const work = exampleHost('mail1.example.test');
  const files = filesOf(work, isScript);
  const target = files.find((f) => f.path === '/usr/local/sbin/provision-postfix-tls')!;
  const findings = await runChecker(
    shellChecker,
    work,
    files.map((f) => (f === target ? withContent(f, fixture('shell/unquoted-argument.sh')) : f)),
  );
  assert.deepEqual(
    findings.map((f) => ({ path: f.path, line: f.line, severity: f.severity, code: /\[(SC\d+)\]/.exec(f.message)?.[1] })),
    [{ path: target.path, line: 4, severity: 'error', code: 'SC2086' }],
    show(findings),
  );
});

test('shell: an executable script without #! is an error; bash scripts are parsed as bash', async () => {
  const work = exampleHost('web1.example.test');
  const [renew] = filesOf(work, isScript);
  const noShebang = withContent(renew!, 'echo hello\n');
  const bashScript = withContent(renew!, '#!/usr/bin/env bash\nset -euo pipefail\nnames=(a b)\necho "${names[@]}"\n', '/usr/local/sbin/bash-script');
  assert.equal(dialectOf(bashScript.content), 'bash');
  const findings = await runChecker(shellChecker, work, [noShebang, bashScript]);
  assert.deepEqual(
    errorsOf(findings).map((f) => [f.path, f.line]),
    [[renew!.path, 1]],
    show(findings),
  );
  assert.match(findings[0]!.message, /#!/);
});
