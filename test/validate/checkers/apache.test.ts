import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apacheChecker, parseApacheError } from '../../../src/validate/checkers/apache.js';
import { errorsOf, exampleHost, filesOf, fixture, lineOf, runChecker, show, withContent } from './helpers.js';

const isApache = (path: string) => path.startsWith('/etc/apache2/');

test('apache: the example web server configuration passes apache2 -t', async () => {
  const work = exampleHost('web1.example.test');
  const files = filesOf(work, isApache);
  assert.equal(files.length, 3);
  const findings = await runChecker(apacheChecker, work, files);
  assert.deepEqual(errorsOf(findings), [], show(findings));
});

test('apache: an unknown directive is found at its line, and the next error after it', async () => {
  const work = exampleHost('web1.example.test');
  const content = fixture('apache/unknown-directive.conf');
  const broken = withContent(filesOf(work, isApache)[0]!, content, '/etc/apache2/sites-available/broken.conf');
  const findings = await runChecker(apacheChecker, work, [...filesOf(work, isApache), broken]);
  const errors = errorsOf(findings);
  assert.deepEqual(
    errors.map((f) => [f.path, f.line]),
    [
      [broken.path, lineOf(content, 'SSLCertificateKeyFiel')],
      [broken.path, lineOf(content, '+TLSv9')],
    ],
    show(findings),
  );
  assert.match(errors[0]!.message, /Invalid command 'SSLCertificateKeyFiel'/);
  assert.match(errors[1]!.message, /SSLProtocol/);
  assert.ok(!errors.some((f) => f.message.includes('provision-test-')), 'messages name host paths, not the sandbox');
});

test('apache: a certificate path outside what the host manages is reported with the host path', async () => {
  const work = exampleHost('web1.example.test');
  const site = filesOf(work, (p) => p.includes('/sites-available/'))[0]!;
  const content = site.content.replace(
    'SSLCertificateKeyFile "/etc/ssl/letsencrypt/web1.example.test/domain.key"',
    'SSLCertificateKeyFile "/etc/ssl/elsewhere/domain.key"',
  );
  const findings = await runChecker(apacheChecker, work, [withContent(site, content)]);
  assert.deepEqual(
    errorsOf(findings).map((f) => [f.path, f.line]),
    [[site.path, lineOf(content, '/etc/ssl/elsewhere/')]],
    show(findings),
  );
  assert.match(errorsOf(findings)[0]!.message, /'\/etc\/ssl\/elsewhere\/domain\.key' does not exist/);
});

test('apache: nested include errors name the innermost file and line', () => {
  const parsed = parseApacheError(
    'apache2: Syntax error on line 15 of /s/apache2.conf: Syntax error on line 1 of /s/root/x.conf: /s/root/x.conf:1: <VirtualHost> was not closed.',
  );
  assert.deepEqual(parsed, { file: '/s/root/x.conf', line: 1, message: '<VirtualHost> was not closed.' });
  const two = parseApacheError("AH00526: Syntax error on line 5 of /s/root/y.conf:\nInvalid command 'Foo', perhaps misspelled");
  assert.deepEqual(two, { file: '/s/root/y.conf', line: 5, message: "Invalid command 'Foo', perhaps misspelled" });
});
