// The service roles over an example-like inventory through the real CLI: several certificates, the
// placeholder certificate under a --root tree, versions stated where no host is looked at, and a
// certificate name that names no certificate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { provision, snapshot, tempInventory } from '../helpers/cli.js';

const web = 'web1.example.test';
const mail = 'mail1.example.test';
const certs = (root: string, host: string, name = host) => join(root, host, 'etc/ssl/letsencrypt', name);

test('apply under a --root tree installs a self-signed placeholder per certificate and says no CA is contacted; a re-run keeps it', () => {
  const { inventory, root } = tempInventory();
  const check = provision(['apply', inventory, '--root', root, '--check']);
  assert.equal(check.code, 0, check.stderr);
  assert.match(
    check.stdout,
    new RegExp(`^${web}: create placeholder certificate /etc/ssl/letsencrypt/${web}/fullchain\\.pem \\(self-signed until the first issuance\\)$`, 'm'),
  );
  assert.match(
    check.stdout,
    new RegExp(`^${mail}: note: no CA is contacted under a --root tree: a self-signed placeholder stands in for /etc/ssl/letsencrypt/${mail}$`, 'm'),
  );
  assert.equal(existsSync(root), false, 'check mode writes nothing');

  const first = provision(['apply', inventory, '--root', root, '--diff']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /no CA is contacted under a --root tree/);
  assert.doesNotMatch(first.stdout, /PRIVATE KEY/);
  for (const host of [web, mail]) {
    const fullchain = join(certs(root, host), 'fullchain.pem');
    const text = execFileSync('openssl', ['x509', '-in', fullchain, '-noout', '-subject', '-issuer', '-ext', 'subjectAltName', '-nameopt', 'RFC2253'], {
      encoding: 'utf8',
    });
    assert.match(text, new RegExp(`subject=CN=${host}\\nissuer=CN=${host}\\n`));
    assert.match(text, host === web ? /DNS:web1\.example\.test, DNS:www\.example\.test/ : /DNS:mail1\.example\.test, DNS:mail\.example\.test/);
    for (const name of ['signed.crt', 'chain.pem']) assert.ok(existsSync(join(certs(root, host), name)), name);
  }
  // The files the services are pointed at exist: the site's certificate and key, Postfix's and Dovecot's.
  const site = readFileSync(join(root, web, 'etc/apache2/sites-available', `${web}-ssl.conf`), 'utf8');
  for (const [, path] of site.matchAll(/SSLCertificate(?:Key)?File "([^"]+)"/g)) assert.ok(existsSync(join(root, web, path!)), path);
  const postfix = readFileSync(join(root, mail, 'etc/postfix/provision-tls.cf'), 'utf8');
  for (const path of /^smtpd_tls_chain_files = (.*)$/m.exec(postfix)![1]!.split(', ')) assert.ok(existsSync(join(root, mail, path)), path);

  const before = snapshot(root);
  const second = provision(['apply', inventory, '--root', root]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /web1\.example\.test\s+: ok=\d+ changed=0/);
  assert.doesNotMatch(second.stdout, /placeholder/);
  assert.deepEqual(snapshot(root), before, 'the placeholder is not made again');
});

test("under a --root tree the stated versions are used, not this machine's (no facts are gathered)", () => {
  const { inventory, root } = tempInventory();
  // This machine runs Dovecot 2.3 and Postfix 3.7: the tree gets what the inventory states.
  const result = provision(['apply', inventory, '--root', root, '-e', '{"dovecot_version": "2.4.1", "postfix_version": "3.3"}']);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /the host runs/);
  const dovecot = readFileSync(join(root, mail, 'etc/dovecot/conf.d/99-provision-ssl.conf'), 'utf8');
  assert.match(dovecot, /^ssl_server_cert_file = \/etc\/ssl\/letsencrypt\/mail1\.example\.test\/fullchain\.pem$/m);
  const postfix = readFileSync(join(root, mail, 'etc/postfix/provision-tls.cf'), 'utf8');
  assert.match(postfix, /^smtpd_tls_cert_file = \/etc\/ssl\/letsencrypt\/mail1\.example\.test\/fullchain\.pem$/m);
  assert.match(postfix, /^smtpd_tls_key_file = \/etc\/ssl\/letsencrypt\/mail1\.example\.test\/domain\.key$/m);
  assert.match(postfix, /^smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1\.1$/m);
  assert.doesNotMatch(postfix, /^smtpd_tls_chain_files =/m);
});

