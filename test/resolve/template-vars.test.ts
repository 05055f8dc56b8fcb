import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templateVars } from '../../src/resolve/template-vars.js';

test('values without templates are kept as they are', () => {
  const vars = { a: 'plain', b: 3, c: [1, 'x'], d: { e: null }, f: 'a { b }' };
  assert.deepEqual(templateVars(vars), { vars, errors: [] });
});

test('{{ inventory_hostname }} in a value is templated', () => {
  const { vars, errors } = templateVars({ inventory_hostname: 'web1', name: '{{ inventory_hostname }}.example.org' });
  assert.deepEqual(errors, []);
  assert.equal(vars.name, 'web1.example.org');
});

test('a single expression keeps its native type', () => {
  const { vars } = templateVars({ list: ['a', 'b'], copy: '{{ list }}', port: 80, next: '{{ port + 1 }}', on: true, flag: '{{ on }}' });
  assert.deepEqual(vars.copy, ['a', 'b']);
  assert.equal(vars.next, 81);
  assert.equal(vars.flag, true);
});

test('templates inside lists and mappings are resolved', () => {
  const { vars } = templateVars({ h: 'web1', names: ['{{ h }}', 'www.{{ h }}'], map: { cn: '{{ h }}' } });
  assert.deepEqual(vars.names, ['web1', 'www.web1']);
  assert.deepEqual(vars.map, { cn: 'web1' });
});

test('a chain of references is followed to the end', () => {
  const { vars, errors } = templateVars({ a: '{{ b }}', b: '{{ c }}/x', c: '{{ d }}', d: '/srv' });
  assert.deepEqual(errors, []);
  assert.equal(vars.a, '/srv/x');
});

test('a variable referring to itself is an error, not a hang, and keeps its raw value', () => {
  const { vars, errors } = templateVars({ loop: '{{ loop }}', ok: 'fine' });
  assert.deepEqual(
    errors.map((e) => e.variable),
    ['loop'],
  );
  assert.match(errors[0]!.error.message, /refers to itself/);
  assert.equal(vars.loop, '{{ loop }}');
  assert.equal(vars.ok, 'fine');
});

test('two variables referring to each other are both errors', () => {
  const { errors } = templateVars({ a: 'x{{ b }}', b: 'y{{ a }}' });
  assert.deepEqual(errors.map((e) => e.variable).sort(), ['a', 'b']);
});

test('an undefined variable in a value is reported for that variable', () => {
  const { errors } = templateVars({ good: 1, bad: '{{ nowhere }}' });
  assert.deepEqual(
    errors.map((e) => e.variable),
    ['bad'],
  );
  assert.match(errors[0]!.error.message, /"nowhere" is undefined/);
});

test('an expression sees the value of a computed variable, not its template', () => {
  const { vars, errors } = templateVars({
    names: "{{ certificates | map(attribute='name') | list }}",
    certificates: "{{ [{'name': domains[0], 'domains': domains}] }}",
    domains: ['a.example', 'b.example'],
    first: '{{ certificates[0].name }}',
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(vars.names, ['a.example']);
  assert.equal(vars.first, 'a.example');
});

test('the version test compares dotted versions as Ansible does', () => {
  const { vars } = templateVars({ v: '3.3.2', old: "{{ v is version('3.4', '<') }}", same: "{{ '3.4' is version('3.4.0') }}" });
  assert.equal(vars.old, true);
  assert.equal(vars.same, true);
});
