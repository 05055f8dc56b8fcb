#!/usr/bin/env node
// yargs wiring only: each command's logic lives in src/commands/. Errors from anywhere below are
// printed here and nowhere else. A command's module is imported only when that command runs: loading
// them all (schemas compiled, checkers, ssh) would cost every run, --version and --help included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { validateOutputFormats } from './commands/validate-output-formats.js';
import { stopChildren } from '../host/children.js';
import type { ConnectOptions } from '../host/types.js';
import { ExitCode, formatProblem, InputError, ProvisionError, UsageError } from '../model/errors.js';
import { takeWarnings } from '../model/warnings.js';
import { packageRoot } from '../model/paths.js';
import { standardOutput } from './report/output.js';

const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

const commonOptions = {
  i: {
    alias: 'inventory-file',
    type: 'string',
    describe: 'An inventory source: file, directory or script (repeatable, merged in order, as ansible -i)',
    requiresArg: true,
  },
  limit: { alias: 'l', type: 'string', describe: 'Only hosts matching this pattern (Ansible syntax: web*,!web3,&prod)', requiresArg: true },
  'extra-vars': {
    alias: 'e',
    type: 'string',
    describe: 'Extra variables, highest precedence: KEY=VALUE, YAML/JSON, or @file.yml (repeatable)',
    requiresArg: true,
  },
  'vault-password-file': {
    type: 'string',
    describe: 'Ansible Vault password file; an executable one is run (repeatable; default $ANSIBLE_VAULT_PASSWORD_FILE)',
    requiresArg: true,
  },
  'vault-id': { type: 'string', describe: 'Vault password as [LABEL@]SOURCE, SOURCE a file, a script or prompt (repeatable)', requiresArg: true },
  'ask-vault-pass': { type: 'boolean', describe: 'Ask for the vault password (on a terminal)' },
} as const;

/** Vault passwords are read (scripts run, prompts shown) before the command, as Ansible does. */
async function loadVault(args: Record<string, unknown>): Promise<void> {
  const passwordFiles = list(args['vault-password-file']);
  const vaultIds = list(args['vault-id']);
  const askVaultPass = args['ask-vault-pass'] === true;
  if (passwordFiles.length === 0 && vaultIds.length === 0 && !askVaultPass && !process.env.ANSIBLE_VAULT_PASSWORD_FILE) return;
  const { loadVaultSecrets, setVaultSecrets } = await import('../load/inventory/vault/vault-secrets.js');
  setVaultSecrets(await loadVaultSecrets({ passwordFiles, vaultIds, askVaultPass }));
}

const runOptions = {
  ...commonOptions,
  forks: { alias: 'f', type: 'number', default: 10, describe: 'Hosts worked on in parallel' },
  root: { type: 'string', describe: "Place each host's managed tree under DIR/<host>/ (like DESTDIR)", requiresArg: true },
  json: { type: 'boolean', default: false, describe: 'Print exactly one JSON document' },
  'detailed-exitcode': { type: 'boolean', default: false, describe: 'Exit 2 when there are changes (pending in check mode, made otherwise)' },
  become: { alias: 'b', type: 'boolean', describe: 'Run the scripts through sudo -n (hosts without ansible_become)' },
  'become-user': { type: 'string', describe: 'User to become (default root; hosts without ansible_become_user)', requiresArg: true },
  'host-key-checking': {
    choices: ['yes', 'accept-new'] as const,
    default: 'yes' as const,
    describe: "yes: refuse unknown ssh host keys; accept-new: trust a new host's key on first use",
  },
  timeout: { type: 'number', describe: "Seconds one host's whole run may take (also ssh's ConnectTimeout, default 10)", requiresArg: true },
  'rotate-key': {
    type: 'string',
    describe: "Rotate this certificate's key (a name of acme_certificates; repeatable): a new key beside it, swapped in with its certificate",
    requiresArg: true,
  },
} as const;

/** -i values, then positional ones; none: what ANSIBLE_INVENTORY or ansible.cfg names (as Ansible). */
async function inventoryOf(args: { i?: unknown; inventory?: unknown }): Promise<string[]> {
  const { chooseInventory } = await import('./commands/inventory-args.js');
  const chosen = chooseInventory(list(args.i), list(args.inventory));
  if (!chosen)
    throw new UsageError('name an inventory (a file, a directory or -i SOURCE), or set one in ansible.cfg ([defaults] inventory = ...) or ANSIBLE_INVENTORY');
  return chosen.sources;
}

function connectOptions(args: { become?: boolean; 'become-user'?: string; 'host-key-checking': 'yes' | 'accept-new'; timeout?: number }): ConnectOptions {
  if (args.timeout !== undefined && !(args.timeout > 0)) throw new UsageError(`--timeout must be a number of seconds above 0, not ${args.timeout}`);
  return { become: args.become, becomeUser: args['become-user'], hostKeyChecking: args['host-key-checking'], timeoutSeconds: args.timeout };
}

