import { test } from 'node:test';
import assert from 'node:assert/strict';
import { postfixChecker, protocolListProblems } from '../../../src/validate/checkers/postfix.js';
import { errorsOf, exampleHost, filesOf, lineOf, runChecker, show, withContent } from './helpers.js';

const isSettings = (path: string) => path.endsWith('/provision-tls.cf');

test('postfix: the example mail server settings are accepted', async () => {
  const work = exampleHost('mail1.example.test');
  const findings = await runChecker(postfixChecker, work, filesOf(work, isSettings));
  assert.deepEqual(errorsOf(findings), [], show(findings));
});

test('postfix: a bad value and an unknown parameter name are errors at their lines', async () => {
  const work = exampleHost('mail1.example.test');
  const [settings] = filesOf(work, isSettings);
  const content = settings!.content
    .replace('smtpd_tls_security_level = may', 'smtpd_tls_security_level = mandatory')
    .replace('tls_preempt_cipherlist = no', 'tls_preempt_cipherlist = no\nsmtpd_tls_chain_file = /etc/ssl/letsencrypt/mail1.example.test/fullchain.pem');
  const broken = withContent(settings!, content);
  const findings = await runChecker(postfixChecker, work, [broken]);
  assert.deepEqual(
    errorsOf(findings).map((f) => [f.path, f.line]),
    [
      [broken.path, lineOf(content, 'smtpd_tls_security_level')],
      [broken.path, lineOf(content, 'smtpd_tls_chain_file ')],
    ],
    show(findings),
  );
  assert.match(errorsOf(findings)[0]!.message, /"mandatory" is not a TLS security level/);
  assert.match(errorsOf(findings)[1]!.message, /unknown Postfix parameter smtpd_tls_chain_file/);
});

test('postfix: values only the daemons read, and what postfix check finds', async () => {
  const work = exampleHost('mail1.example.test');
  const [settings] = filesOf(work, isSettings);
  const content = [
    'smtpd_tls_mandatory_ciphers = strong',
    'smtp_tls_protocols = >=TLSv1.4',
    'tls_preempt_cipherlist = maybe',
    'tls_medium_cipherlist = NO-SUCH-CIPHER',
    'smtpd_tls_chain_files = /etc/ssl/letsencrypt/mail1.example.test/fullchain.pem, /etc/ssl/letsencrypt/mail1.example.test/domain.key',
    'ipc_timeout = soon',
    'smtpd_tls_loglevel=1',
    '',
  ].join('\n');
  const findings = await runChecker(postfixChecker, work, [withContent(settings!, content)]);
  const byLine = new Map(errorsOf(findings).map((f) => [f.line, f.message]));
  assert.match(byLine.get(1) ?? '', /"strong" is not a cipher grade/, show(findings));
  assert.match(byLine.get(2) ?? '', /unknown protocol ">=TLSv1.4"/);
  assert.match(byLine.get(3) ?? '', /"maybe" is not a boolean/);
  assert.match(byLine.get(4) ?? '', /OpenSSL accepts no cipher/);
  assert.match(byLine.get(5) ?? '', /private key/);
  if (process.getuid?.() === 0) assert.match(byLine.get(6) ?? '', /postfix check: .*ipc_timeout/);
  assert.match(byLine.get(7) ?? '', /not a "name = value" line/);
});

test('postfix: protocol lists', () => {
  assert.deepEqual(protocolListProblems('>=TLSv1.2'), { errors: [], warnings: [] });
  assert.deepEqual(protocolListProblems('!SSLv2, !SSLv3'), { errors: [], warnings: [] });
  assert.deepEqual(protocolListProblems('>=TLSv1.2, <=TLSv1.3'), { errors: [], warnings: [] });
  assert.equal(protocolListProblems('TLSv1.5').errors.length, 1);
  assert.equal(protocolListProblems('!TLSv9').warnings.length, 1);
  assert.equal(protocolListProblems('>=TLSv1.2 >=TLSv1.3').errors.length, 1);
});
