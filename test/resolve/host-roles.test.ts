import { test } from 'node:test';
import assert from 'node:assert/strict';
import { declaredRoles, rolesWellFormed } from '../../src/resolve/host-roles.js';

test('declaredRoles lists provision_roles in its order, and nothing for a host without a list', () => {
  assert.deepEqual(declaredRoles({ provision_roles: ['letsencrypt', 'apache'] }), ['letsencrypt', 'apache']);
  assert.deepEqual(declaredRoles({ provision_roles: 'apache' }), []);
  assert.deepEqual(declaredRoles({}), []);
});

test('only a list of strings applies its roles', () => {
  assert.equal(rolesWellFormed({ provision_roles: ['apache'] }), true);
  assert.equal(rolesWellFormed({ provision_roles: ['apache', 1] }), false);
  assert.equal(rolesWellFormed({ provision_roles: 'apache' }), false);
  assert.equal(rolesWellFormed({}), false);
});
