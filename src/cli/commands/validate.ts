import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ExitCode, UsageError } from '../../model/errors.js';
import { checkers } from '../../validate/checkers/index.js';
import { githubReport } from '../../validate/printers/github.js';
import { validationJsonReport } from '../../validate/printers/json.js';
import { junitReport } from '../../validate/printers/junit.js';
import { textReport } from '../../validate/printers/text.js';
import { errorCount } from '../../validate/problem.js';
import type { ValidateOutputFormat } from './validate-output-formats.js';
import type { ValidationReport } from '../../validate/problem.js';
import { validateProject } from '../../validate/validate-project.js';
import { chooseInventory } from './inventory-args.js';
import { takeWarnings } from '../../model/warnings.js';
import type { Output } from '../report/output.js';

export interface ValidateCommandOptions {
  /** each entry is validated on its own; an entry with several sources is one merged inventory */
  inventories: (string | readonly string[])[];
  limit?: string;
  extraVars: string[];
  strict: boolean;
  format: ValidateOutputFormat;
}

const printers: Record<ValidateOutputFormat, (report: ValidationReport) => string> = {
  text: textReport,
  json: validationJsonReport,
  github: githubReport,
  junit: junitReport,
};

/** With no inventory named: every inventories/<name>/inventory.yml below the working directory. */
function defaultInventories(): string[] {
  const dir = 'inventories';
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name, 'inventory.yml'))
    .filter((file) => existsSync(file));
}

/** `provision validate`: exit 0 when clean, 1 when anything is wrong (warnings alone do not fail; with --strict they are errors). */
export async function validateCommand(options: ValidateCommandOptions, out: Output): Promise<number> {
  const fromAnsible = options.inventories.length > 0 ? null : chooseInventory([], []);
  const inventories = options.inventories.length > 0 ? options.inventories : fromAnsible ? [fromAnsible.sources] : defaultInventories();
  if (inventories.length === 0)
    throw new UsageError('name an inventory: no inventories/<name>/inventory.yml here, and no ansible.cfg or ANSIBLE_INVENTORY names one');
  const report: ValidationReport = { inventories: inventories.map((i) => [i].flat().join(' ')), problems: [], cases: [], hosts: 0, files: 0 };
  for (const inventory of inventories) {
    const result = await validateProject(inventory, { limit: options.limit, extraVars: options.extraVars, strict: options.strict, checkers });
    report.problems.push(...result.problems);
    report.cases.push(...result.cases);
    report.hosts += result.hosts;
    report.files += result.files;
  }
  takeWarnings(); // the load stage's warnings are in the report already; the CLI must not print them again
  out.write(printers[options.format](report));
  return errorCount(report) > 0 ? ExitCode.usage : ExitCode.ok;
}
