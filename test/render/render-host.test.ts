import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadRoles } from '../../src/load/load-roles.js';
import { prepareRenderers, renderHost, type RoleRenderer } from '../../src/render/render-host.js';
import type { Problem } from '../../src/model/errors.js';

const base = mkdtempSync(join(tmpdir(), 'provision-render-host-'));
after(() => rmSync(base, { recursive: true, force: true }));

/** Writes one role per call under a fresh search-path directory and returns its renderers. */
let counter = 0;
function renderers(roles: Record<string, { manifest: string; templates?: Record<string, string> }>): Map<string, RoleRenderer> {
  const dir = join(base, `set${counter++}`);
  for (const [name, role] of Object.entries(roles)) {
    mkdirSync(join(dir, name, 'templates'), { recursive: true });
    writeFileSync(join(dir, name, 'role.yml'), role.manifest);
    writeFileSync(join(dir, name, 'schema.json'), '{"type": "object", "properties": {}}');
    for (const [file, text] of Object.entries(role.templates ?? {})) writeFileSync(join(dir, name, 'templates', file), text);
  }
  const loaded = loadRoles([dir]);
  assert.deepEqual(loaded.problems, []);
  return prepareRenderers(loaded.roles.values());
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; col: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not in the manifest`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

const loopManifest = `prefix: site_
resources:
  - directory:
      path: "/srv/{{ item }}"
      loop: "{{ site_names }}"
      when: "item != 'skip'"
      mode: "0750"
      notify: [reload]
handlers:
  - name: reload
    command: "reload {{ site_names | join(' ') }}"
`;

test('a loop repeats the resource with item; when filters per item', () => {
  const { state, problems } = renderHost('h1', ['site'], { site_names: ['one', 'skip', 'two'] }, renderers({ site: { manifest: loopManifest } }));
  assert.deepEqual(problems, []);
  assert.deepEqual(
    state.resources.map((r) => r.id),
    ['directory:/srv/one', 'directory:/srv/two'],
  );
  assert.deepEqual(state.handlers, [{ name: 'reload', steps: [{ kind: 'command', command: 'reload one skip two' }], role: 'site' }]);
});

test('an empty loop gives no resource, and item is not visible outside the loop', () => {
  const { state, problems } = renderHost('h1', ['site'], { site_names: [] }, renderers({ site: { manifest: loopManifest } }));
  assert.deepEqual(problems, []);
  assert.deepEqual(state.resources, []);
});

test('a loop over something that is not a list is reported at its loop field', () => {
  const manifest = loopManifest.slice(0, loopManifest.indexOf('handlers:')).replace('      notify: [reload]\n', '');
  const { state, problems } = renderHost('h1', ['site'], { site_names: 'one' }, renderers({ site: { manifest } }));
  assert.equal(state.resources.length, 0);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /loop: expected a list, got "one"/);
  assert.equal(problems[0]!.line, positionOf(manifest, 'loop:').line);
});

test('when decides whether a resource exists', () => {
  const manifest = `prefix: w_
resources:
  - group:
      name: present
      when: "w_on"
  - group:
      name: absent
      when: "w_list"
`;
  const r = renderers({ w: { manifest } });
  assert.deepEqual(
    renderHost('h', ['w'], { w_on: true, w_list: [] }, r).state.resources.map((x) => x.id),
    ['group:present'],
  );
  assert.deepEqual(
    renderHost('h', ['w'], { w_on: false, w_list: ['x'] }, r).state.resources.map((x) => x.id),
    ['group:absent'],
  );
});

test('file resources render their template with the host context (and item)', () => {
  const manifest = `prefix: f_
resources:
  - file:
      template: vhost.njk
      dest: "/etc/sites/{{ item.name }}.conf"
      loop: "{{ f_sites }}"
      mode: "644"
`;
  const { state, problems } = renderHost(
    'web1',
    ['f'],
    {
      f_sites: [
        { name: 'a', port: 80 },
        { name: 'b', port: 81 },
      ],
      inventory_hostname: 'web1',
    },
    renderers({ f: { manifest, templates: { 'vhost.njk': 'host={{ inventory_hostname }} port={{ item.port }}\n' } } }),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    state.resources.map((r) => [r.id, r.kind === 'file' && r.content, r.kind === 'file' && r.mode]),
    [
      ['file:/etc/sites/a.conf', 'host=web1 port=80\n', '0644'],
      ['file:/etc/sites/b.conf', 'host=web1 port=81\n', '0644'],
    ],
  );
});

test('identical resources from two roles are merged, their notify lists joined', () => {
  const a = `prefix: a_
resources:
  - directory:
      path: /etc/shared
      mode: "0755"
      notify: [from a]
handlers:
  - name: from a
    command: "true"
`;
  const b = `prefix: b_
resources:
  - directory:
      path: /etc/shared
      mode: "0755"
      notify: [from b]
handlers:
  - name: from b
    command: "true"
`;
  const { state, problems } = renderHost('h', ['a', 'b'], {}, renderers({ a: { manifest: a }, b: { manifest: b } }));
  assert.deepEqual(problems, []);
  assert.equal(state.resources.length, 1);
  assert.deepEqual(state.resources[0]!.notify, ['from a', 'from b']);
  assert.equal(state.resources[0]!.role, 'a');
});

test('the same resource with different settings is reported, naming both roles, at the second one', () => {
  const a = 'prefix: a_\nresources:\n  - directory:\n      path: /etc/shared\n      mode: "0755"\n';
  const b = 'prefix: b_\nresources:\n  - group:\n      name: g\n  - directory:\n      path: /etc/shared\n      mode: "0700"\n';
  const r = renderers({ a: { manifest: a }, b: { manifest: b } });
  const { state, problems } = renderHost('h', ['a', 'b'], {}, r);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.message, 'directory:/etc/shared is managed twice with different settings (roles a and b)');
  assert.equal(resolve(problems[0]!.file!), join(r.get('b')!.role.dir, 'role.yml'));
  assert.equal(problems[0]!.line, positionOf(b, 'path: /etc/shared').line);
  assert.deepEqual(problems[0]!.hosts, ['h']);
  // the first definition stays
  const shared = state.resources.find((x) => x.id === 'directory:/etc/shared');
  assert.equal(shared?.kind === 'directory' ? shared.mode : undefined, '0755');
});

test('notify of an unknown handler is reported', () => {
  const manifest =
    'prefix: n_\nresources:\n  - group:\n      name: g\n      notify: [restart nothing]\nhandlers:\n  - name: restart something\n    command: "true"\n';
  const { problems } = renderHost('h', ['n'], {}, renderers({ n: { manifest } }));
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.message, 'group:g notifies unknown handler "restart nothing"');
});

test('a handler whose when is false does not exist, so notifying it is reported', () => {
  const manifest =
    'prefix: n_\nresources:\n  - group:\n      name: g\n      notify: [maybe]\nhandlers:\n  - name: maybe\n    command: "true"\n    when: "n_enabled"\n';
  const r = renderers({ n: { manifest } });
  assert.deepEqual(renderHost('h', ['n'], { n_enabled: true }, r).problems, []);
  assert.match(
    renderHost('h', ['n'], { n_enabled: false }, r)
      .problems.map((p) => p.message)
      .join('\n'),
    /unknown handler "maybe"/,
  );
});

test('a template error is collected as a Problem, and the other resources still render', () => {
  const manifest = `prefix: t_
resources:
  - file:
      template: bad.njk
      dest: /etc/bad.conf
  - file:
      template: good.njk
      dest: /etc/good.conf
`;
  const r = renderers({ t: { manifest, templates: { 'bad.njk': 'one\ntwo {{ t_missing }}\n', 'good.njk': 'fine\n' } } });
  let result: ReturnType<typeof renderHost> | undefined;
  assert.doesNotThrow(() => (result = renderHost('h7', ['t'], {}, r)));
  const { state, problems } = result!;
  assert.deepEqual(
    state.resources.map((x) => x.id),
    ['file:/etc/good.conf'],
  );
  assert.equal(problems.length, 1);
  assert.equal(resolve(problems[0]!.file!), join(r.get('t')!.role.templatesDir, 'bad.njk'));
  assert.equal(problems[0]!.line, 2);
  assert.equal(problems[0]!.message, 'template error: variable "t_missing" is undefined');
  assert.deepEqual(problems[0]!.hosts, ['h7']);
});

test('an undefined variable in a manifest field points at that field in role.yml', () => {
  const manifest = 'prefix: u_\nresources:\n  - directory:\n      mode: "0755"\n      path: "{{ u_dir }}/x"\n';
  const { problems } = renderHost('h', ['u'], {}, renderers({ u: { manifest } }));
  assert.equal(problems.length, 1);
  const expected = positionOf(manifest, '"{{ u_dir }}/x"');
  assert.deepEqual([problems[0]!.line, problems[0]!.col], [expected.line, expected.col]);
  assert.equal(problems[0]!.message, 'path: template error: variable "u_dir" is undefined');
});

test('an invalid field value is reported at that field with the reason', () => {
  const manifest = 'prefix: v_\nresources:\n  - directory:\n      path: "{{ v_dir }}"\n      mode: "0755"\n';
  const { state, problems } = renderHost('h', ['v'], { v_dir: 'relative/dir' }, renderers({ v: { manifest } }));
  assert.deepEqual(state.resources, []);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.message, 'path: "relative/dir" is not an absolute path without ".." segments');
  assert.equal(problems[0]!.line, positionOf(manifest, '"{{ v_dir }}"').line);
});

test('every problem of a host is reported at once', () => {
  const manifest = 'prefix: m_\nresources:\n  - directory:\n      path: rel\n  - group:\n      name: "{{ m_nope }}"\n  - user:\n      name: Bad\n';
  const { problems } = renderHost('h', ['m'], {}, renderers({ m: { manifest } }));
  const messages = problems.map((p: Problem) => p.message);
  assert.equal(messages.length, 3, messages.join('\n'));
});

test('roles without a renderer are skipped (reported elsewhere)', () => {
  const { state, problems } = renderHost('h', ['nosuchrole'], {}, renderers({}));
  assert.deepEqual(problems, []);
  assert.deepEqual(state, { host: 'h', resources: [], handlers: [] });
});
