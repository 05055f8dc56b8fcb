import type { Problem } from '../model/errors.js';
import type { Role } from '../load/role.js';
import { positionAt } from '../load/yaml/position.js';
import { show } from '../load/schema/describe-error.js';
import type { ConfigCheck, DesiredState, ForeignLinks, Handler, Resource } from '../model/desired.js';
import { createEnvironment } from '../template/environment.js';
import type { TemplateEnvironment } from '../template/environment.js';
import { ExpressionEvaluator } from '../template/expressions.js';
import { buildResource, FieldError } from './build-resource.js';
import { buildHandler, HandlerFieldError } from './build-handler.js';
import { templateProblem } from '../template/template-error.js';
import { layered } from '../template/data-only-runtime.js';
import { hostServices } from './services.js';
import { hostEndpoints } from './endpoints.js';

/** A role ready to render: its environment and expression cache live for the whole run. */
export interface RoleRenderer {
  role: Role;
  env: TemplateEnvironment;
  evaluator: ExpressionEvaluator;
}

export function prepareRenderers(roles: Iterable<Role>): Map<string, RoleRenderer> {
  const renderers = new Map<string, RoleRenderer>();
  for (const role of roles) {
    const env = createEnvironment(role.templates);
    renderers.set(role.name, { role, env, evaluator: new ExpressionEvaluator(env, role.manifestSource.file) });
  }
  return renderers;
}

const metaFields = new Set(['loop', 'when', 'template', 'source']);

function sameResource(a: Resource, b: Resource): boolean {
  const strip = (r: Resource) => JSON.stringify({ ...r, role: '', notify: [] });
  return strip(a) === strip(b);
}

/**
 * Renders every role of one host into its DesiredState. Problems are collected, not thrown, so one run
 * reports every broken template and field at once.
 */
