import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHostTree } from '../../../src/validate/checkers/host-tree.js';
import { exampleHost, filesOf } from './helpers.js';

test('host tree: managed paths move into the sandbox, others stay; runtime certificates and keys get placeholders', async () => {
  const work = exampleHost('web1.example.test');
  const sandbox = mkdtempSync(join(tmpdir(), 'provision-test-tree-'));
  try {
    const files = filesOf(work, (p) => p.startsWith('/etc/apache2/'));
    const tree = await buildHostTree({ host: work.host.name, vars: work.host.vars, files, csrs: [], desired: work.desired, sandbox });
    const root = join(sandbox, 'root');
    const { text, referenced } = tree.rewrite(
      [
        'SSLCertificateFile "/etc/ssl/letsencrypt/web1.example.test/fullchain.pem"',
        'ssl_key = </etc/ssl/letsencrypt/web1.example.test/domain.key',
        'smtpd_tls_chain_files = /etc/ssl/letsencrypt/a.key,/var/www/challenges/x',
        'other: /etc/ssl/letsencrypt2/x /srv/etc/ssl/letsencrypt /etc/ssl/certs/ca.pem /var/www/html',
      ].join('\n'),
    );
    assert.equal(
      text,
      [
        `SSLCertificateFile "${root}/etc/ssl/letsencrypt/web1.example.test/fullchain.pem"`,
        `ssl_key = <${root}/etc/ssl/letsencrypt/web1.example.test/domain.key`,
        `smtpd_tls_chain_files = ${root}/etc/ssl/letsencrypt/a.key,${root}/var/www/challenges/x`,
        'other: /etc/ssl/letsencrypt2/x /srv/etc/ssl/letsencrypt /etc/ssl/certs/ca.pem /var/www/html',
      ].join('\n'),
    );
    assert.deepEqual(referenced, [
      '/etc/ssl/letsencrypt/web1.example.test/fullchain.pem',
      '/etc/ssl/letsencrypt/web1.example.test/domain.key',
      '/etc/ssl/letsencrypt/a.key',
      '/var/www/challenges/x',
    ]);
    assert.equal(tree.unmap(`file '${root}/etc/ssl/x.pem' in ${sandbox}/apache2.conf`), "file '/etc/ssl/x.pem' in <sandbox>/apache2.conf");

    // The rendered site refers to the certificate and key: both exist in the sandbox now.
    assert.deepEqual(tree.placeholders.sort(), ['/etc/ssl/letsencrypt/web1.example.test/domain.key', '/etc/ssl/letsencrypt/web1.example.test/fullchain.pem']);
    assert.match(readFileSync(join(root, 'etc/ssl/letsencrypt/web1.example.test/fullchain.pem'), 'utf8'), /BEGIN CERTIFICATE/);
    assert.match(readFileSync(join(root, 'etc/ssl/letsencrypt/web1.example.test/domain.key'), 'utf8'), /PRIVATE KEY/);
    assert.ok(lstatSync(join(root, 'var/www/challenges/.well-known')).isDirectory());
    assert.ok(lstatSync(join(root, 'var/www/challenges/.well-known/acme-challenge')).isDirectory());
    assert.equal(readlinkSync(join(root, 'etc/apache2/conf-enabled/tls.conf')), '../conf-available/tls.conf');
    // Every rendered file of the host is there, with its paths rewritten.
    assert.match(
      readFileSync(join(root, 'etc/apache2/conf-available/letsencrypt.conf'), 'utf8'),
      new RegExp(`Alias /.well-known/acme-challenge "${root}/var/www/challenges/.well-known/acme-challenge"`),
    );
    assert.ok(lstatSync(join(root, 'usr/local/sbin/letsencrypt-renew')).isFile());
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
});
