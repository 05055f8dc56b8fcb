import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkers } from '../../../src/validate/checkers/index.js';
import type { Finding } from '../../../src/validate/checker.js';
import { csrsOf, errorsOf, exampleHost, filesOf, fingerprint, fixture, runChecker, show, withContent } from './helpers.js';

const selectors: Record<string, (path: string) => boolean> = {
  shell: (p) => p.startsWith('/etc/cron.daily/') || p.startsWith('/usr/local/sbin/'),
  apache: (p) => p.startsWith('/etc/apache2/'),
  postfix: (p) => p.endsWith('/provision-tls.cf'),
  dovecot: (p) => p.startsWith('/etc/dovecot/'),
};

test('checkers: the five names, each with its tools and Debian packages', () => {
  assert.deepEqual([...checkers.keys()], ['shell', 'apache', 'postfix', 'dovecot', 'openssl']);
  for (const [name, checker] of checkers) {
    assert.equal(checker.name, name);
    assert.ok(checker.tools.length > 0 && checker.tools.every((t) => t.command && t.package), name);
  }
});

const machineConfig = ['/etc/apache2', '/etc/postfix', '/etc/dovecot'];

test("checkers: the whole example inventory is clean, and the machine's own configuration is untouched", async (t) => {
  const before = fingerprint(machineConfig);
  const started = performance.now();
  const times: string[] = [];
  for (const name of ['web1.example.test', 'mail1.example.test'] as const) {
    const work = exampleHost(name);
    for (const [check, checker] of checkers) {
      const csrs = check === 'openssl' ? csrsOf(work) : [];
      const files = check === 'openssl' ? [] : work.desired.resources.filter((r) => r.kind === 'file' && selectors[check]!(r.path));
      if (files.length === 0 && csrs.length === 0) continue;
      const t0 = performance.now();
      const findings: Finding[] = await runChecker(checker, work, files as never, { csrs });
      times.push(`${name} ${check} ${Math.round(performance.now() - t0)} ms`);
      assert.deepEqual(errorsOf(findings), [], `${name} ${check}: ${show(findings)}`);
    }
  }
  const total = performance.now() - started;
  t.diagnostic(`${times.join(', ')}; total ${Math.round(total)} ms`);

  // Faults too: the error paths (apache and doveconf asked again, postfix check failing) stay in the sandbox.
  const web = exampleHost('web1.example.test');
  await runChecker(checkers.get('apache')!, web, [withContent(filesOf(web, selectors.apache!)[0]!, fixture('apache/unknown-directive.conf'))]);
  const mail = exampleHost('mail1.example.test');
  const [settings] = filesOf(mail, selectors.postfix!);
  await runChecker(checkers.get('postfix')!, mail, [
    withContent(settings!, `${settings!.content}ipc_timeout = soon\nqueue_directory = /var/spool/postfix\nfoo_bar = 1\n`),
  ]);
  const [snippet] = filesOf(mail, selectors.dovecot!);
  await runChecker(checkers.get('dovecot')!, mail, [withContent(snippet!, `${snippet!.content}ssl_foo = 1\nssl_bar = 2\n`)]);

  assert.equal(fingerprint(machineConfig), before, '/etc/apache2, /etc/postfix and /etc/dovecot are byte-identical');
});
