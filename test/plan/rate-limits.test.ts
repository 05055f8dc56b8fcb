// The per-registered-domain count of new certificates (src/plan/rate-limits.ts), from the plans
// planHost makes of what a probe saw: missing and placeholder certificates count, issued ones
// (renewals) do not; names group by registered domain from the Public Suffix List (tldts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planHost } from '../../src/plan/plan-host.js';
import { isLetsEncryptProduction, newCertificates, overLimit, registeredDomain } from '../../src/plan/rate-limits.js';
import type { ActualState, Observed } from '../../src/model/actual.js';
import type { Resource } from '../../src/model/desired.js';

type Seen = 'missing' | 'placeholder' | 'issued' | 'issued, names change';

/** The plan of a host with one certificate for DOMAINS whose fullchain is as SEEN. */
function planOf(host: string, domains: string[], seen: Seen) {
  const dir = `/etc/ssl/letsencrypt/${domains[0]}`;
  const key: Resource = {
    kind: 'private_key',
    id: `private_key:${dir}/domain.key`,
    role: 'letsencrypt',
    notify: [],
    path: `${dir}/domain.key`,
    keyType: 'ec256',
    mode: '0400',
  };
  const csr: Resource = { kind: 'csr', id: `csr:${dir}/domain.csr`, role: 'letsencrypt', notify: [], path: `${dir}/domain.csr`, key: key.path, domains };
  const cert: Resource = {
    kind: 'placeholder_certificate',
    id: `placeholder_certificate:${dir}/fullchain.pem`,
    role: 'letsencrypt',
    notify: [],
    path: `${dir}/fullchain.pem`,
    dir,
    key: key.path,
    domains,
  };
  const attrs = { mode: '0400', owner: 'root', group: 'root' };
  const resources = new Map<string, Observed>();
  if (seen !== 'missing') {
    resources.set(key.id, { state: 'private_key', ...attrs });
    const san = (seen === 'issued, names change' ? domains.slice(0, 1) : domains).map((d) => `DNS:${d}`);
    resources.set(csr.id, { state: 'csr', subject: `CN=${domains[0]}`, san, keyMatches: true, ...attrs, mode: '0644' });
    resources.set(cert.id, { state: 'certificate', selfSigned: seen === 'placeholder', keyMatches: true });
  }
  const actual: ActualState = { isRoot: true, users: new Set(['root']), groups: new Set(['root']), resources, pendingHandlers: [] };
  return planHost({ host, resources: [key, csr, cert], handlers: [] }, actual, { secretValues: [] });
}

function fleet(count: number, name: (i: number) => string[], seen: Seen = 'missing') {
  return Array.from({ length: count }, (_, i) => planOf(`h${i}`, name(i), seen)).flatMap(newCertificates);
}

test('a missing fullchain and a self-signed placeholder are new certificates; an issued one is a renewal, unless its names change', () => {
  assert.deepEqual(
    newCertificates(planOf('a', ['a.example.org'], 'missing')).map((c) => c.domains),
    [['a.example.org']],
  );
  assert.deepEqual(
    newCertificates(planOf('b', ['b.example.org'], 'placeholder')).map((c) => [c.host, c.dir]),
    [['b', '/etc/ssl/letsencrypt/b.example.org']],
  );
  assert.deepEqual(newCertificates(planOf('c', ['c.example.org'], 'issued')), []);
  assert.deepEqual(
    newCertificates(planOf('d', ['d.example.org', 'www.d.example.org'], 'issued, names change')).map((c) => c.domains),
    [['d.example.org', 'www.d.example.org']],
  );
});

test('51 new certificates under example.org are over the limit of 50; 50 are not; renewals do not count', () => {
  const hosts = (i: number) => [`h${i}.example.org`];
  assert.deepEqual(
    overLimit(fleet(51, hosts)).map((e) => [e.domain, e.count, e.limit, e.hosts.length]),
    [['example.org', 51, 50, 51]],
  );
  assert.deepEqual(overLimit(fleet(50, hosts, 'placeholder')), []);
  assert.deepEqual(overLimit([...fleet(50, hosts), ...fleet(20, (i) => [`r${i}.example.org`], 'issued')]), [], 'renewals are exempt');
  assert.deepEqual(overLimit(fleet(51, hosts, 'issued')), []);
});

test('names under a public suffix of the private section (github.io) count per registered domain', () => {
  assert.equal(registeredDomain('www.alice.github.io'), 'alice.github.io');
  assert.equal(registeredDomain('a.b.example.co.uk'), 'example.co.uk');
  assert.equal(registeredDomain('*.example.org'), 'example.org');
  const split = [...fleet(30, (i) => [`s${i}.alice.github.io`]), ...fleet(30, (i) => [`s${i}.bob.github.io`])];
  assert.deepEqual(overLimit(split), [], '60 under github.io, but 30 each under alice.github.io and bob.github.io');
  assert.deepEqual(
    overLimit(fleet(51, (i) => [`s${i}.alice.github.io`])).map((e) => [e.domain, e.count]),
    [['alice.github.io', 51]],
  );
});

test('a certificate with names under two registered domains counts against each, once', () => {
  const excess = overLimit(fleet(51, (i) => [`h${i}.example.org`, `www.h${i}.example.org`, `h${i}.example.net`]));
  assert.deepEqual(
    excess.map((e) => [e.domain, e.count]),
    [
      ['example.net', 51],
      ['example.org', 51],
    ],
  );
});

test("only Let's Encrypt production is checked", () => {
  assert.equal(isLetsEncryptProduction({ acme_directory_url: 'https://acme-v02.api.letsencrypt.org/directory' }), true);
  assert.equal(isLetsEncryptProduction({ acme_directory_url: 'staging' }), false);
  assert.equal(isLetsEncryptProduction({ acme_directory_url: 'https://acme-staging-v02.api.letsencrypt.org/directory' }), false);
  assert.equal(isLetsEncryptProduction({ acme_directory_url: 'https://ca.internal.example/acme/directory' }), false);
  assert.equal(isLetsEncryptProduction({}), false);
});
