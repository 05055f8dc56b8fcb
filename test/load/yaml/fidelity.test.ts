// YAML fidelity against the real ansible-inventory: `hosts --vars --json` must print what
// `ansible-inventory --list` prints for integers beyond 2^53, .inf/.nan/-0.0, merge keys, and a block
// scalar ending the file without a newline. Both outputs are read back by Python's json (JSON.parse
// would round the integers and refuse NaN) and compared there.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ansible } from '../../helpers/ansible.js';
import { projectRoot, provision } from '../../helpers/cli.js';

const dir = join(projectRoot, 'test/fixtures/yaml-fidelity');

const COMPARE = `
import json, sys
ours = json.loads(open(sys.argv[1]).read())["hosts"][0]["vars"]
theirs = json.loads(open(sys.argv[2]).read())["_meta"]["hostvars"]["h1"]
dump = lambda v: json.dumps(v, sort_keys=True)
for key in sorted(set(ours) | set(theirs)):
    if dump(ours.get(key)) != dump(theirs.get(key)):
        print("%s: ours %s, ansible %s" % (key, dump(ours.get(key)), dump(theirs.get(key))))
`;

test('hosts --vars --json prints these values exactly as ansible-inventory --list does', () => {
  const ours = provision(['hosts', 'hosts.yml', '--vars', '--json'], dir);
  assert.equal(ours.code, 0, ours.stderr);
  const theirs = ansible('ansible-inventory', ['-i', 'hosts.yml', '--list'], dir);
  assert.equal(theirs.status, 0, theirs.stderr);
  assert.match(ours.stdout, /"above_2_53": 9007199254740993,/);
  assert.match(ours.stdout, /"inf": Infinity,/);
  assert.match(ours.stdout, /"negzero": -0\.0,/);
  assert.match(ours.stdout, /"block": "line1\\nline2"/);
  const tmp = mkdtempSync(join(tmpdir(), 'provision-fidelity-'));
  writeFileSync(join(tmp, 'ours.json'), ours.stdout);
  writeFileSync(join(tmp, 'theirs.json'), theirs.stdout);
  const differences = execFileSync('python3', ['-c', COMPARE, join(tmp, 'ours.json'), join(tmp, 'theirs.json')], { encoding: 'utf8' });
  rmSync(tmp, { recursive: true, force: true });
  assert.equal(differences, '');
});
