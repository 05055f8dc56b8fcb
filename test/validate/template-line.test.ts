import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { templateLineFor } from '../../src/validate/template-line.js';

const dir = mkdtempSync(join(tmpdir(), 'provision-template-line-'));
const template = join(dir, 't.njk');
writeFileSync(
  template,
  [
    '# header',
    '{% for d in domains %}',
    'ServerAlias {{ d }}',
    '{% endfor %}',
    'SSLEngine on',
    'SSLCertificateFile {{ dir }}/fullchain.pem',
    'Bogus {{ x }}',
    '',
  ].join('\n'),
);
const rendered = ['# header', 'ServerAlias a.test', 'ServerAlias b.test', 'SSLEngine on', 'SSLCertificateFile /etc/ssl/x/fullchain.pem', 'Bogus 1', ''].join(
  '\n',
);

test('a rendered line maps back to the template line it came from', () => {
  assert.equal(templateLineFor(template, rendered, 4), 5, 'a literal line');
  assert.equal(templateLineFor(template, rendered, 5), 6, 'a line with an expression');
  assert.equal(templateLineFor(template, rendered, 3), 3, 'a line from a loop');
  assert.equal(templateLineFor(template, rendered, 6), 7);
});

test('a line no template line can produce maps to nothing', () => {
  assert.equal(templateLineFor(template, 'something else entirely\n', 1), undefined);
  assert.equal(templateLineFor(join(dir, 'missing.njk'), rendered, 1), undefined);
});
