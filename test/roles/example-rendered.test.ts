// Every file the example inventory renders, checked the way its consumer will read it where the tool
// runs here: shell scripts through `sh -n` and `shellcheck`; nothing outdated (tls-facts.md) anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, provision } from '../helpers/cli.js';

const out = mkdtempSync(join(tmpdir(), 'provision-rendered-'));
const rendered = provision(['render', join(projectRoot, 'inventories/example/inventory.yml'), '--out', out]);

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map((p) => join(dir, String(p)))
    .filter((p) => lstatSync(p).isFile());
}

test('the example inventory renders', () => {
  assert.equal(rendered.code, 0, rendered.stderr);
  assert.ok(files(out).length >= 10);
});

test('every rendered shell script passes sh -n and shellcheck with no findings', () => {
  const scripts = files(out).filter((f) => readFileSync(f, 'utf8').startsWith('#!/bin/sh'));
  assert.ok(scripts.length >= 3, `expected the renewal and postfix scripts, found ${scripts.join(', ')}`);
  for (const script of scripts) {
    execFileSync('sh', ['-n', script]);
    try {
      execFileSync('shellcheck', ['-s', 'sh', script], { encoding: 'utf8' });
    } catch (error) {
      assert.fail(`shellcheck ${script}:\n${(error as { stdout?: string }).stdout}`);
    }
  }
});

test('no rendered file carries what tls-facts.md says is outdated', () => {
  const outdated = [
    /X3/,
    /SSLUseStapling/,
    /SSLStapling/,
    /SimpleHTTPServer/,
    /\bpkill\b/,
    /SSLCertificateChainFile/,
    /smtpd_tls_CAfile/,
    /lets-encrypt-.*\.pem/,
    /\bwget\b/,
  ];
  for (const file of files(out)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of outdated) assert.doesNotMatch(text, pattern, `${file} matches ${pattern}`);
  }
});

test('every rendered file says it is managed by provision', () => {
  for (const file of files(out)) assert.match(readFileSync(file, 'utf8'), /Managed by provision/, file);
});
