// `provision status` on the example fleet as the built CLI runs it, under its provision_root tree:
// after an apply, each certificate is the placeholder apply made a moment ago, waiting for its
// first issuance (due, not yet critical); with the schedule file gone it warns; a certificate file
// replaced by one that is not a certificate is critical. Exit codes: 0, then 5.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

test('status under the example tree: placeholders due, a missing schedule warns, a broken certificate is critical', () => {
  const { dir, inventory } = tempInventory();
  const root = join(dir, '../../build/example-root');
  try {
    const applied = provision(['apply', inventory]);
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);

    const first = provision(['status', inventory]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /^DUE +web1\.example\.test web1\.example\.test .*: the self-signed placeholder: the first issuance is pending$/m);
    assert.match(first.stdout, /^2 certificates on 2 hosts: 0 critical, 0 warning, 2 renewal due, 0 ok$/m);

    unlinkSync(join(root, 'mail1.example.test/etc/cron.d/letsencrypt'));
    writeFileSync(join(root, 'web1.example.test/etc/ssl/letsencrypt/web1.example.test/fullchain.pem'), 'not a certificate\n');
    const second = provision(['status', inventory, '--format', 'json']);
    assert.equal(second.code, 5, second.stdout + second.stderr);
    const report = JSON.parse(second.stdout) as { hosts: { name: string; health: string; certificates: { health: string; reasons: string[] }[] }[] };
    const host = (name: string) => report.hosts.find((h) => h.name === name)!;
    assert.equal(host('mail1.example.test').health, 'warning');
    assert.match(host('mail1.example.test').certificates[0]!.reasons.join('\n'), /no renewal schedule: \/etc\/cron\.d\/letsencrypt is missing/);
    assert.equal(host('web1.example.test').health, 'critical');
    assert.match(host('web1.example.test').certificates[0]!.reasons[0]!, /fullchain\.pem is not a readable certificate/);
  } finally {
    rmSync(join(dir, '../..'), { recursive: true, force: true });
  }
});
