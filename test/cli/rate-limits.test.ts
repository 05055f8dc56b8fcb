// The rate-limit check at first rollout, through the built CLI on --root trees with the local
// connection: a fleet of 3 hosts with 17 certificates each, 51 new certificates under example.org,
// on Let's Encrypt production (the role's default URL). (Not 51 hosts of one certificate: each host's
// apply runs its own checks, and 51 of them take minutes on a loaded machine.) Under --root no
// handler runs, so nothing here reaches a CA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision, snapshot } from '../helpers/cli.js';

const hostCount = 3;
const perHost = 17;
const host = (h: number) => `h${h}.example.org`;
const certName = (h: number, c: number) => `c${c}.h${h}.example.org`;

/** An inventory of 3 hosts in group fleet, each with 17 certificates of one name each. */
function fleetInventory(url?: string): { inventory: string; root: string } {
  const base = mkdtempSync(join(tmpdir(), 'provision-ratelimit-'));
  const lines = ['all:', '  vars:', '    ansible_connection: local', '    provision_roles: [letsencrypt]', '    acme_key_type: ec256'];
  if (url) lines.push(`    acme_directory_url: ${url}`);
  lines.push('  children:', '    fleet:', '      hosts:');
  for (let h = 0; h < hostCount; h++) {
    lines.push(`        ${host(h)}:`, `          acme_domains: [${certName(h, 0)}]`, '          acme_certificates:');
    for (let c = 0; c < perHost; c++) lines.push(`            - {name: ${certName(h, c)}, domains: [${certName(h, c)}]}`);
  }
  const inventory = join(base, 'inventory.yml');
  writeFileSync(inventory, `${lines.join('\n')}\n`);
  return { inventory, root: join(base, 'root') };
}

interface Report {
  hosts: { name: string; status: string }[];
  rateLimits?: { domain: string; count: number; limit: number; hosts: string[] }[];
}

test(
  "51 new certificates under example.org on Let's Encrypt production: plan warns; apply refuses and writes nothing; a --limit batch of 50 and --ignore-rate-limits go ahead",
  { timeout: 600_000 },
  () => {
    const { inventory, root } = fleetInventory();

    const plan = provision(['plan', inventory, '--root', root, '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    const report = JSON.parse(plan.stdout) as Report;
    assert.deepEqual(
      report.rateLimits?.map((e) => [e.domain, e.count, e.limit, e.hosts.length]),
      [['example.org', 51, 50, 3]],
    );
    assert.match(
      plan.stderr,
      /^warning: Let's Encrypt rate limit: example\.org: this run would ask Let's Encrypt production for 51 new certificates under it \(3 hosts\), over its limit of 50 new certificates per registered domain per 7 days/m,
    );
    assert.match(plan.stderr, /--limit/);
    assert.equal(existsSync(root), false, 'plan writes nothing');
    const human = provision(['plan', inventory, '--root', root]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stderr, /warning: Let's Encrypt rate limit: example\.org: .* 51 new certificates/);

    const refused = provision(['apply', inventory, '--root', root]);
    assert.equal(refused.code, 1, `refused as bad input: ${refused.stdout}${refused.stderr}`);
    assert.match(refused.stderr, /^error: Let's Encrypt rate limit: nothing was applied$/m);
    assert.match(refused.stderr, /example\.org: this run would ask Let's Encrypt production for 51 new certificates .* over its limit of 50/);
    assert.match(refused.stderr, /--limit 'GROUP\[0:49\]'/);
    assert.match(refused.stderr, /--ignore-rate-limits/);
    assert.equal(refused.stdout, '', 'no host was started');
    assert.equal(existsSync(root), false, 'apply refused before writing anything');

    // The advice works: a batch of 2 hosts (34 certificates) is applied, each certificate with its self-signed placeholder.
    const batch = provision(['apply', inventory, '--root', root, '--limit', 'fleet[0:1]', '--json']);
    assert.equal(batch.code, 0, batch.stderr);
    assert.deepEqual(
      (JSON.parse(batch.stdout) as Report).hosts.map((h) => [h.name, h.status]),
      [
        [host(0), 'changed'],
        [host(1), 'changed'],
      ],
    );
    assert.equal((JSON.parse(batch.stdout) as Report).rateLimits, undefined);
    assert.ok(existsSync(join(root, host(1), 'etc/ssl/letsencrypt', certName(1, 16), 'fullchain.pem')), 'placeholder written');
    assert.equal(existsSync(join(root, host(2))), false);

    // The placeholders are not issued certificates: the whole fleet is still 51 new ones.
    const before = snapshot(root);
    const again = provision(['apply', inventory, '--root', root]);
    assert.equal(again.code, 1, again.stderr);
    assert.match(again.stderr, /example\.org: .* 51 new certificates/);
    assert.deepEqual(snapshot(root), before, 'refused: not a byte changed');

    const forced = provision(['apply', inventory, '--root', root, '--ignore-rate-limits']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /warning: Let's Encrypt rate limit: example\.org: .* 51 new certificates .*applied anyway \(--ignore-rate-limits\)/);
    assert.ok(existsSync(join(root, host(2), 'etc/ssl/letsencrypt', certName(2, 16), 'fullchain.pem')), 'the third host applied');

    // One certificate issued by a CA (not self-signed) is a renewal from now on: 50 new ones are within the limit.
    const dir = join(root, host(0), 'etc/ssl/letsencrypt', certName(0, 0));
    const ca = mkdtempSync(join(tmpdir(), 'provision-ratelimit-ca-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(ca, 'ca.key'),
        '-out',
        join(ca, 'ca.pem'),
        '-subj',
        '/CN=test ca',
        '-days',
        '2',
      ],
      { stdio: 'pipe' },
    );
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        join(dir, 'domain.csr'),
        '-CA',
        join(ca, 'ca.pem'),
        '-CAkey',
        join(ca, 'ca.key'),
        '-CAcreateserial',
        '-out',
        join(dir, 'fullchain.pem'),
        '-days',
        '2',
      ],
      { stdio: 'pipe' },
    );
    const renewal = provision(['plan', inventory, '--root', root, '--json']);
    assert.equal(renewal.code, 0, renewal.stderr);
    assert.equal((JSON.parse(renewal.stdout) as Report).rateLimits, undefined, 'an issued certificate is exempt');
    assert.doesNotMatch(renewal.stderr, /rate limit/);
    const applied = provision(['apply', inventory, '--root', root]);
    assert.equal(applied.code, 0, applied.stderr);
  },
);

test("the same fleet on Let's Encrypt staging or another CA: no rate-limit check", { timeout: 600_000 }, () => {
  for (const url of ['staging', 'https://ca.internal.example/acme/directory']) {
    const { inventory, root } = fleetInventory(url);
    const plan = provision(['plan', inventory, '--root', root, '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.equal((JSON.parse(plan.stdout) as Report).hosts.length, hostCount);
    assert.equal((JSON.parse(plan.stdout) as Report).rateLimits, undefined, url);
    assert.doesNotMatch(plan.stderr, /rate limit/, url);
    if (url !== 'staging') continue;
    const applied = provision(['apply', inventory, '--root', root]);
    assert.equal(applied.code, 0, `${url}: ${applied.stderr}`);
    assert.doesNotMatch(applied.stderr, /rate limit/, url);
    assert.ok(existsSync(join(root, host(2), 'etc/ssl/letsencrypt', certName(2, 16), 'fullchain.pem')));
  }
});
