import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDnsName, isSafeAbsolutePath, stringFormats } from '../../../src/load/schema/string-formats.js';

const label63 = 'a'.repeat(63);

test('ordinary DNS names are accepted', () => {
  for (const name of [
    'example.org',
    'www.example.org',
    'localhost',
    'xn--bcher-kva.example',
    'a-b.c1.example',
    '1.example',
    'EXAMPLE.ORG',
    `${label63}.example`,
  ]) {
    assert.equal(isDnsName(name), true, name);
  }
});

test('a trailing dot, a 64-char label, underscores and wildcards are rejected', () => {
  for (const name of ['example.org.', `${'a'.repeat(64)}.example`, '_acme-challenge.example.org', 'bad_name.example', '*.example.org', '*']) {
    assert.equal(isDnsName(name), false, name);
  }
});

test('empty labels, hyphens at a label edge, spaces and the empty string are rejected', () => {
  for (const name of ['', '.example', 'a..example', '-a.example', 'a-.example', 'a b.example', 'a.example\n', 'ex/ample']) {
    assert.equal(isDnsName(name), false, JSON.stringify(name));
  }
});

test('a name of 253 characters is accepted, 254 is not', () => {
  const name = (length: number) => {
    const labels: string[] = [];
    let total = 0;
    while (total < length) {
      const size = Math.min(63, length - total - (labels.length > 0 ? 1 : 0));
      labels.push('b'.repeat(size));
      total += size + (labels.length > 1 ? 1 : 0);
    }
    const result = labels.join('.');
    assert.equal(result.length, length);
    return result;
  };
  assert.equal(isDnsName(name(253)), true);
  assert.equal(isDnsName(name(254)), false);
});

test('safe absolute paths: absolute, no "." or ".." segments, no control characters', () => {
  for (const path of ['/', '/etc/ssl', '/srv/..hidden', '/a/b.c/']) assert.equal(isSafeAbsolutePath(path), true, path);
  for (const path of ['', 'etc', './etc', '/etc/../root', '/etc/./x', '/..', '/a\nb', '/a\0b', '/a\rb'])
    assert.equal(isSafeAbsolutePath(path), false, JSON.stringify(path));
});

test('mode, unit-name, user-name and url formats', () => {
  const ok = (format: string, value: string) => stringFormats[format]!.test(value);
  assert.equal(ok('mode', '0640'), true);
  assert.equal(ok('mode', '755'), true);
  assert.equal(ok('mode', '0648'), false);
  assert.equal(ok('mode', 'u+x'), false);
  assert.equal(ok('unit-name', 'apache2'), true);
  assert.equal(ok('unit-name', 'getty@tty1.service'), true);
  assert.equal(ok('unit-name', '-rf'), false);
  assert.equal(ok('unit-name', 'a b'), false);
  assert.equal(ok('user-name', 'www-data'), true);
  assert.equal(ok('user-name', 'Root'), false);
  assert.equal(ok('url', 'https://acme-v02.api.letsencrypt.org/directory'), true);
  assert.equal(ok('url', 'ftp://example.org'), false);
  assert.equal(ok('url', "https://x.example/'; rm"), false);
});

test('every format has the words an error message completes', () => {
  for (const [name, format] of Object.entries(stringFormats)) assert.match(format.expected, /^an? /, name);
});
