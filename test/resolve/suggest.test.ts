import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest } from '../../src/resolve/suggest.js';

const known = ['acme_domains', 'acme_certs_dir', 'acme_user', 'acme_key_type'];

test('a misspelt name suggests the nearest known one', () => {
  assert.equal(closest('acme_domian', known), 'acme_domains');
  assert.equal(closest('acme_domain', known), 'acme_domains');
  assert.equal(closest('acme_certdir', known), 'acme_certs_dir');
  assert.equal(closest('acme_keytype', known), 'acme_key_type');
});

test('a name far from every candidate gets no suggestion', () => {
  assert.equal(closest('acme_completely_different', known), undefined);
  assert.equal(closest('x', []), undefined);
});

test('the nearest candidate wins, whatever the order', () => {
  assert.equal(closest('acme_usr', ['acme_users_dir', 'acme_user']), 'acme_user');
  assert.equal(closest('acme_usr', ['acme_user', 'acme_users_dir']), 'acme_user');
});
