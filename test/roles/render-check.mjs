// Check of the built-in roles (run: node --import tsx test/roles/render-check.mjs [outdir]).
// Loads roles/ with the project's own loader, validates sample host variables against each role's
// schema, renders every resource with the project's renderer (strict undefined), writes the files
// under outdir, and lints them: shellcheck -s sh and sh -n for scripts, the header line, forbidden
// outdated words. Prints "N passed, M failed" and exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.ts';
import { prepareRenderers, renderHost } from '../../src/render/render-host.ts';
import { formatProblem } from '../../src/model/errors.ts';
import { templateVars } from '../../src/resolve/template-vars.ts';

const root = resolve(import.meta.dirname, '../..');
// Without an outdir, a fresh private one: a fixed /tmp name would race with another run of this check.
const outDir = process.argv[2] ? resolve(process.argv[2]) : mkdtempSync(join(tmpdir(), 'provision-render-check-'));
if (process.argv[2]) rmSync(outDir, { recursive: true, force: true });

const scenarios = {
  web: {
    provision_roles: ['letsencrypt', 'apache'],
    acme_domains: ['www.example.test', 'example.test'],
    acme_services: ['apache2'],
  },
  'mail-2.3': {
    provision_roles: ['letsencrypt', 'postfix', 'dovecot'],
    acme_domains: ['mail.example.test'],
    acme_contact: ['mailto:hostmaster@example.test', 'mailto:ops@example.test'],
    acme_tiny_version: '5.0.2', // the contacts are passed (5.0.1 gets none)
    acme_key_type: 'ec256',
    acme_retries: 0,
    acme_renew_before: 20,
    acme_firewall: 'iptables',
    acme_interfaces: ['eth0', 'wg0.1'],
    acme_http_port: 5002,
    acme_disable_check: true,
    acme_ca_file: '/etc/ssl/pebble-root.pem',
    acme_directory_url: 'https://127.0.0.1:14000/dir',
    acme_country: 'SE',
    acme_organization: "O'Reilly & Sons $HOME `x`",
    dovecot_version: '2.3',
  },
  'mail-2.4': {
    provision_roles: ['letsencrypt', 'postfix', 'dovecot'],
    acme_domains: ['mx1.example.test', 'smtp.example.test', 'imap.example.test'],
    acme_services: ['exim4', 'postfix'],
    acme_schedule: 'systemd',
    acme_nft_chain: 'ip filter INPUT',
    acme_directory_url: 'staging',
    dovecot_version: '2.4.1',
    dovecot_ssl: 'yes',
    postfix_smtp_tls_security_level: 'dane',
  },
  // Two certificates, Apache serving one; OpenSSL 3.5 (post-quantum key exchange).
  'web-two-certificates': {
    provision_roles: ['letsencrypt', 'apache'],
    acme_domains: ['www.example.test'],
    acme_certificates: [
      { name: 'www.example.test', domains: ['www.example.test', 'example.test'] },
      { name: 'shop.example.test', domains: ['shop.example.test'] },
    ],
    apache_certificates: ['shop.example.test'],
    apache_openssl_version: '3.5.1',
  },
  // Postfix before 3.4 (cert_file/key_file) and 3.6 (excluded-protocol lists), the second certificate.
  'mail-old-postfix': {
    provision_roles: ['letsencrypt', 'postfix', 'dovecot'],
    acme_domains: ['mail.example.test'],
    acme_certificates: [
      { name: 'mail.example.test', domains: ['mail.example.test'] },
      { name: 'imap.example.test', domains: ['imap.example.test'] },
    ],
    postfix_version: '3.3.2',
    dovecot_certificate: 'imap.example.test',
  },
  // Several certificates, no acme_domains; per-certificate key types and services.
  everything: {
    provision_roles: ['letsencrypt', 'apache', 'postfix', 'dovecot'],
    acme_certificates: [
      { name: 'host.example.test', domains: ['host.example.test'] },
      { name: 'mail.example.test', domains: ['mail.example.test', 'imap.example.test'], key_type: 'ec384', services: ['exim4'] },
      { name: 'shop.example.test', domains: ['shop.example.test'], key_type: 'rsa4096', services: [] },
    ],
    acme_services: ['nginx'],
    acme_schedule: 'monthly',
    acme_firewall: 'none',
    apache_server_admin: 'webmaster@example.test',
    apache_http_redirect: false,
    apache_hsts_max_age: 0,
  },
};

