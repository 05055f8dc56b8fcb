import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, versionAgrees, versionTest } from '../../src/template/version.js';
import { map } from '../../src/template/filters.js';

test('versions compare component by component, a missing component counting as 0', () => {
  assert.equal(compareVersions('3.10', '3.9'), 1);
  assert.equal(compareVersions('3.4', '3.4.0'), 0);
  assert.equal(compareVersions('2.3.19.1 (9b53102964)', '2.4'), -1);
  assert.throws(() => compareVersions('latest', '3.4'), /not a version number/);
});

test("the version test takes Ansible's operators", () => {
  assert.equal(versionTest('3.3.2', '3.4', '>='), false);
  assert.equal(versionTest('3.4', '3.4', '>='), true);
  assert.equal(versionTest('3.5.1', '3.5', 'ge'), true);
  assert.equal(versionTest('2.4.1', '2.4'), false, 'the default operator is ==');
  assert.throws(() => versionTest('1', '2', '=>'), /unknown operator/);
});

test('a stated version agrees with the found one at the precision it is stated in', () => {
  assert.equal(versionAgrees('3.7', '3.7.11'), true);
  assert.equal(versionAgrees('3.7.11', '3.7.11'), true);
  assert.equal(versionAgrees('3.6', '3.7.11'), false);
  assert.equal(versionAgrees('2.4', '2.3.19.1'), false);
});

test("map takes an attribute of every element, as Ansible's map(attribute=...)", () => {
  const certificates = [
    { name: 'a.test', domains: [] },
    { name: 'b.test', domains: [] },
  ];
  assert.deepEqual(map(certificates, { __keywords: true, attribute: 'name' }), ['a.test', 'b.test']);
  assert.throws(() => map(certificates, { __keywords: true, attribute: 'nope' }), /no attribute "nope"/);
  assert.throws(() => map('a.test', { __keywords: true, attribute: 'name' }), /not a list/);
});
