import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildResource, FieldError } from '../../src/render/build-resource.js';
import { keyTypes } from '../../src/model/role-manifest.js';

function fieldError(fn: () => unknown, field: string, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof FieldError, `expected a FieldError, got ${String(error)}`);
    assert.equal(error.field, field);
    if (message) assert.match(error.message, message);
    return true;
  });
}

test('a file resource gets its id, content and four-digit mode', () => {
  const r = buildResource('file', { dest: '/etc/app.conf', mode: '644', owner: 'root', group: 'www-data', notify: ['reload'] }, 'web', 'x = 1\n');
  assert.deepEqual(r, {
    kind: 'file',
    id: 'file:/etc/app.conf',
    role: 'web',
    notify: ['reload'],
    path: '/etc/app.conf',
    content: 'x = 1\n',
    validate: undefined,
    secret: false,
    owner: 'root',
    group: 'www-data',
    mode: '0644',
  });
});

test('a relative path is rejected, naming the field', () => {
  fieldError(() => buildResource('file', { dest: 'etc/app.conf' }, 'r', ''), 'dest', /^dest: "etc\/app.conf" is not an absolute path/);
  fieldError(() => buildResource('directory', { path: '' }, 'r'), 'path');
});

test('a path with ".." or "." segments is rejected', () => {
  fieldError(() => buildResource('directory', { path: '/srv/../etc' }, 'r'), 'path', /without "\.\." segments/);
  fieldError(() => buildResource('symlink', { path: '/srv/./x', target: '/t' }, 'r'), 'path');
  // a name merely containing dots is fine
  assert.equal(buildResource('directory', { path: '/srv/..hidden/a..b' }, 'r').id, 'directory:/srv/..hidden/a..b');
});

test('a newline or NUL in a path is rejected as a control character', () => {
  fieldError(() => buildResource('file', { dest: '/etc/a\nb' }, 'r', ''), 'dest', /control character/);
  fieldError(() => buildResource('file', { dest: '/etc/a\0b' }, 'r', ''), 'dest', /control character/);
  fieldError(() => buildResource('private_key', { path: '/k\r', type: 'rsa2048' }, 'r'), 'path');
});

test('a path that is not text is rejected with its value', () => {
  fieldError(() => buildResource('directory', { path: ['/a'] }, 'r'), 'path', /expected a string, got \["\/a"\]/);
  fieldError(() => buildResource('directory', {}, 'r'), 'path', /expected a string, got undefined/);
});

test('trailing slashes are removed, except for the root itself', () => {
  assert.equal(buildResource('directory', { path: '/srv/www//' }, 'r').id, 'directory:/srv/www');
  assert.equal(buildResource('directory', { path: '/' }, 'r').id, 'directory:/');
});

test('modes: three or four octal digits, padded to four; anything else rejected', () => {
  const mode = (m: unknown) => (buildResource('directory', { path: '/d', mode: m }, 'r') as { mode?: string }).mode;
  assert.equal(mode('755'), '0755');
  assert.equal(mode('0640'), '0640');
  assert.equal(mode('2750'), '2750');
  assert.equal(mode(''), undefined);
  for (const bad of ['999', '0648', 'rw-r--r--', '75', '12345', '+x']) fieldError(() => mode(bad), 'mode', /is not an octal file mode/);
});

test('key types: the documented ones are accepted, others rejected with the list', () => {
  for (const type of ['rsa2048', 'rsa3072', 'rsa4096', 'ec256', 'ec384']) {
    const r = buildResource('private_key', { path: '/k.key', type }, 'r');
    assert.equal(r.kind === 'private_key' && r.keyType, type);
  }
  assert.deepEqual([...keyTypes].sort(), ['ec256', 'ec384', 'rsa2048', 'rsa3072', 'rsa4096']);
  fieldError(
    () => buildResource('private_key', { path: '/k.key', type: 'dsa1024' }, 'r'),
    'type',
    /"dsa1024" is not one of rsa2048, rsa3072, rsa4096, ec256, ec384/,
  );
});

test('CSR domains must be DNS names; wildcards, underscores and empty lists are rejected', () => {
  const csr = (domains: unknown) => buildResource('csr', { path: '/c.csr', key: '/c.key', domains }, 'r');
  const ok = csr(['example.org', 'www.example.org']);
  assert.deepEqual(ok.kind === 'csr' && ok.domains, ['example.org', 'www.example.org']);
  fieldError(() => csr(['example.org', '*.example.org']), 'domains', /"\*\.example\.org" is not a DNS name/);
  fieldError(() => csr(['bad_name.example']), 'domains', /is not a DNS name/);
  fieldError(() => csr(['example.org.']), 'domains', /is not a DNS name/);
  fieldError(() => csr([]), 'domains', /at least one name/);
  fieldError(() => csr('example.org'), 'domains', /expected a list of strings/);
  fieldError(() => csr([1]), 'domains', /expected a list of strings/);
});

