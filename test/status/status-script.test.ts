// What `provision status` would ask the example fleet: the endpoints its roles declare (Apache on 443
// per site; Postfix on 25 after STARTTLS; Dovecot on 993), the certificates and schedule, in one
// script that shellcheck accepts; a role's endpoint that is not one is an error at its line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { prepareProjectOrThrow } from '../../src/pipeline/pipeline.js';
import { fleetTargets } from '../../src/status/status-hosts.js';
import { statusScript } from '../../src/status/status-script.js';

const example = join(projectRoot, 'inventories/example/inventory.yml');

test('the example fleet: endpoints from the role manifests, certificates, schedule; the script passes shellcheck', () => {
  const project = prepareProjectOrThrow(example, {});
  const { targets, problems } = fleetTargets(project);
  assert.deepEqual(problems, []);
  const byHost = new Map(project.hosts.map((h, i) => [h.host.name, targets[i]!]));
  const web = byHost.get('web1.example.test')!;
  assert.deepEqual(
    web.endpoints.map((e) => [e.service, e.port, e.starttls, e.certificate, e.serverName]),
    [['apache2', 443, 'none', 'web1.example.test', 'web1.example.test']],
  );
  assert.deepEqual(
    web.certificates.map((c) => [c.name, c.dir, c.stateFile]),
    [['web1.example.test', '/etc/ssl/letsencrypt/web1.example.test', '/var/lib/letsencrypt-renew/web1.example.test.json']],
  );
  assert.deepEqual(web.schedule, { kind: 'daily', file: '/etc/cron.d/letsencrypt', cron: { file: '/etc/cron.d/letsencrypt', word: 'letsencrypt-renew' } });
  const mail = byHost.get('mail1.example.test')!;
  assert.deepEqual(
    mail.endpoints.map((e) => [e.service, e.port, e.starttls]),
    [
      ['postfix smtpd', 25, 'smtp'],
      ['dovecot imaps', 993, 'none'],
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'provision-status-'));
  for (const target of targets) {
    const file = join(dir, 'status.sh');
    writeFileSync(file, statusScript(target));
    execFileSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
  }
});

test("a role's endpoint that is not one is an error at its line in role.yml, naming the host", () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-status-'));
  cpSync(join(projectRoot, 'inventories/example'), dir, { recursive: true });
  cpSync(join(projectRoot, 'roles/dovecot'), join(dir, 'roles/dovecot'), { recursive: true });
  const manifest = join(dir, 'roles/dovecot/role.yml');
  const text = execFileSync('sed', ['-e', 's/^    port: 993$/    port: "{{ 70000 }}"/', manifest], { encoding: 'utf8' });
  assert.notEqual(text, execFileSync('cat', [manifest], { encoding: 'utf8' }), 'the port line was changed');
  writeFileSync(manifest, text);
  // Rendering reports it (the renewal script's header holds the endpoints), before status looks at any host.
  let problems: { file?: string; line?: number; hosts?: string[]; message: string }[] = [];
  assert.throws(
    () => prepareProjectOrThrow(join(dir, 'inventory.yml'), { limit: 'mail1.example.test' }),
    (error: { problems?: typeof problems }) => {
      problems = error.problems ?? [];
      return true;
    },
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.file, manifest);
  assert.equal(problems[0]!.line, text.split('\n').findIndex((l) => l.includes('70000')) + 1);
  assert.deepEqual(problems[0]!.hosts, ['mail1.example.test']);
  assert.match(problems[0]!.message, /role dovecot: endpoints\[0\]\.port: .*70000.* is not a TCP port/);
});
