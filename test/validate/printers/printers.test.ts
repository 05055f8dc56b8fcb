// Every output format is parsed back: JSON parses, JUnit is well-formed XML with the right counts,
// GitHub lines follow the workflow-command syntax.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { githubReport } from '../../../src/validate/printers/github.js';
import { validationJsonReport } from '../../../src/validate/printers/json.js';
import { junitReport } from '../../../src/validate/printers/junit.js';
import { textReport } from '../../../src/validate/printers/text.js';
import type { ValidationReport } from '../../../src/validate/problem.js';

const shellProblem = {
  severity: 'error',
  check: 'shell',
  file: 'roles/x/templates/run.sh.njk',
  line: 12,
  host: 'web1',
  path: '/etc/cron.daily/run',
  message: '/etc/cron.daily/run:14: SC2086: Double quote to prevent globbing, "a,b" & <c>',
} as const;
const schemaProblem = {
  severity: 'error',
  check: 'inventory',
  file: 'inv/host_vars/web2.yml',
  line: 3,
  col: 5,
  host: 'web2',
  message: 'acme_domains[0]: "bad name" is not a DNS name',
} as const;
const warning = {
  severity: 'warning',
  check: 'apache',
  file: 'inv/inventory.yml',
  message: 'the apache check was not run: apache2ctl (Debian package apache2) is not installed',
} as const;

const report: ValidationReport = {
  inventories: ['inv/inventory.yml'],
  problems: [shellProblem, schemaProblem, warning],
  cases: [
    { host: 'web1', name: 'variables and templates', problems: [] },
    { host: 'web1', name: '/etc/cron.daily/run', problems: [shellProblem] },
    { host: 'web1', name: '/etc/apache2/conf-available/tls.conf', problems: [] },
    { host: 'web2', name: 'variables and templates', problems: [schemaProblem] },
    { host: 'inv/inventory.yml', name: 'inventory and checkers', problems: [warning] },
  ],
  hosts: 2,
  files: 3,
};

test('text: one line per problem, file:line: host: message', () => {
  const lines = textReport(report).trimEnd().split('\n');
  assert.equal(lines[0], `roles/x/templates/run.sh.njk:12: web1: ${shellProblem.message}`);
  assert.equal(lines[1], 'inv/host_vars/web2.yml:3:5: web2: acme_domains[0]: "bad name" is not a DNS name');
  assert.match(lines[2]!, /^inv\/inventory\.yml: warning: the apache check was not run/);
  assert.match(lines[3]!, /^2 error\(s\), 1 warning\(s\)/);
});

test('json: one document that parses, with a summary', () => {
  const doc = JSON.parse(validationJsonReport(report));
  assert.equal(doc.problems.length, 3);
  assert.deepEqual(doc.summary, { hosts: 2, files: 3, errors: 2, warnings: 1 });
  assert.equal(doc.problems[1].col, 5);
  assert.equal(doc.problems[2].host, null);
});

test('github: every line is a workflow command with escaped properties and message', () => {
  const lines = githubReport(report).trimEnd().split('\n');
  assert.equal(lines.length, 3);
  const syntax = /^::(error|warning) ((?:file|line|col|title)=[^,:]*)(,(?:file|line|col|title)=[^,:]*)*::[^\r\n]*$/;
  for (const line of lines) assert.match(line, syntax);
  assert.ok(
    lines[0]!.startsWith(
      '::error file=roles/x/templates/run.sh.njk,line=12,title=provision shell (web1)::web1: /etc/cron.daily/run%3A14'.replace('%3A14', ':14'),
    ),
  );
  assert.match(lines[1]!, /,line=3,col=5,/);
  assert.match(lines[2]!, /^::warning file=inv\/inventory.yml,title=provision apache::/);
});

test('junit: well-formed XML, one test case per host and file, failures counted', () => {
  const xml = junitReport(report);
  assert.equal(XMLValidator.validate(xml), true);
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
  const suite = parsed.testsuites.testsuite;
  assert.equal(suite.tests, '5');
  assert.equal(suite.failures, '2');
  assert.equal(suite.testcase.length, 5);
  const failing = suite.testcase.filter((c: { failure?: unknown }) => c.failure !== undefined);
  assert.deepEqual(
    failing.map((c: { classname: string; name: string }) => `${c.classname} ${c.name}`),
    ['web1 /etc/cron.daily/run', 'web2 variables and templates'],
  );
  assert.match(failing[0].failure['#text'], /SC2086/);
});
