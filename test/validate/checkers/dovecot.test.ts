import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dovecotChecker, familyOf } from '../../../src/validate/checkers/dovecot.js';
import { runTool } from '../../../src/validate/checkers/run-tool.js';
import { errorsOf, exampleHost, filesOf, lineOf, runChecker, show, withContent } from './helpers.js';

const isDovecot = (path: string) => path.startsWith('/etc/dovecot/');

async function installedFamily(): Promise<string> {
  const result = await runTool({ command: '/usr/sbin/dovecot', package: 'dovecot-core' }, ['--version']);
  return familyOf(result.stdout);
}

test('dovecot: the example 2.3 snippet passes doveconf, and the 2.4 one the check this machine can make', async () => {
  for (const version of ['2.3', '2.4']) {
    const work = exampleHost('mail1.example.test', [`dovecot_version=${version}`]);
    const findings = await runChecker(dovecotChecker, work, filesOf(work, isDovecot));
    assert.deepEqual(errorsOf(findings), [], `${version}: ${show(findings)}`);
  }
});

test('dovecot: an unknown setting in a 2.3 configuration is an error at its line', async () => {
  const work = exampleHost('mail1.example.test');
  const [snippet] = filesOf(work, isDovecot);
  const content = snippet!.content.replace('ssl_min_protocol = TLSv1.2', 'ssl_min_protocol = TLSv1.2\nssl_minimum_protocol = TLSv1.2');
  const findings = await runChecker(dovecotChecker, work, [withContent(snippet!, content)]);
  assert.deepEqual(
    errorsOf(findings).map((f) => [f.path, f.line]),
    [[snippet!.path, lineOf(content, 'ssl_minimum_protocol')]],
    show(findings),
  );
  assert.match(errorsOf(findings)[0]!.message, /Unknown setting: ssl_minimum_protocol/);
});

test('dovecot: a 2.3 setting in a 2.4 configuration is an error with the 2.4 name', async () => {
  const work = exampleHost('mail1.example.test', ['dovecot_version=2.4']);
  const [snippet] = filesOf(work, isDovecot);
  assert.match(snippet!.content, /ssl_server_cert_file = /);
  const content = snippet!.content.replace(/^ssl_server_cert_file = (.*)$/m, 'ssl_cert = <$1');
  const findings = await runChecker(dovecotChecker, work, [withContent(snippet!, content)]);
  const errors = errorsOf(findings);
  assert.equal(errors.length, 1, show(findings));
  assert.equal(errors[0]!.path, snippet!.path);
  assert.equal(errors[0]!.line, lineOf(content, 'ssl_cert = <'));
  assert.match(errors[0]!.message, /ssl_server_cert_file/);
  if ((await installedFamily()) === '2.3') {
    const notice = findings.filter((f) => f.severity === 'warning' && /doveconf 2\.4|dovecot-core 2\.4/.test(f.message));
    assert.equal(notice.length, 1, `one warning that the full check needs doveconf 2.4: ${show(findings)}`);
  }
});

test('dovecot: values doveconf does not check', async () => {
  const work = exampleHost('mail1.example.test');
  const [snippet] = filesOf(work, isDovecot);
  const content = snippet!.content.replace('ssl_min_protocol = TLSv1.2', 'ssl_min_protocol = TLSv1.4').replace(/^ssl_key = <(.*)$/m, 'ssl_key = $1');
  const findings = await runChecker(dovecotChecker, work, [withContent(snippet!, content)]);
  assert.deepEqual(
    errorsOf(findings).map((f) => f.line),
    [lineOf(content, 'ssl_key = '), lineOf(content, 'ssl_min_protocol')].sort((a, b) => a - b),
    show(findings),
  );
});
