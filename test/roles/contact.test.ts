// acme_contact and the acme-tiny version (issue 10 item 1): acme-tiny 5.0.1, Debian's, dies with
// KeyError: 'contact' when given contacts by Let's Encrypt, whose account objects carry none since
// 2025-06-04 (diafygi/acme-tiny#299, fixed in 5.0.2; shared/docs/ca-2026.md). The renewal script's
// header, rendered by test/roles/render-host.mjs with the fact's variable as plan would set it, passes
// the contacts to 5.0.2 or later only; the fact reads the version /usr/bin/acme-tiny runs, from the
// Debian package on this machine and from a real pip install in a private mount namespace. The
// script's own retry without --contact, and a whole renewal, are in e2e-contact.sh.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';
import { factVersion } from '../../src/probe/facts.js';
import { loadRoles } from '../../src/load/load-roles.js';
import { builtinRolesDir } from '../../src/model/paths.js';

const fact = loadRoles([builtinRolesDir])
  .roles.get('letsencrypt')!
  .facts.find((f) => f.name === 'acme_tiny')!;
const contacts = ['mailto:hostmaster@example.test', 'mailto:ops@example.test'];

/** The CONTACTS line of the renewal script rendered for each acme_tiny_version (absent: the role default). */
function contactsLines(versions: (string | null | undefined)[]): string[] {
  const base = mkdtempSync(join(tmpdir(), 'provision-contact-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  const args = versions.flatMap((version, index) => {
    const vars = {
      provision_roles: ['letsencrypt'],
      acme_domains: ['contact.example.test'],
      acme_contact: contacts,
      ...(version === undefined ? {} : { acme_tiny_version: version }),
    };
    writeFileSync(join(base, `${index}.json`), JSON.stringify(vars));
    return [join(base, `${index}.json`), join(base, `out${index}`)];
  });
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/roles/render-host.mjs', ...args], { cwd: projectRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return versions.map((_, index) => {
    const script = readFileSync(join(base, `out${index}`, 'usr/local/sbin/letsencrypt-renew'), 'utf8');
    return script.split('\n').find((line) => line.startsWith('CONTACTS='))!;
  });
}

test('the header passes acme_contact only to an acme-tiny of 5.0.2 or later; 5.0.1, older and unknown get none, and the line says why', () => {
  const [v501, unknown, v410, v502, v510] = contactsLines(['5.0.1', undefined, '4.1.0', '5.0.2', '5.1']);
  const notPassed = "CONTACTS='' # acme-tiny --contact; acme_contact is not passed: this acme-tiny is older than 5.0.2, or not known";
  assert.equal(v501, notPassed);
  assert.equal(unknown, notPassed, 'the role default (null: not known) passes none');
  assert.equal(v410, notPassed);
  assert.equal(v502, `CONTACTS='${contacts.join(' ')}' # acme-tiny --contact`);
  assert.equal(v510, `CONTACTS='${contacts.join(' ')}' # acme-tiny --contact`);
});

/** The fact as the probe runs it (shell/probe.sh probe_fact: the program, its args, stdout only). */
function runFact(prefix: string[] = []): string {
  const [program, ...args] = [...prefix, fact.programs[0]!, ...fact.args];
  return spawnSync(program!, args, { encoding: 'utf8' }).stdout.trim();
}

/** Debian's version of the installed package, read independently: 1:5.0.1-1 -> 5.0.1. */
function debianPackageVersion(): string {
  const full = execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'acme-tiny'], { encoding: 'utf8' });
  return full.replace(/^\d+:/, '').replace(/-[^-]*$/, '');
}

test("the fact reads the Debian package's version from what /usr/bin/acme-tiny loads, as the kept fixture has it", () => {
  assert.deepEqual(fact.programs, ['/usr/bin/python3'], "the interpreter of Debian's /usr/bin/acme-tiny, by its path (PATH may name another)");
  const output = runFact();
  assert.equal(output, readFileSync(join(projectRoot, 'test/fixtures/facts/acme-tiny-debian-12.txt'), 'utf8').trim(), 'the fixture is this output');
  assert.equal(factVersion(fact, output), debianPackageVersion());
  assert.equal(factVersion(fact, output), '5.0.1', "Debian 12's acme-tiny, the one that dies on KeyError: 'contact'");
});

test("a pip install that shadows Debian's (/usr/local, first on the path) is what /usr/bin/acme-tiny runs, and what the fact reads", () => {
  // A real pip install of a package named acme-tiny 5.0.2 built from Debian's own acme_tiny.py (no
  // network here to fetch upstream's 5.0.2): the fact reads the distribution's metadata, not its code.
  const base = mkdtempSync(join(tmpdir(), 'provision-acme-tiny-pip-'));
  after(() => rmSync(base, { recursive: true, force: true }));
  const source = join(base, 'src');
  mkdirSync(source);
  cpSync('/usr/lib/python3/dist-packages/acme_tiny.py', join(source, 'acme_tiny.py'));
  writeFileSync(
    join(source, 'setup.py'),
    'from setuptools import setup\nsetup(name="acme-tiny", version="5.0.2", py_modules=["acme_tiny"], entry_points={"console_scripts": ["acme-tiny = acme_tiny:main"]})\n',
  );
  const site = join(base, 'site');
  const pip = spawnSync('/usr/bin/python3', ['-m', 'pip', 'install', '-q', '--no-index', '--no-deps', '--no-build-isolation', '--target', site, source], {
    encoding: 'utf8',
  });
  assert.equal(pip.status, 0, pip.stderr);
  // Only in a private mount namespace is the pip install /usr/local's site directory.
  const inNamespace = [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    `mount --bind "$0" /usr/local/lib/python3.11/dist-packages && exec "$@"`,
    site,
  ];
  const output = runFact(inNamespace);
  assert.equal(output, readFileSync(join(projectRoot, 'test/fixtures/facts/acme-tiny-pip.txt'), 'utf8').trim(), 'the fixture is this output');
  assert.equal(factVersion(fact, output), '5.0.2', output);
  const loaded = spawnSync(inNamespace[0]!, [...inNamespace.slice(1), '/usr/bin/python3', '-c', 'import acme_tiny; print(acme_tiny.__file__)'], {
    encoding: 'utf8',
  });
  assert.equal(loaded.stdout.trim(), '/usr/local/lib/python3.11/dist-packages/acme_tiny.py', 'the module /usr/bin/acme-tiny imports is the pip install');
  assert.equal(factVersion(fact, runFact()), '5.0.1', "outside, Debian's again");
});

test('no acme-tiny, or a message instead of a version, is no fact (unknown)', () => {
  for (const output of ['', '-', 'Traceback (most recent call last):', 'importlib.metadata.PackageNotFoundError: No package metadata was found for acme-tiny'])
    assert.equal(factVersion(fact, output), undefined, output);
});
