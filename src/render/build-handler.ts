// A role's handler (role.yml `handlers:`) rendered for one host: its steps, in order. A handler is one
// shell `command`, one `reload` of a service (the shared reload mechanism, templates/reload-service.sh),
// or a list of `steps` of either kind; the first step that fails fails the handler.
import type { HandlerSpec, HandlerStepSpec } from '../model/role-manifest.js';
import type { Handler, HandlerStep } from '../model/desired.js';
import { show } from '../load/schema/describe-error.js';
import { FieldError } from './build-resource.js';

/** A service name as systemctl and service(8) take it: no option, path or shell syntax. */
const unitName = /^[A-Za-z0-9][A-Za-z0-9@._:-]*$/;

type Evaluate = (field: string, context: Record<string, unknown>) => unknown;

/** A problem in a step: `path` is the step below `handlers[i]` (['steps', 1], or [] for a one-step handler). */
export class HandlerFieldError extends Error {
  constructor(
    readonly path: (string | number)[],
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

function buildStep(
  spec: HandlerStepSpec,
  evaluate: Evaluate,
  truthy: (expression: string) => boolean,
  context: Record<string, unknown>,
  path: (string | number)[],
): HandlerStep | undefined {
  const field = 'reload' in spec ? 'reload' : 'command';
  try {
    if (spec.when !== undefined && !truthy(spec.when)) return undefined;
    if ('reload' in spec) {
      const unit = evaluate(spec.reload, context);
      if (typeof unit !== 'string' || !unitName.test(unit))
        throw new FieldError('reload', `reload: ${show(unit)} is not a service name (letters, digits and @._:- only)`);
      return { kind: 'reload', unit };
    }
    return { kind: 'command', command: String(evaluate(spec.command, context)) };
  } catch (error) {
    // fieldProblem (render-host.ts) points at the cause's `field` below this step.
    throw new HandlerFieldError(path, error instanceof FieldError ? error : Object.assign(error as Error, { field }));
  }
}

/** The handler for this host, or undefined when its `when` is false. */
export function buildHandler(
  spec: HandlerSpec,
  role: string,
  evaluate: Evaluate,
  truthy: (expression: string) => boolean,
  context: Record<string, unknown>,
): Handler | undefined {
  if (spec.when !== undefined && !truthy(spec.when)) return undefined;
  const specs: { step: HandlerStepSpec; path: (string | number)[] }[] = spec.steps
    ? spec.steps.map((step, index) => ({ step, path: ['steps', index] }))
    : [{ step: spec.reload !== undefined ? { reload: spec.reload } : { command: spec.command! }, path: [] }];
  const steps = specs.map(({ step, path }) => buildStep(step, evaluate, truthy, context, path)).filter((s): s is HandlerStep => s !== undefined);
  return { name: spec.name, role, steps };
}
