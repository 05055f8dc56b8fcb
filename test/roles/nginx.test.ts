// The nginx role as a user meets it: `provision render --out` of a web host with two certificates
// (test/fixtures/nginx), and the rendered tree checked by the REAL `nginx -t` of Debian's nginx
// package. nginx -t runs in a private mount namespace (unshare -m) where a copy of Debian's /etc/nginx
// with the rendered files laid in is mounted over /etc/nginx and a tmpfs over /etc/ssl holds
// self-signed stand-ins for the runtime files (fullchain.pem, domain.key: on a host the letsencrypt
// role's placeholder), so the machine's own /etc is never touched. Broken values must fail: the
// schema refuses an injected directive, nginx -t refuses an unknown key exchange group and a template
// edit (a roles/ directory beside the inventory overrides the built-in role).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, provision, tempInventory } from '../helpers/cli.js';

const fixtures = join(projectRoot, 'test/fixtures');
const host = 'web1.example.test';
const certificates = { 'web1.example.test': ['web1.example.test', 'www.example.test'], 'shop.example.test': ['shop.example.test'] };

/** The fixture inventory in a temp directory, with `extra` added to the host's variables. */
function inventoryWith(extra: Record<string, unknown> = {}): { dir: string; inventory: string } {
  const copy = tempInventory('nginx', fixtures);
  if (Object.keys(extra).length) {
    const lines = Object.entries(extra).map(([name, value]) => `      ${name}: ${JSON.stringify(value)}`);
    const text = readFileSync(copy.inventory, 'utf8').replace(/^(\s+provision_roles: .*)$/m, `$1\n${lines.join('\n')}`);
    writeFileSync(copy.inventory, text);
  }
  return copy;
}

function render(inventory: string): { out: string; code: number; stderr: string } {
  const out = mkdtempSync(join(tmpdir(), 'provision-nginx-'));
  const result = provision(['render', inventory, '--out', out]);
  return { out, code: result.code, stderr: result.stdout + result.stderr };
}

/**
 * The real `nginx -t` over Debian's /etc/nginx with the rendered host's etc/nginx laid in, certificates
 * made for `names` (certificate name -> DNS names) under /etc/ssl/letsencrypt. Returns its status and
 * output (nginx -t prints to stderr).
 */