// Values every role should reject; each must produce at least one schema error.
const invalid = [
  { acme_domains: ['*.example.test'] },
  { acme_domains: [] },
  { acme_certs_dir: '/etc/ssl/../x' },
  { acme_certs_dir: '/etc/ssl/with space' },
  { acme_contact: ['hostmaster@example.test'] },
  { acme_tiny_version: 'latest' },
  { acme_tiny_version: 5.1 },
  { acme_key_type: 'rsa1024' },
  { acme_nft_chain: 'filter input' },
  { acme_schedule: 'weekly' },
  { acme_firewall: 'ufw' },
  { acme_interfaces: ['eth0; reboot'] },
  { acme_interfaces: ['averyveryverylongname'] },
  { acme_directory_url: 'http://acme.example.test/directory' },
  { acme_directory_url: 'Staging' },
  { acme_renew_before: 0 },
  { acme_retries: 6 },
  { acme_retry_delay: 0 },
  { acme_certificates: [] },
  { acme_certificates: [{ name: 'a.example.test', domains: ['a.example.test'], key_type: 'dsa' }] },
  { acme_certificates: [{ name: 'a.example.test', domains: ['a.example.test'], services: ['x; reboot'] }] },
  { acme_certificates: [{ name: 'a.example.test', domains: ['a.example.test'], reload: ['x'] }] },
  { acme_certificates: [{ name: '../etc', domains: ['a.example.test'] }] },
  {
    acme_certificates: [
      { name: 'a.example.test', domains: ['a.example.test'] },
      { name: 'a.example.test', domains: ['b.example.test'] },
    ],
  },
  { acme_services: ['apache2; reboot'] },
  { dovecot_version: 2.4 },
  { apache_server_admin: 'not an address' },
  { postfix_smtpd_tls_security_level: 'verify' },
  { apache_tls_curves: 'X25519MLKEM768:X25519' },
  { apache_version: '2.2.34' },
  { postfix_version: 'latest' },
];

// Outdated things that must not appear in generated files (written so this file does not contain them).
const forbidden = [/X[3]/, /SSLUse[S]tapling/, /SSL[S]tapling/, /Simple[H]TTPServer/, /p[k]ill/, /SSLCertificate[C]hainFile\s+\S/, /smtpd_tls_[C]Afile/];

let passed = 0;
let failed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAIL ${what}${detail ? `\n${detail}` : ''}`);
  }
}

function run(command, args) {
  try {
    execFileSync(command, args, { stdio: 'pipe', encoding: 'utf8' });
    return '';
  } catch (error) {
    return `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error);
  }
}

const { roles, problems } = loadRoles([join(root, 'roles')]);
check(problems.length === 0, 'roles load', problems.map(formatProblem).join('\n'));
check(
  ['letsencrypt', 'apache', 'postfix', 'dovecot'].every((r) => roles.has(r)),
  'all four roles found',
);
const renderers = prepareRenderers(roles.values());

function hostVars(host, vars) {
  const merged = {};
  for (const name of vars.provision_roles) Object.assign(merged, roles.get(name).defaults);
  // As provision does: defaults that are expressions ("{{ ... }}") are resolved before anything else.
  const { vars: templated, errors } = templateVars({ ...merged, ...vars, inventory_hostname: host, group_names: ['all'] });
  check(errors.length === 0, `${host}: variables template`, errors.map((e) => `${e.variable}: ${e.error.message}`).join('\n'));
  return templated;
}

