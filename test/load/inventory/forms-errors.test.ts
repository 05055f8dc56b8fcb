// Bad input in the new inventory forms: each problem names the file and line, every problem of an INI
// file is reported at once, a failing script's stderr is shown, and a script another account could
// change is never run.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { formatProblem } from '../../../src/model/errors.js';
import { loadInventory, type LoadOptions } from '../../../src/load/inventory/index.js';
import { problemsOf } from './helpers.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'provision-forms-errors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
/** Writes `files` into a fresh directory and returns the problems of loading `source` from there. */
function problems(files: Record<string, string | { text: string; mode: number }>, source: string | string[], options: LoadOptions = {}): string[] {
  const dir = path.join(tmp, String(counter++));
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, typeof content === 'string' ? content : content.text);
    if (typeof content !== 'string') chmodSync(file, content.mode);
  }
  return problemsOf(() => loadInventory(source, { cwd: dir, ...options })).map(formatProblem);
}

test('every problem of an INI file, each with file:line:col', () => {
  const ini = [
    '[web]', // 1
    'web1 ansible_port', // 2: not key=value
    'web[1:x] a=1', // 3: bad range
    'web2:', // 4: ends in ':'
    'web3 a="unclosed', // 5
    '[web:vars]', // 6
    'no equals sign', // 7
    '[bad section]', // 8
    '[web:hosts2]', // 9
    '[ghost:vars]', // 10: never declared
    'x=1',
    '[web:children]', // 12
    'missing_child', // 13
  ].join('\n');
  assert.deepEqual(problems({ hosts: ini }, 'hosts'), [
    'hosts:2:1: expected key=value after the host name, found `ansible_port`',
    'hosts:3:1: host `web[1:x]`: invalid number `x` in host range',
    'hosts:4:1: host `web2:` ends in `:`, which is reserved for a port (host:port)',
    'hosts:5:1: cannot read host line `web3 a="unclosed`: no closing quotation',
    'hosts:7:1: expected key=value in [web:vars], found `no equals sign`',
    'hosts:8:1: invalid section `[bad section]`: a section is [group], [group:vars] or [group:children], without spaces',
    'hosts:9:1: section [web:hosts2] has unknown type `hosts2`; use [web], [web:vars] or [web:children]',
    'hosts:10:1: section [ghost:vars] is for a group that is not declared; add a [ghost] section (it may be empty)',
    'hosts:13:1: section [web:children] names group `missing_child`, which is not declared; add a [missing_child] section',
  ]);
});

test("a problem in a directory names the file inside it; a later file may use an earlier one's group", () => {
  const found = problems({ 'inv/01-hosts': '[web]\nweb1\n', 'inv/02-vars': '[web:vars]\nok=1\n[db:vars]\nx=1\n' }, 'inv');
  assert.deepEqual(found, ['inv/02-vars:3:1: section [db:vars] is for a group that is not declared; add a [db] section (it may be empty)']);
});

test('a YAML file with plugin: gets the export route as its error', () => {
  assert.deepEqual(problems({ 'aws_ec2.yml': '# dynamic\nplugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n' }, 'aws_ec2.yml'), [
    'aws_ec2.yml:2:1: this is an inventory plugin configuration (`plugin: amazon.aws.aws_ec2`), which provision does not run; export what it finds and give provision that file: `ansible-inventory -i aws_ec2.yml --list > fleet.json`',
  ]);
});

const script = (body: string) => ({ text: `#!/bin/sh\n${body}\n`, mode: 0o755 });

test('a failing script: its exit code and the end of its stderr', () => {
  assert.deepEqual(problems({ inv: script('echo "cannot reach the CMDB" >&2; exit 3') }, 'inv'), [
    'inv: `inv --list` failed with exit code 3\ncannot reach the CMDB',
  ]);
});

test('a script that prints no JSON, or JSON that is not an object', () => {
  const [notJson] = problems({ inv: script('echo not json') }, 'inv');
  assert.match(notJson!, /^inv: `--list` did not print JSON: /);
  assert.deepEqual(problems({ inv: script('echo "[1, 2]"') }, 'inv'), [
    'inv:1:1: must be a JSON object of groups (with `_meta.hostvars`), as `ansible-inventory --list` prints',
  ]);
});

test('a script is stopped at its time and output bounds', () => {
  const started = Date.now();
  assert.deepEqual(problems({ inv: script('sleep 5') }, 'inv', { scriptLimits: { timeoutMs: 300, maxOutputBytes: 1 << 20 } }), [
    'inv: `inv --list` did not finish within 0.3 s; stopped',
  ]);
  assert.ok(Date.now() - started < 4000, 'the script was not waited for');
  assert.deepEqual(problems({ inv: script('yes') }, 'inv', { scriptLimits: { timeoutMs: 10_000, maxOutputBytes: 100_000 } }), [
    'inv: `inv --list` printed more than 100000 bytes; stopped',
  ]);
});

test('a script another account can change is not run', () => {
  const dir = path.join(tmp, 'shared');
  const marker = path.join(dir, 'ran');
  const found = problems({ 'shared-inv': { text: `#!/bin/sh\ntouch '${marker}'\necho '{}'\n`, mode: 0o777 } }, 'shared-inv');
  assert.equal(found.length, 1);
  assert.match(found[0]!, /^shared-inv: inventory script not run: .*shared-inv is writable by every account; make it/);
  assert.equal(existsSync(marker), false, 'the script ran');
});

test('a script whose --host fails names the host', () => {
  const body = 'if [ "$1" = --list ]; then echo \'{"web": ["w1"]}\'; else echo "no host $2" >&2; exit 1; fi';
  assert.deepEqual(problems({ inv: script(body) }, 'inv'), ['inv: `inv --host w1` failed with exit code 1\nno host w1 (host: w1)']);
});

test('a missing source among several is named', () => {
  assert.deepEqual(problems({ 'a.yml': 'all:\n  hosts:\n    h1:\n' }, ['a.yml', 'b.ini']), ['b.ini: inventory file not found']);
});

test('a script in a directory that links outside it is not run', () => {
  const outside = path.join(tmp, 'outside-script');
  const marker = path.join(tmp, 'outside-ran');
  writeFileSync(outside, `#!/bin/sh\ntouch '${marker}'\necho '{}'\n`, { mode: 0o755 });
  const dir = path.join(tmp, 'linkdir');
  mkdirSync(path.join(dir, 'inv'), { recursive: true });
  symlinkSync(outside, path.join(dir, 'inv', 'script'));
  const found = problemsOf(() => loadInventory('inv', { cwd: dir })).map(formatProblem);
  assert.deepEqual(found, [
    `inv/script: inventory script not run: it links to ${outside}, outside ${path.join(dir, 'inv')}; name it as a source of its own to run it`,
  ]);
  assert.equal(existsSync(marker), false, 'the script ran');
});