function nginxTest(rendered: string, names: Record<string, string[]>): { status: number | null; output: string } {
  const sandbox = mkdtempSync(join(tmpdir(), 'provision-nginx-t-'));
  try {
    cpSync('/etc/nginx', join(sandbox, 'nginx'), { recursive: true, verbatimSymlinks: true });
    cpSync(join(rendered, host, 'etc/nginx'), join(sandbox, 'nginx'), { recursive: true, verbatimSymlinks: true });
    for (const [name, domains] of Object.entries(names)) {
      const dir = join(sandbox, 'ssl/letsencrypt', name);
      mkdirSync(dir, { recursive: true });
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          join(dir, 'domain.key'),
          '-out',
          join(dir, 'fullchain.pem'),
          '-days',
          '1',
          '-subj',
          `/CN=${domains[0]}`,
          '-addext',
          `subjectAltName=${domains.map((d) => `DNS:${d}`).join(',')}`,
        ],
        { stdio: 'pipe' },
      );
    }
    const script = [
      'set -e',
      'mount --bind "$1/nginx" /etc/nginx',
      'mount -t tmpfs -o mode=0755 tmpfs /etc/ssl',
      'cp -a "$1/ssl/." /etc/ssl/',
      'exec nginx -t',
    ].join('\n');
    const run = spawnSync('unshare', ['-m', '--', 'sh', '-c', script, 'sh', sandbox], { encoding: 'utf8', timeout: 30_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

test('the nginx role renders one HTTPS server block per certificate, with the full chain, HSTS and a port-80 redirect that spares the challenge', () => {
  const { out, code, stderr } = render(inventoryWith().inventory);
  try {
    assert.equal(code, 0, stderr);
    const conf = join(out, host, 'etc/nginx');
    assert.deepEqual(readdirSync(join(conf, 'sites-available')).sort(), ['shop.example.test-ssl.conf', 'web1.example.test-ssl.conf']);
    assert.deepEqual(readdirSync(join(conf, 'sites-enabled')).sort(), ['shop.example.test-ssl.conf', 'web1.example.test-ssl.conf']);
    assert.deepEqual(readdirSync(join(conf, 'snippets')).sort(), ['letsencrypt.conf', 'tls.conf']);
    for (const [name, domains] of Object.entries(certificates)) {
      assert.equal(readlinkSync(join(conf, 'sites-enabled', `${name}-ssl.conf`)), `../sites-available/${name}-ssl.conf`);
      const site = readFileSync(join(conf, 'sites-available', `${name}-ssl.conf`), 'utf8');
      const [https, http] = site.split(/^(?=server \{)/m).filter((block) => block.startsWith('server {'));
      assert.ok(https && http, `two server blocks in ${name}-ssl.conf:\n${site}`);
      assert.match(https, /^\tlisten 443 ssl http2;$/m, 'Debian 12 nginx (1.22): http2 is a listen parameter');
      assert.match(https, new RegExp(`^\\tserver_name ${domains.join(' ').replace(/\./g, '\\.')};$`, 'm'));
      assert.match(
        https,
        new RegExp(`^\\tssl_certificate "/etc/ssl/letsencrypt/${name.replace(/\./g, '\\.')}/fullchain\\.pem";$`, 'm'),
        'the full chain, not signed.crt',
      );
      assert.match(https, new RegExp(`^\\tssl_certificate_key "/etc/ssl/letsencrypt/${name.replace(/\./g, '\\.')}/domain\\.key";$`, 'm'));
      assert.match(https, /^\tinclude "\/etc\/nginx\/snippets\/tls\.conf";$/m);
      assert.match(https, /^\tadd_header Strict-Transport-Security "max-age=63072000" always;$/m);
      assert.match(http, /^\tlisten 80;$/m);
      assert.match(http, /^\tinclude "\/etc\/nginx\/snippets\/letsencrypt\.conf";$/m, 'the challenge is answered on port 80');
      assert.match(http, new RegExp(`return 301 "https://${domains[0]!.replace(/\./g, '\\.')}\\$request_uri";`));
    }
    const challenge = readFileSync(join(conf, 'snippets/letsencrypt.conf'), 'utf8');
    assert.match(
      challenge,
      /^location \^~ \/\.well-known\/acme-challenge\/ \{\n\talias "\/var\/www\/challenges\/\.well-known\/acme-challenge\/";$/m,
      'the leaf acme-tiny writes to',
    );
    const tls = readFileSync(join(conf, 'snippets/tls.conf'), 'utf8');
    assert.match(tls, /^ssl_protocols TLSv1\.2 TLSv1\.3;$/m);
    assert.match(
      tls,
      /^ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;$/m,
    );
    assert.match(tls, /^ssl_prefer_server_ciphers off;$/m);
    assert.match(tls, /^ssl_ecdh_curve X25519:prime256v1:secp384r1;$/m);
    assert.match(tls, /^ssl_session_timeout 1d;$/m);
    assert.match(tls, /^ssl_session_tickets off;$/m);
    for (const file of ['snippets/letsencrypt.conf', 'snippets/tls.conf', 'sites-available/web1.example.test-ssl.conf']) {
      assert.doesNotMatch(
        readFileSync(join(conf, file), 'utf8'),
        /ssl_stapling|ssl_trusted_certificate|ssl_dhparam/,
        `${file}: no OCSP stapling, no dhparam (tls-facts.md)`,
      );
    }

    const checked = nginxTest(out, certificates);
    assert.equal(checked.status, 0, checked.output);
    assert.match(checked.output, /syntax is ok/);
    assert.match(checked.output, /test is successful/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("nginx_certificates picks the certificates served; a name that is not one of the host's is an error", () => {
  const one = render(inventoryWith({ nginx_certificates: ['shop.example.test'], nginx_http_redirect: false }).inventory);
  try {
    assert.equal(one.code, 0, one.stderr);
    const conf = join(one.out, host, 'etc/nginx');
    assert.deepEqual(readdirSync(join(conf, 'sites-available')), ['shop.example.test-ssl.conf']);
    assert.deepEqual(readdirSync(join(conf, 'sites-enabled')), ['shop.example.test-ssl.conf']);
    assert.doesNotMatch(
      readFileSync(join(conf, 'sites-available/shop.example.test-ssl.conf'), 'utf8'),
      /listen 80/,
      'no port-80 block without nginx_http_redirect',
    );
    const checked = nginxTest(one.out, { 'shop.example.test': certificates['shop.example.test'] });
    assert.equal(checked.status, 0, checked.output);
  } finally {
    rmSync(one.out, { recursive: true, force: true });
  }
  const unknown = render(inventoryWith({ nginx_certificates: ['nope.example.test'] }).inventory);
  rmSync(unknown.out, { recursive: true, force: true });
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /nginx_certificates.*"nope\.example\.test" is not one of the host's certificates; acme_certificates names web1\.example\.test, shop\.example\.test/,
  );
});

test('nginx 1.25.1 and later get `http2 on;` instead of the deprecated listen parameter', () => {
  const newer = render(inventoryWith({ nginx_version: '1.26.3' }).inventory);
  try {
    assert.equal(newer.code, 0, newer.stderr);
    const site = readFileSync(join(newer.out, host, 'etc/nginx/sites-available/web1.example.test-ssl.conf'), 'utf8');
    assert.match(site, /^\tlisten 443 ssl;$/m);
    assert.match(site, /^\thttp2 on;$/m);
    // The installed nginx is Debian 12's 1.22: it does not know the directive, so its own test says
    // the version switch matters.
    const checked = nginxTest(newer.out, certificates);
    assert.notEqual(checked.status, 0);
    assert.match(checked.output, /unknown directive "http2"/);
  } finally {
    rmSync(newer.out, { recursive: true, force: true });
  }
});

test('broken values fail: the schema refuses an injected directive, the real nginx -t an unknown group and a broken template', () => {
  const injected = render(inventoryWith({ nginx_tls_curves: 'X25519; include /etc/shadow' }).inventory);
  rmSync(injected.out, { recursive: true, force: true });
  assert.equal(injected.code, 1);
  assert.match(injected.stderr, /nginx_tls_curves: "X25519; include \/etc\/shadow" is not a colon-separated list of group names/);
  const notAnInteger = render(inventoryWith({ nginx_hsts_max_age: '2 years' }).inventory);
  rmSync(notAnInteger.out, { recursive: true, force: true });
  assert.equal(notAnInteger.code, 1);
  assert.match(notAnInteger.stderr, /nginx_hsts_max_age/);

  // A group name OpenSSL does not know passes the schema's shape; nginx -t is what catches it.
  const unknownGroup = render(inventoryWith({ nginx_tls_curves: 'X25519:nosuchgroup' }).inventory);
  try {
    assert.equal(unknownGroup.code, 0, unknownGroup.stderr);
    const checked = nginxTest(unknownGroup.out, certificates);
    assert.notEqual(checked.status, 0, checked.output);
    assert.match(checked.output, /X25519:nosuchgroup/);
    assert.match(checked.output, /test failed/);
  } finally {
    rmSync(unknownGroup.out, { recursive: true, force: true });
  }

  // The role overridden by a copy beside the inventory whose TLS snippet has a typo.
  const { dir, inventory } = inventoryWith();
  cpSync(join(projectRoot, 'roles/nginx'), join(dir, 'roles/nginx'), { recursive: true });
  const template = join(dir, 'roles/nginx/templates/tls.conf.njk');
  writeFileSync(template, readFileSync(template, 'utf8').replace('ssl_session_tickets off;', 'ssl_session_tickets of;'));
  const edited = render(inventory);
  try {
    assert.equal(edited.code, 0, edited.stderr);
    const checked = nginxTest(edited.out, certificates);
    assert.notEqual(checked.status, 0, checked.output);
    assert.match(checked.output, /invalid value "of" in "ssl_session_tickets" directive.* in \/etc\/nginx\/snippets\/tls\.conf:\d+/);
  } finally {
    rmSync(edited.out, { recursive: true, force: true });
  }
});
