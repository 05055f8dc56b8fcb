// A certificate renamed on a mail host, planned with the real roles: Postfix's and Dovecot's TLS
// settings name the new certificate's files, so they are put in place only once the new certificate
// is issued (role.yml `certificate:`, src/plan/renames.ts). With the CA refusing, the daemons keep the
// settings that name the old certificate, which stays in place: they never present the placeholder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ActualState, Observed, WasState } from '../../src/model/actual.js';
import type { DesiredState } from '../../src/model/desired.js';
import { formatRecord } from '../../src/model/managed-record.js';
import type { RecordEntry } from '../../src/model/managed-record.js';
import { loadRoles } from '../../src/load/load-roles.js';
import { prepareRenderers, renderHost } from '../../src/render/render-host.js';
import { templateVars } from '../../src/resolve/template-vars.js';
import { planHost } from '../../src/plan/plan-host.js';
import { applyScript } from '../../src/apply/apply-script.js';
import { assertShellcheckClean } from '../helpers/shellcheck.js';
import { projectRoot } from '../helpers/cli.js';

const { roles, problems } = loadRoles([join(projectRoot, 'roles')]);
assert.deepEqual(problems, []);
const renderers = prepareRenderers(roles.values());
const host = 'mail1.example.test';
const mailRoles = ['letsencrypt', 'postfix', 'dovecot'];

/** The host's desired state with `hostRoles`, the mail roles using certificate `name` for mail.example.test. */
function desiredWith(name: string, hostRoles = mailRoles): DesiredState {
  const defaults = Object.assign({}, ...hostRoles.map((r) => roles.get(r)!.defaults));
  const { vars, errors } = templateVars({
    ...defaults,
    acme_certificates: [{ name, domains: ['mail.example.test'] }],
    inventory_hostname: host,
    group_names: ['all'],
  });
  assert.deepEqual(errors, []);
  const { state, problems: renderProblems } = renderHost(host, hostRoles, vars, renderers);
  assert.deepEqual(renderProblems, []);
  return state;
}

const mailSettings = ['/etc/postfix/provision-tls.cf', '/etc/dovecot/conf.d/99-provision-ssl.conf'];

/**
 * What an earlier apply with certificate `old` left: the record of every path of it, each observed
 * as it is (files with the content that names `old`, the CA's certificate installed).
 */
function actualFrom(old: DesiredState): ActualState {
  const entries: RecordEntry[] = [];
  const was = new Map<string, WasState>();
  const observed = new Map<string, Observed>();
  for (const r of old.resources) {
    if (r.kind === 'user' || r.kind === 'group') continue;
    const path = r.path;
    const kind = r.kind === 'placeholder_certificate' ? 'certificate' : r.kind;
    entries.push({
      kind,
      path,
      role: r.role,
      certificate: r.certificate,
      created: true,
      secret: false,
      notify: r.notify,
      ...(r.notifyRemoved !== undefined ? { notifyRemoved: r.notifyRemoved } : {}),
    });
    if (r.kind === 'csr') was.set(path, { state: 'file', names: r.domains });
    else if (r.kind === 'file') was.set(path, { state: 'file', sha256: 'old', content: r.content });
    else if (r.kind === 'symlink') was.set(path, { state: 'symlink', target: r.target });
    else was.set(path, kind === 'directory' ? { state: 'directory', empty: false } : { state: 'file' });
    if (r.kind === 'file') observed.set(r.id, { state: 'file', sha256: 'old', content: r.content, mode: r.mode ?? '0644', owner: 'root', group: 'root' });
  }
  return {
    isRoot: true,
    users: new Set(),
    groups: new Set(),
    resources: observed,
    pendingHandlers: [],
    record: {
      lines: formatRecord({ entries, handlers: old.handlers.map(({ name, steps }) => ({ name, steps })) })
        .trimEnd()
        .split('\n'),
      was,
    },
  };
}

test('a renamed certificate: the Postfix and Dovecot settings that name it wait for its issuance, and their handlers run after it', () => {
  const renamed = desiredWith('mail-2026');
  const plan = planHost(renamed, actualFrom(desiredWith('mail')), { secretValues: [] });
  assert.deepEqual(plan.errors, []);
  for (const path of mailSettings) {
    const resource = renamed.resources.find((r) => r.kind === 'file' && r.path === path);
    assert.ok(resource && resource.kind === 'file', path);
    assert.match(resource.content, /\/mail-2026\//, `${path} names the new certificate's files`);
    const change = plan.changes.find((c) => c.resource === resource);
    assert.equal(change?.afterIssuance, 'mail-2026', `${path} waits for the new certificate`);
  }
  assert.ok(plan.removals.length > 0 && plan.removals.every((r) => r.awaits?.[0] === 'mail-2026'));

  const script = applyScript(plan, renamed, { backup: false, targetChecks: [] });
  const at = (text: string) => {
    const index = script.indexOf(text);
    assert.ok(index >= 0, `${text} in the script`);
    return index;
  };
  const issued = at('issued "$R"/etc/ssl/letsencrypt/mail-2026');
  assert.ok(at("handler 'issue certificate'") < issued);
  for (const path of mailSettings) {
    const put = script.indexOf(`"$R"${path}`, issued);
    assert.ok(put > issued, `${path} is put in place after the new certificate is checked`);
  }
  assert.ok(issued < at("handler 'apply postfix tls'") && issued < at("handler 'reload dovecot'"), 'the mail daemons reload after the issuance');
  assertShellcheckClean(script, 'the apply script');
});

test('the first issuance on a new mail host: nothing waits (there is no other certificate to keep serving)', () => {
  const plan = planHost(
    desiredWith('mail'),
    { isRoot: true, users: new Set(), groups: new Set(), resources: new Map(), pendingHandlers: [] },
    { secretValues: [] },
  );
  assert.ok(plan.changes.every((c) => c.afterIssuance === undefined));
  assert.equal(plan.awaited, undefined);
});

test('the postfix role removed: its files go, and no handler runs the script that went with them', () => {
  const plan = planHost(desiredWith('mail', ['letsencrypt', 'dovecot']), actualFrom(desiredWith('mail')), { secretValues: [] });
  assert.deepEqual(plan.errors, []);
  assert.deepEqual(plan.removals.map((r) => r.entry.path).sort(), ['/etc/postfix/provision-tls.cf', '/usr/local/sbin/provision-postfix-tls']);
  assert.ok(
    plan.handlers.every((h) => h.name !== 'apply postfix tls'),
    'main.cf keeps what postconf -e wrote: nothing to apply, and /usr/local/sbin/provision-postfix-tls is gone',
  );
});