/** What apply and plan take alike from their options (runOptions). */
async function runArguments(args: {
  i?: unknown;
  inventory?: unknown;
  limit?: string;
  forks: number;
  'extra-vars'?: unknown;
  root?: string;
  json: boolean;
  'detailed-exitcode': boolean;
  become?: boolean;
  'become-user'?: string;
  'host-key-checking': 'yes' | 'accept-new';
  timeout?: number;
  'rotate-key'?: unknown;
}) {
  return {
    rotateKeys: list(args['rotate-key']),
    inventory: await inventoryOf(args),
    limit: args.limit,
    forks: args.forks,
    extraVars: list(args['extra-vars']),
    root: args.root,
    json: args.json,
    detailedExitcode: args['detailed-exitcode'],
    connection: connectOptions(args),
  };
}

let exitCode: number = ExitCode.ok;

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('provision')
    .usage('$0 <command> [INVENTORY...] [options]')
    .command(
      'apply [inventory..]',
      'Make every host match its rendered configuration',
      (y) =>
        y
          .positional('inventory', {
            type: 'string',
            array: true,
            describe: 'Inventory sources: YAML, INI, JSON, script or directory (default: ansible.cfg, ANSIBLE_INVENTORY)',
          })
          .options(runOptions)
          .option('check', { alias: 'C', type: 'boolean', default: false, describe: 'Change nothing; report what would change' })
          .option('diff', { alias: 'D', type: 'boolean', default: false, describe: 'Show a unified diff of every changed file' })
          .option('backup', { type: 'boolean', default: false, describe: 'Keep each replaced file as FILE.PID.DATE~' })
          .option('ignore-rate-limits', {
            type: 'boolean',
            default: false,
            describe: "Apply even when Let's Encrypt production would refuse some of the new certificates (over 50 per registered domain)",
          }),
      async (args) => {
        const { applyCommand } = await import('./commands/apply.js');
        exitCode = await applyCommand(
          {
            ...(await runArguments(args)),
            check: args.check,
            diff: args.diff,
            backup: args.backup,
            ignoreRateLimits: args['ignore-rate-limits'],
          },
          standardOutput(),
        );
      },
    )
    .command(
      'plan [inventory..]',
      'Show what apply would change, as a diff (= apply --check --diff); writes nothing',
      (y) =>
        y
          .positional('inventory', {
            type: 'string',
            array: true,
            describe: 'Inventory sources: YAML, INI, JSON, script or directory (default: ansible.cfg, ANSIBLE_INVENTORY)',
          })
          .options(runOptions),
      async (args) => {
        const { planCommand } = await import('./commands/plan.js');
        exitCode = await planCommand(await runArguments(args), standardOutput());
      },
    )
    .command(
      'status [inventory..]',
      "Each host's certificates as they are and what its daemons serve, judged against each certificate's lifetime; read-only",
      (y) =>
        y
          .positional('inventory', {
            type: 'string',
            array: true,
            describe: 'Inventory sources: YAML, INI, JSON, script or directory (default: ansible.cfg, ANSIBLE_INVENTORY)',
          })
          .options(commonOptions)
          .options({
            forks: runOptions.forks,
            root: runOptions.root,
            become: runOptions.become,
            'become-user': runOptions['become-user'],
            'host-key-checking': runOptions['host-key-checking'],
            timeout: runOptions.timeout,
          })
          .option('format', {
            choices: ['text', 'json', 'prometheus', 'nagios'] as const,
            default: 'text' as const,
            describe: 'Output: text, json, prometheus (text exposition) or nagios (one line, plugin exit codes)',
          }),
      async (args) => {
        const { statusCommand } = await import('./commands/status.js');
        exitCode = await statusCommand(
          {
            inventory: await inventoryOf(args),
            limit: args.limit,
            forks: args.forks,
            extraVars: list(args['extra-vars']),
            root: args.root,
            format: args.format,
            connection: connectOptions(args),
          },
          standardOutput(),
        );
      },
    )
    .command(
      'render [inventory..]',
      "Write each host's rendered files under DIR/<host>/<path> without connecting to anything",
      (y) =>
        y
          .positional('inventory', {
            type: 'string',
            array: true,
            describe: 'Inventory sources: YAML, INI, JSON, script or directory (default: ansible.cfg, ANSIBLE_INVENTORY)',
          })
          .options(commonOptions)
          .option('out', { alias: 'o', type: 'string', demandOption: true, requiresArg: true, describe: 'Output directory' }),
      async (args) => {
        const { renderCommand } = await import('./commands/render.js');
        exitCode = await renderCommand(
          { inventory: await inventoryOf(args), out: args.out, limit: args.limit, extraVars: list(args['extra-vars']) },
          standardOutput(),
        );
      },
    )
    .command(
      'hosts [inventory..]',
      'List hosts with their groups and roles; --vars adds the merged inventory variables',
      (y) =>
        y
          .positional('inventory', {
            type: 'string',
            array: true,
            describe: 'Inventory sources: YAML, INI, JSON, script or directory (default: ansible.cfg, ANSIBLE_INVENTORY)',
          })
          .options(commonOptions)
          .option('vars', { type: 'boolean', default: false, describe: 'Show merged inventory variables (as ansible-inventory --list)' })
          .option('defaults', { type: 'boolean', default: false, describe: 'With --vars: include role defaults' })
          .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
      async (args) => {
        const { hostsCommand } = await import('./commands/hosts.js');
        exitCode = await hostsCommand(
          {
            inventory: await inventoryOf(args),
            vars: args.vars,
            defaults: args.defaults,
            json: args.json,
            limit: args.limit,
            extraVars: list(args['extra-vars']),
          },
          standardOutput(),
        );
      },
    )
    .command(
      'validate [inventories..]',
      'Check every variable, template and rendered file with the program that reads it, in a sandbox; for CI',
      (y) =>
        y
          .positional('inventories', {
            type: 'string',
            array: true,
            describe: 'Inventories, each validated on its own (default: ansible.cfg/ANSIBLE_INVENTORY, else inventories/*/inventory.yml)',
          })
          .options(commonOptions)
          .option('strict', {
            type: 'boolean',
            default: false,
            describe: 'Warnings are errors: a checker that is not installed, and what Ansible only warns about (duplicate key, unknown group key)',
          })
          .option('format', { choices: validateOutputFormats, default: 'text' as const, describe: 'Output: text, json, github (annotations) or junit (XML)' }),
      async (args) => {
        const { validateCommand } = await import('./commands/validate.js');
        const merged = list(args.i);
        exitCode = await validateCommand(
          {
            inventories: [...(merged.length > 0 ? [merged] : []), ...(args.inventories ?? []).map(String)],
            limit: args.limit,
            extraVars: list(args['extra-vars']),
            strict: args.strict,
            format: args.format,
          },
          standardOutput(),
        );
      },
    )
    .example('$0 apply inventories/example/inventory.yml', 'apply every host')
    .example('$0 plan inventories/example/inventory.yml --detailed-exitcode', 'drift check: exit 2 when something would change')
    .example('$0 apply inv.yml --limit web1.example.test -e acme_directory_url=staging', 'one host, one variable overridden')
    .example('$0 status inv.yml --format nagios', "monitoring: every certificate's health, one line, plugin exit codes")
    .example('$0 render inv.yml --out /tmp/rendered', 'inspect rendered files')
    .example('$0 hosts inv.yml --vars --json', 'merged variables, as ansible-inventory --list')
    .example('$0 validate --strict --format github', 'CI: check every inventory under inventories/')
    .epilogue(
      [
        "Keeps Let's Encrypt certificates and the TLS configuration of the services that use them",
        'right, from an Ansible inventory.',
        '',
        'Exit codes: 0 ok; 1 usage, inventory or template error (nothing touched);',
        '2 changes (with --detailed-exitcode); 3 a host failed; 4 a host unreachable;',
        '5 (status) some certificate is not ok.',
      ].join('\n'),
    )
    .middleware(loadVault)
    .demandCommand(1, 'Name a command: apply, plan, status, render, hosts or validate.')
    .strict()
    .version(version)
    .help()
    .wrap(Math.min(120, process.stdout.columns || 120))
    .fail((message, error) => {
      if (error) throw error;
      throw new ProvisionError(`${message}\nRun 'provision --help' for usage.`, ExitCode.usage);
    })
    .parseAsync();
}

/** What Ansible only warns about, once each, on stderr; it never changes the exit code. */
function reportWarnings(): void {
  for (const warning of takeWarnings()) process.stderr.write(`warning: ${formatProblem(warning)}\n`);
}

function report(error: unknown): number {
  reportWarnings();
  if (error instanceof InputError) {
    for (const line of error.message.split('\n')) process.stderr.write(`error: ${line}\n`);
    process.stderr.write(`${error.problems.length} problem(s) found; nothing was changed.\n`);
    return error.exitCode;
  }
  if (error instanceof ProvisionError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`internal error (a bug in provision): ${(error as Error)?.stack ?? String(error)}\n`);
  return 70;
}

// A reader that went away (`provision plan ... | head`) must not abort a run half way: the run goes on,
// its output is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// An interrupt is passed on to the scripts we started (they remove their temp files), then we leave.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\ninterrupted (${signal}); stopping running scripts\n`);
    void stopChildren(signal).finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  });
}

main(hideBin(process.argv)).then(
  () => {
    reportWarnings();
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