function twoCertificates(extra = '') {
  const copy = tempInventory();
  writeFileSync(
    join(copy.dir, 'host_vars/web1.example.test.yml'),
    [
      'acme_domains: [web1.example.test, www.example.test]',
      'acme_certificates:',
      '  - name: web1.example.test',
      '    domains: [web1.example.test, www.example.test]',
      '  - name: shop.example.test',
      '    domains: [shop.example.test]',
      'apache_openssl_version: "3.5.1"',
      extra,
    ].join('\n'),
  );
  return copy;
}

test('Apache serves one site per certificate, each a valid configuration, with post-quantum key exchange on OpenSSL 3.5', () => {
  const { inventory, dir } = twoCertificates();
  const out = join(dir, '..', 'out');
  assert.equal(provision(['render', inventory, '--out', out, '--limit', web]).code, 0);
  const sites = join(out, web, 'etc/apache2/sites-available');
  assert.deepEqual(readdirSync(sites).sort(), ['shop.example.test-ssl.conf', 'web1.example.test-ssl.conf']);
  const shop = readFileSync(join(sites, 'shop.example.test-ssl.conf'), 'utf8');
  assert.match(shop, /ServerName shop\.example\.test/);
  assert.match(shop, /SSLCertificateFile "\/etc\/ssl\/letsencrypt\/shop\.example\.test\/fullchain\.pem"/);
  assert.match(shop, /RedirectMatch permanent .* "https:\/\/shop\.example\.test\/\$1"/);
  assert.equal(readlinkOf(join(out, web, 'etc/apache2/sites-enabled/shop.example.test-ssl.conf')), '../sites-available/shop.example.test-ssl.conf');
  assert.match(readFileSync(join(out, web, 'etc/apache2/conf-available/tls.conf'), 'utf8'), /Curves X25519MLKEM768:X25519:prime256v1:secp384r1$/m);
  const validate = provision(['validate', '--strict', inventory]);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);

  const only = twoCertificates('apache_certificates: [shop.example.test]');
  const out2 = join(only.dir, '..', 'out');
  assert.equal(provision(['render', only.inventory, '--out', out2, '--limit', web]).code, 0);
  assert.deepEqual(readdirSync(join(out2, web, 'etc/apache2/sites-available')), ['shop.example.test-ssl.conf']);
});

function readlinkOf(path: string): string {
  return execFileSync('readlink', [path], { encoding: 'utf8' }).trim();
}

test('a certificate name that names no certificate is an error at its place in the inventory, nothing written', () => {
  const { inventory, root } = twoCertificates('apache_certificates:\n  - shop.example.test\n  - blog.example.test\n');
  const copy = tempInventory();
  writeFileSync(join(copy.dir, 'host_vars/mail1.example.test.yml'), 'acme_domains: [mail1.example.test]\ndovecot_certificate: imap.example.test\n');
  for (const [file, expected] of [
    [
      inventory,
      /host_vars\/web1\.example\.test\.yml:10:5: apache_certificates\[1\]: "blog\.example\.test" is not one of the host's certificates; acme_certificates names web1\.example\.test, shop\.example\.test \(host: web1\.example\.test\)/,
    ],
    [
      copy.inventory,
      /host_vars\/mail1\.example\.test\.yml:2:22: dovecot_certificate: "imap\.example\.test" is not one of the host's certificates; acme_certificates names mail1\.example\.test \(host: mail1\.example\.test\)/,
    ],
  ] as const) {
    const result = provision(['apply', file, '--root', root]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stderr, expected);
    assert.equal(existsSync(root), false);
  }
});
