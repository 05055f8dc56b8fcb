import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalConnection } from '../../src/host/local.js';
import { wrapScript } from '../../src/host/script.js';

const connection = new LocalConnection();

test("a script's stdout, stderr and exit code come back", async () => {
  const result = await connection.run('echo out\necho err >&2\nprintf "no newline"\nexit 3\n');
  assert.deepEqual(result, { stdout: 'out\nno newline', stderr: 'err\n', exitCode: 3 });
});

test('a failing script does not throw; exit code 0 is reported as 0', async () => {
  assert.equal((await connection.run('false\n')).exitCode, 1);
  assert.equal((await connection.run('true\n')).exitCode, 0);
});

test('the trailing newline of the output is kept', async () => {
  assert.equal((await connection.run('printf "a\\n\\n"\n')).stdout, 'a\n\n');
});

test('scripts run with LC_ALL=C', async () => {
  assert.equal((await connection.run('printf %s "$LC_ALL"\n')).stdout, 'C');
});

// Big enough that the shell cannot have read the whole script before the first command runs.
const padding = Array.from({ length: 4000 }, (_, i) => `# padding line ${i} ${'x'.repeat(40)}`).join('\n');

test('without wrapScript, a command reading stdin swallows the rest of the script (why wrapping matters)', async () => {
  const result = await connection.run(`cat >/dev/null\n${padding}\necho after\n`);
  assert.equal(result.stdout, '');
});

test('a wrapped script that reads stdin does not swallow the rest of the script', async () => {
  const body = ['cat', 'read line || echo "read got EOF"', padding, 'echo after'].join('\n');
  const result = await connection.run(wrapScript(undefined, '', body));
  assert.equal(result.exitCode, 0, result.stderr);
  assert.equal(result.stdout, 'read got EOF\nafter\n');
});

test('a wrapped script sees its root in $R and is strict about unset variables', async () => {
  const root = await connection.run(wrapScript('/tmp/some root', 'f() { printf "[%s]" "$R"; }', 'f'));
  assert.equal(root.stdout, '[/tmp/some root]');
  const unset = await connection.run(wrapScript(undefined, '', 'echo "$NO_SUCH_VARIABLE_ZZ"\necho not reached'));
  assert.notEqual(unset.exitCode, 0);
  assert.doesNotMatch(unset.stdout, /not reached/);
});

test('close resolves', async () => {
  await connection.close();
});