export function renderHost(
  host: string,
  roleNames: string[],
  hostVars: Record<string, unknown>,
  renderers: Map<string, RoleRenderer>,
): { state: DesiredState; problems: Problem[] } {
  const problems: Problem[] = [];
  // Every role's services and endpoints first: any role's templates and expressions may read them.
  const services = hostServices(host, roleNames, hostVars, renderers);
  problems.push(...services.problems);
  // The TLS endpoints too: the letsencrypt role's metrics file asks them what they serve.
  const endpoints = hostEndpoints(host, roleNames, hostVars, renderers);
  problems.push(...endpoints.problems);
  const context = { ...hostVars, provision_services: services.services, provision_endpoints: endpoints.endpoints };
  const resources: Resource[] = [];
  const byId = new Map<string, Resource>();
  const handlers: Handler[] = [];

  for (const roleName of roleNames) {
    const renderer = renderers.get(roleName);
    if (!renderer) continue; // unknown roles are reported when variables are checked
    const { role, env, evaluator } = renderer;
    const at = (path: (string | number)[]) => positionAt(role.manifestSource, path);

    role.manifest.resources.forEach((entry, index) => {
      const kind = Object.keys(entry)[0]!;
      const spec = (entry as unknown as Record<string, Record<string, unknown>>)[kind]!;
      const specPath = ['resources', index, kind];
      let items: unknown[] = [undefined];
      try {
        if (typeof spec.loop === 'string') {
          const looped = evaluator.value(spec.loop, context);
          if (!Array.isArray(looped)) throw new FieldError('loop', `loop: expected a list, got ${show(looped)}`);
          items = looped;
        }
      } catch (error) {
        problems.push(fieldProblem(error, at, specPath, host, role.manifestSource.file));
        return;
      }
      for (const item of items) {
        const itemContext = spec.loop === undefined ? context : layered(context, { item });
        try {
          if (typeof spec.when === 'string' && !evaluator.truthy(spec.when, itemContext)) continue;
          const fields: Record<string, unknown> = {};
          for (const [name, value] of Object.entries(spec)) {
            if (metaFields.has(name)) continue;
            try {
              fields[name] = evaluator.field(value, itemContext);
            } catch (error) {
              throw Object.assign(error as Error, { field: (error as { field?: string }).field ?? name });
            }
          }
          let content: string | undefined;
          let templatePath: string | undefined;
          if (kind === 'file') {
            if (spec.template !== undefined) {
              try {
                const template = env.getTemplate(String(spec.template));
                templatePath = (template as unknown as { path?: string }).path;
                content = template.render(itemContext);
              } catch (error) {
                problems.push(templateProblem(error, String(spec.template), host));
                continue;
              }
            }
            // Plain files, verbatim after the template's output (read with the role).
            const plain = spec.source === undefined ? [] : [spec.source].flat().map((name) => role.sources.get(String(name))!);
            if (plain.length > 0) {
              content = (content ?? '') + plain.map((source) => source.text).join('');
              templatePath ??= plain[0]!.path;
            }
          }
          const resource = buildResource(kind, fields, role.name, content, templatePath);
          if (resource.kind === 'user') resource.nameVariable = variableOf(spec.name);
          const existing = byId.get(resource.id);
          if (!existing) {
            byId.set(resource.id, resource);
            resources.push(resource);
          } else if (sameResource(existing, resource)) {
            existing.notify = [...new Set([...existing.notify, ...resource.notify])];
          } else {
            problems.push({
              ...at(specPath),
              hosts: [host],
              message: `${resource.id} is managed twice with different settings (roles ${existing.role} and ${role.name})`,
            });
          }
        } catch (error) {
          problems.push(fieldProblem(error, at, specPath, host, role.manifestSource.file));
        }
      }
    });

    for (const [index, handler] of (role.manifest.handlers ?? []).entries()) {
      try {
        const built = buildHandler(
          handler,
          role.name,
          (field, ctx) => evaluator.field(field, ctx),
          (expression) => evaluator.truthy(expression, context),
          context,
        );
        if (built) handlers.push(built);
      } catch (error) {
        if (error instanceof HandlerFieldError)
          problems.push(fieldProblem(error.cause, at, ['handlers', index, ...error.path], host, role.manifestSource.file));
        else problems.push(fieldProblem(error, at, ['handlers', index], host, role.manifestSource.file));
      }
    }
  }

  const checks = renderChecks(host, roleNames, resources, context, renderers, problems);
  const foreignLinks: ForeignLinks[] = [];
  for (const name of roleNames) {
    const renderer = renderers.get(name);
    if (!renderer) continue;
    (renderer.role.manifest.foreign_links ?? []).forEach((spec, index) => {
      try {
        const dir = String(renderer.evaluator.field(spec.dir, context)).replace(/\/+$/, '');
        const uses = String(renderer.evaluator.field(spec.uses, context)).replace(/\/*$/, '/');
        foreignLinks.push({ dir, uses, label: spec.label, role: name });
      } catch (error) {
        problems.push(
          fieldProblem(error, (path) => positionAt(renderer.role.manifestSource, path), ['foreign_links', index], host, renderer.role.manifestSource.file),
        );
      }
    });
  }

  const handlerNames = new Set(handlers.map((h) => h.name));
  for (const resource of resources) {
    for (const name of [...resource.notify, ...(resource.notifyRemoved ?? [])]) {
      if (!handlerNames.has(name))
        problems.push({
          file: renderers.get(resource.role)!.role.manifestSource.file,
          hosts: [host],
          message: `${resource.id} notifies unknown handler ${JSON.stringify(name)}`,
        });
    }
  }
  return {
    state: { host, resources, handlers, ...(checks.length > 0 ? { checks } : {}), ...(foreignLinks.length > 0 ? { foreignLinks } : {}) },
    problems,
  };
}

/**
 * The manifest checks the host's files name (`check: [myapp]`), rendered with its variables, so that
 * plan and apply need no variables. A check is declared by one role (load-roles.ts sees to that),
 * perhaps one the host does not list (a role of its own naming a built-in one): its defaults then
 * stand in for the variables the host does not have.
 */
function renderChecks(
  host: string,
  roleNames: string[],
  resources: Resource[],
  context: Record<string, unknown>,
  renderers: Map<string, RoleRenderer>,
  problems: Problem[],
): ConfigCheck[] {
  const names = new Set(resources.flatMap((r) => (r.kind === 'file' ? (r.checks ?? []) : [])));
  const checks: ConfigCheck[] = [];
  for (const name of names) {
    const renderer = [...renderers.values()].find((r) => r.role.manifest.checks?.[name] !== undefined);
    if (!renderer) continue; // a built-in checker of `provision validate` only
    const { role, evaluator } = renderer;
    const spec = role.manifest.checks![name]!;
    const checkContext = roleNames.includes(role.name) ? context : { ...role.defaults, ...context };
    const rendered: Record<string, string> = {};
    for (const field of ['root', 'command'] as const) {
      try {
        rendered[field] = String(evaluator.field(spec[field], checkContext));
      } catch (error) {
        problems.push(fieldProblem(error, (path) => positionAt(role.manifestSource, path), ['checks', name, field], host, role.manifestSource.file));
      }
    }
    if (rendered.root === undefined || rendered.command === undefined) continue;
    checks.push({
      name,
      label: spec.label,
      root: rendered.root,
      command: rendered.command,
      ...(spec.tools ? { tools: spec.tools } : {}),
      ...(spec.findings ? { findings: spec.findings } : {}),
    });
  }
  return checks;
}

/** `acme_user` for a field that is exactly `{{ acme_user }}`: where an error about its value points. */
function variableOf(field: unknown): string | undefined {
  return typeof field === 'string' ? /^\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(field)?.[1] : undefined;
}

function fieldProblem(
  error: unknown,
  at: (path: (string | number)[]) => ReturnType<typeof positionAt>,
  specPath: (string | number)[],
  host: string,
  manifestFile: string,
): Problem {
  const field = (error as { field?: string }).field;
  if (error instanceof FieldError) return { ...at(field ? [...specPath, field] : specPath), hosts: [host], message: error.message };
  const problem = templateProblem(error, manifestFile, host);
  // An expression inside role.yml: point at the field, keep the template's explanation.
  return { ...problem, ...at(field ? [...specPath, field] : specPath), message: field ? `${field}: ${problem.message}` : problem.message };
}