for (const [host, vars] of Object.entries(scenarios)) {
  const context = hostVars(host, vars);
  for (const name of vars.provision_roles) {
    const role = roles.get(name);
    for (const required of role.manifest.requires ?? []) check(vars.provision_roles.includes(required), `${host}: ${name} requires ${required}`);
    const own = Object.fromEntries(Object.entries(context).filter(([k]) => k.startsWith(role.manifest.prefix)));
    const ok = role.validateVariables(own);
    check(ok, `${host}: ${name} variables valid`, JSON.stringify(role.validateVariables.errors, null, 2));
    for (const variable of Object.keys(role.defaults)) check(role.knownVariables.has(variable), `${host}: ${name} default ${variable} declared`);
  }
  const { state, problems: renderProblems } = renderHost(host, vars.provision_roles, context, renderers);
  check(renderProblems.length === 0, `${host}: renders`, renderProblems.map(formatProblem).join('\n'));
  for (const resource of state.resources) {
    if (resource.kind !== 'file') continue;
    const file = join(outDir, host, resource.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, resource.content);
    const lines = resource.content.split('\n');
    const headerLine = lines[0].startsWith('#!') ? lines[1] : lines[0];
    check(/^# Managed by provision \(role [a-z]+\)\. Do not edit/.test(headerLine), `${host}: ${resource.path} header`, headerLine);
    check(resource.content.endsWith('\n') && !resource.content.endsWith('\n\n'), `${host}: ${resource.path} ends with one newline`);
    check(!/[ \t]$/m.test(resource.content), `${host}: ${resource.path} has no trailing blanks`);
    for (const word of forbidden) check(!word.test(resource.content), `${host}: ${resource.path} does not match ${word}`);
    if (resource.content.startsWith('#!/bin/sh')) {
      const findings = run('shellcheck', ['-s', 'sh', file]);
      check(findings === '', `${host}: shellcheck -s sh ${resource.path}`, findings);
      // The optional checks too, but for those that flag deliberate style: functions called in
      // conditions (set -e is off there by design, every step checks its status), braces, $(...) in args.
      const optional = run('shellcheck', ['-s', 'sh', '-o', 'all', '-e', 'SC2310,SC2250,SC2248,SC2312', file]);
      check(optional === '', `${host}: shellcheck -s sh -o all ${resource.path}`, optional);
      check(run('dash', ['-n', file]) === '', `${host}: dash -n ${resource.path}`);
      check(run('bash', ['--posix', '-n', file]) === '', `${host}: bash --posix -n ${resource.path}`);
      if (resource.validate) check(run('sh', ['-c', resource.validate.replace('%s', `'${file}'`)]) === '', `${host}: validate ${resource.path}`);
    }
  }
  for (const handler of state.handlers) {
    const file = join(outDir, host, 'handlers', handler.name.replace(/ /g, '-'));
    mkdirSync(dirname(file), { recursive: true });
    // A reload step is a checked service name run by the shared reload_service; commands are shell.
    writeFileSync(
      file,
      `#!/bin/sh\n${handler.steps
        .filter((step) => step.kind === 'command')
        .map((step) => step.command)
        .join('\n')}\n`,
    );
    check(run('shellcheck', ['-s', 'sh', file]) === '', `${host}: handler ${handler.name} is clean sh`, run('shellcheck', ['-s', 'sh', file]));
  }
  // The systemd schedule: systemd-analyze verify the units as systemd would load them (a private
  // /usr/local/sbin holds the script they start, so the machine's own stays untouched).
  const timer = state.resources.find((r) => r.kind === 'file' && r.path.endsWith('.timer'));
  if (timer) {
    const units = join(outDir, host, 'etc/systemd/system');
    const script = join(outDir, host, 'usr/local/sbin/letsencrypt-renew');
    const verify = `mount -t tmpfs tmpfs /usr/local/sbin && install -m 0750 '${script}' /usr/local/sbin/ && cd '${units}' && systemd-analyze verify ./letsencrypt-renew.service ./letsencrypt-renew.timer`;
    check(
      run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', verify]) === '',
      `${host}: systemd-analyze verify the renewal service and timer`,
      run('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', verify]),
    );
  }
  const json = join(outDir, host, 'desired-state.json');
  writeFileSync(
    json,
    JSON.stringify({ ...state, resources: state.resources.map((r) => (r.kind === 'file' ? { ...r, content: `(${r.content.length} chars)` } : r)) }, null, 2),
  );
}

for (const bad of invalid) {
  const [variable] = Object.keys(bad);
  const role = [...roles.values()].find((r) => variable.startsWith(r.manifest.prefix));
  const base = Object.fromEntries(Object.entries(hostVars('x', scenarios.everything)).filter(([k]) => k.startsWith(role.manifest.prefix)));
  check(!role.validateVariables({ ...base, ...bad }), `rejects ${JSON.stringify(bad)}`);
}

if (process.argv[2] || failed > 0) console.log(`rendered into ${outDir}`);
else rmSync(outDir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
