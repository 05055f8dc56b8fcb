// The roles' `asserts:` checked against a host's variables: conditions between variables that a JSON
// Schema cannot state (a web server role's certificate list must name certificates of acme_certificates).
import type { Problem } from '../model/errors.js';
import type { Position } from '../model/inventory.js';
import { createEnvironment } from '../template/environment.js';
import { ExpressionEvaluator } from '../template/expressions.js';
import type { Role } from '../load/role.js';
import type { PreparedHost } from './prepare-hosts.js';
import { maskSecrets } from './mask-secrets.js';

const evaluators = new WeakMap<Role, ExpressionEvaluator>();

function evaluatorOf(role: Role): ExpressionEvaluator {
  let evaluator = evaluators.get(role);
  if (!evaluator) {
    evaluator = new ExpressionEvaluator(createEnvironment(role.templates), role.manifestSource.file);
    evaluators.set(role, evaluator);
  }
  return evaluator;
}

/**
 * One problem per failed assertion (per failing loop element), at the variable's place; a warning
 * assertion's is a warning. `only: 'warning'`: the warnings alone (checked again with the host's facts).
 */
export function checkAssertions(
  roles: Role[],
  vars: Record<string, unknown>,
  where: (path: (string | number)[]) => Partial<Position>,
  host: string,
  only?: 'warning',
): Problem[] {
  const problems: Problem[] = [];
  for (const role of roles) {
    const evaluator = evaluatorOf(role);
    for (const assertion of role.manifest.asserts ?? []) {
      if (only && assertion.severity !== only) continue;
      const severity = assertion.severity ? { severity: assertion.severity } : {};
      try {
        const items = assertion.loop === undefined ? [undefined] : evaluator.value(assertion.loop, vars);
        if (!Array.isArray(items)) throw new Error(`loop: expected a list, got ${JSON.stringify(items)}`);
        items.forEach((item, index) => {
          const context = assertion.loop === undefined ? vars : { ...vars, item };
          if (evaluator.truthy(assertion.that, context)) return;
          const path = assertion.loop === undefined ? [assertion.variable] : [assertion.variable, index];
          const variable = assertion.loop === undefined ? assertion.variable : `${assertion.variable}[${index}]`;
          problems.push({ ...where(path), hosts: [host], variable, message: String(evaluator.field(assertion.message, context)), ...severity });
        });
      } catch (error) {
        problems.push({
          ...where([assertion.variable]),
          hosts: [host],
          variable: assertion.variable,
          message: `role ${role.name}: cannot check: ${(error as Error).message}`,
        });
      }
    }
  }
  return problems;
}

/**
 * The roles' warning assertions checked again with the variables a host was finally rendered with (its
 * facts): what `plan` and `apply` warn about, with the host's own versions. A secret is never shown.
 */
export function hostWarnings(host: PreparedHost, roles: Role[], vars: Record<string, unknown>): Problem[] {
  return checkAssertions(roles, vars, host.positionOf ?? (() => ({})), host.name, 'warning').map((problem) => ({
    ...problem,
    message: maskSecrets(problem.message, host.secretValues),
  }));
}
