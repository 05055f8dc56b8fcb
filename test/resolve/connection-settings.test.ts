// A host's connection variables read into the settings the connection takes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { becomeFor } from '../../src/host/become.js';
import { connectionSettings } from '../../src/resolve/connection-settings.js';

test('a host that sets ansible_become (false too) or provision_host_key_checking decides for itself', () => {
  const vars = (become: unknown, checking: unknown) => ({ ansible_become: become, ansible_become_user: 'www', provision_host_key_checking: checking });
  assert.equal(connectionSettings('h', vars(false, true)).become, false);
  assert.equal(connectionSettings('h', vars('yes', true)).become, false, 'only true is true, as before');
  assert.equal(connectionSettings('h', vars(true, true)).becomeUser, 'www');
  assert.equal(connectionSettings('h', vars(true, true)).hostKeyChecking, 'yes', 'YAML yes is true');
  assert.equal(connectionSettings('h', vars(true, 'yes')).hostKeyChecking, 'yes');
  assert.equal(connectionSettings('h', vars(true, 'accept-new')).hostKeyChecking, 'accept-new');
  assert.equal(connectionSettings('h', vars(true, 'no')).hostKeyChecking, undefined, '--host-key-checking decides');
  assert.equal(becomeFor(connectionSettings('h', {}), { become: true, becomeUser: 'ops' })?.user, 'ops', '--become for a host without ansible_become');
  assert.equal(becomeFor(connectionSettings('h', { ansible_become: false }), { become: true }), undefined, "the host's false wins over --become");
  assert.equal(connectionSettings('web1', {}).address, 'web1', 'without ansible_host, the inventory name');
});