test('a CSR country must be a two-letter upper-case code; empty means none', () => {
  const csr = (country: unknown) => buildResource('csr', { path: '/c.csr', key: '/c.key', domains: ['a.test'], country }, 'r');
  const se = csr('SE');
  assert.equal(se.kind === 'csr' && se.country, 'SE');
  const none = csr('');
  assert.equal(none.kind === 'csr' && none.country, undefined);
  fieldError(() => csr('se'), 'country');
  fieldError(() => csr('SWE'), 'country');
});

test('the CSR key path is validated like any path', () => {
  fieldError(() => buildResource('csr', { path: '/c.csr', key: 'c.key', domains: ['a.test'] }, 'r'), 'key');
});

test('owner and group must be user/group names', () => {
  const dirWith = (fields: Record<string, unknown>) => buildResource('directory', { path: '/d', ...fields }, 'r');
  assert.equal((dirWith({ owner: 'www-data', group: '_acme' }) as { owner?: string }).owner, 'www-data');
  for (const bad of ['Root', '1user', 'a b', 'x;rm', 'a'.repeat(33)]) fieldError(() => dirWith({ owner: bad }), 'owner', /is not a user or group name/);
  fieldError(() => dirWith({ group: 'G' }), 'group');
});

test('users: name, supplementary groups and paths are checked', () => {
  const user = buildResource(
    'user',
    { name: 'acme', system: 'true', home: '/var/lib/acme/', shell: '/usr/sbin/nologin', group: 'acme', groups: ['ssl-cert'] },
    'r',
  );
  assert.deepEqual(user, {
    kind: 'user',
    id: 'user:acme',
    role: 'r',
    notify: [],
    name: 'acme',
    system: true,
    home: '/var/lib/acme',
    shell: '/usr/sbin/nologin',
    group: 'acme',
    groups: ['ssl-cert'],
  });
  fieldError(() => buildResource('user', { name: 'Acme' }, 'r'), 'name');
  fieldError(() => buildResource('user', { name: 'acme', groups: ['ok', 'Not OK'] }, 'r'), 'groups', /"Not OK" is not a group name/);
  fieldError(() => buildResource('user', { name: 'acme', home: 'var/lib' }, 'r'), 'home');
});

test('boolean flags accept booleans and "true"/"false" only', () => {
  const secret = (value: unknown) => buildResource('file', { dest: '/s', secret: value }, 'r', '');
  assert.equal((secret(true) as { secret: boolean }).secret, true);
  assert.equal((secret('false') as { secret: boolean }).secret, false);
  assert.equal((secret(undefined) as { secret: boolean }).secret, false);
  fieldError(() => secret('yes'), 'secret', /expected true or false, got "yes"/);
  fieldError(() => buildResource('group', { name: 'g', system: 1 }, 'r'), 'system');
});

test('notify must be a list of strings', () => {
  fieldError(() => buildResource('group', { name: 'g', notify: 'reload' }, 'r'), 'notify');
});

test('a symlink target may be relative but not contain a newline', () => {
  const link = buildResource('symlink', { path: '/srv/l', target: '../x' }, 'r');
  assert.equal(link.kind === 'symlink' && link.target, '../x');
  fieldError(() => buildResource('symlink', { path: '/srv/l', target: 'a\nb' }, 'r'), 'target');
});

test('an unknown resource kind is a FieldError', () => {
  fieldError(() => buildResource('service', { name: 'x' }, 'r'), 'service', /unknown resource kind "service"/);
});

test('a mode is stored the way the probe reports it, so it settles after one apply', () => {
  const mode = (m: string) => (buildResource('directory', { path: '/d', mode: m }, 'r') as { mode?: string }).mode;
  assert.equal(mode('02750'), '2750');
  assert.equal(mode('00640'), '0640');
  fieldError(() => mode('17777'), 'mode', /is not an octal file mode/);
});

test('a placeholder certificate is named by its fullchain.pem; its key and names are checked like a CSR', () => {
  const resource = buildResource(
    'placeholder_certificate',
    { dir: '/etc/ssl/le/a.test/', key: '/etc/ssl/le/a.test/domain.key', domains: ['a.test', 'www.a.test'], mode: '644' },
    'r',
  );
  assert.deepEqual(resource, {
    kind: 'placeholder_certificate',
    id: 'placeholder_certificate:/etc/ssl/le/a.test/fullchain.pem',
    role: 'r',
    notify: [],
    path: '/etc/ssl/le/a.test/fullchain.pem',
    dir: '/etc/ssl/le/a.test',
    key: '/etc/ssl/le/a.test/domain.key',
    domains: ['a.test', 'www.a.test'],
    owner: undefined,
    group: undefined,
    mode: '0644',
  });
  fieldError(() => buildResource('placeholder_certificate', { dir: '/d', key: 'domain.key', domains: ['a.test'] }, 'r'), 'key', /absolute path/);
  fieldError(() => buildResource('placeholder_certificate', { dir: '/d', key: '/d/k', domains: [] }, 'r'), 'domains', /at least one name/);
  fieldError(() => buildResource('placeholder_certificate', { dir: '/d', key: '/d/k', domains: ['a.test; reboot'] }, 'r'), 'domains', /not a DNS name/);
});
