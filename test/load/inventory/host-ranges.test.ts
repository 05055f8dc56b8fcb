// Host ranges and ports, compared with what Ansible's own functions return (values taken from
// ansible.plugins.inventory.expand_hostname_range and ansible.parsing.utils.addresses.parse_address).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandHostnameRange, expandHostPattern, HostRangeError, parseAddress } from '../../../src/load/inventory/host-ranges.js';

test('numeric ranges keep the zero padding of the start', () => {
  assert.deepEqual(expandHostnameRange('web[01:03].example.com'), ['web01.example.com', 'web02.example.com', 'web03.example.com']);
  assert.deepEqual(expandHostnameRange('z[08:10]'), ['z08', 'z09', 'z10']);
  assert.deepEqual(expandHostnameRange('[:2]x'), ['0x', '1x', '2x']);
});

test('letter ranges, steps and several ranges in one name', () => {
  assert.deepEqual(expandHostnameRange('db-[a:c]'), ['db-a', 'db-b', 'db-c']);
  assert.deepEqual(expandHostnameRange('n[1:10:4]'), ['n1', 'n5', 'n9']);
  assert.deepEqual(expandHostnameRange('x[a:C]').slice(-3), ['xA', 'xB', 'xC']);
  assert.deepEqual(expandHostnameRange('r[1:2]c[a:b]'), ['r1ca', 'r1cb', 'r2ca', 'r2cb']);
});

test('bad ranges throw HostRangeError', () => {
  assert.throws(() => expandHostnameRange('w[01:1]'), HostRangeError);
  assert.throws(() => expandHostnameRange('w[1:]'), HostRangeError);
  assert.throws(() => expandHostnameRange('w[c:a]'), HostRangeError);
  assert.throws(() => expandHostnameRange('w[1:2:3:4]'), HostRangeError);
  assert.throws(() => expandHostnameRange('w[1:2'), HostRangeError);
});

test('parseAddress splits ports the way Ansible does', () => {
  assert.deepEqual(parseAddress('ssh.example.com:2222'), { host: 'ssh.example.com', port: 2222 });
  assert.deepEqual(parseAddress('[2001:db8::1]:2200'), { host: '2001:db8::1', port: 2200 });
  assert.deepEqual(parseAddress('2001:db8::1'), { host: '2001:db8::1', port: null });
  assert.deepEqual(parseAddress('10.0.0.[1:2]'), { host: '10.0.0.[1:2]', port: null });
  assert.deepEqual(parseAddress('app[1:2]:2022'), { host: 'app[1:2]', port: 2022 });
  assert.equal(parseAddress('bad_host_'), null);
  assert.equal(parseAddress('a b'), null);
  assert.equal(parseAddress('a:1:2'), null);
});

test('expandHostPattern: names that are not addresses are kept as they are', () => {
  assert.deepEqual(expandHostPattern('app[1:2]:2022'), { hosts: ['app1', 'app2'], port: 2022 });
  assert.deepEqual(expandHostPattern('my host'), { hosts: ['my host'], port: null });
});

test('a pattern may stand for at most 100,000 hosts, nested ranges counted together, before anything is built', () => {
  assert.equal(expandHostnameRange('w[1:100000]').length, 100_000);
  assert.throws(() => expandHostnameRange('w[1:100001]'), /more than 100,000 hosts/);
  assert.equal(expandHostnameRange('w[1:100][1:1000]').length, 100_000);
  assert.throws(() => expandHostnameRange('w[1:1000][1:1000]'), /more than 100,000 hosts/);
  assert.throws(() => expandHostnameRange('w[0:99999999999999999999]'), /more than 100,000 hosts/);
  assert.equal(expandHostnameRange('w[0:99999999:1000]').length, 100_000);
});
