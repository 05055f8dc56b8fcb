// The services of a host's roles that use its certificates (role.yml `services:`), evaluated with the
// host's variables into `provision_services`, the one variable through which a role learns which
// services to reload after a renewal or before the first issuance, without naming other roles.
import type { Problem } from '../model/errors.js';
import { stringFormats } from '../load/schema/string-formats.js';
import { show } from '../load/schema/describe-error.js';
import { positionAt } from '../load/yaml/position.js';
import type { RoleRenderer } from './render-host.js';
import { templateProblem } from '../template/template-error.js';

/** One element of `provision_services`. */
export interface HostService {
  role: string;
  unit: string;
  /** names of the host's certificates (acme_certificates) the service uses */
  certificates: string[];
  /** it serves the ACME HTTP-01 challenge */
  challenge: boolean;
}

/** The names of the host's certificates, from the letsencrypt role's variable (empty without it). */
function certificateNames(context: Record<string, unknown>): string[] {
  const certificates = context.acme_certificates;
  if (!Array.isArray(certificates)) return [];
  return certificates.flatMap((c) => (c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string' ? [(c as { name: string }).name] : []));
}

/**
 * Every service of the host's roles, in the roles' order. A unit that is not a plain service name, or a
 * certificate that is not one of the host's, is a problem at the role.yml entry, naming the host.
 */
export function hostServices(
  host: string,
  roleNames: string[],
  context: Record<string, unknown>,
  renderers: Map<string, RoleRenderer>,
): { services: HostService[]; problems: Problem[] } {
  const services: HostService[] = [];
  const problems: Problem[] = [];
  const known = certificateNames(context);
  for (const roleName of roleNames) {
    const renderer = renderers.get(roleName);
    if (!renderer) continue;
    const { role, evaluator } = renderer;
    (role.manifest.services ?? []).forEach((spec, index) => {
      const at = (field: string) => positionAt(role.manifestSource, ['services', index, field]);
      const fail = (field: string, message: string) =>
        problems.push({ ...at(field), hosts: [host], message: `role ${role.name}: services[${index}].${field}: ${message}` });
      let field = 'unit';
      try {
        const unit = evaluator.field(spec.unit, context);
        if (typeof unit !== 'string' || !stringFormats['unit-name']!.test(unit))
          return fail('unit', `${show(unit)} is not a service name (letters, digits, @ . _ - only)`);
        field = 'certificates';
        const certificates = evaluator.field(spec.certificates, context);
        if (!Array.isArray(certificates) || certificates.some((c) => typeof c !== 'string'))
          return fail('certificates', `expected a list of certificate names, got ${show(certificates)}`);
        const unknown = (certificates as string[]).find((name) => !known.includes(name));
        if (unknown !== undefined)
          return fail('certificates', `${show(unknown)} is not one of the host's certificates; acme_certificates names ${known.join(', ') || 'none'}`);
        field = 'challenge';
        const challenge = spec.challenge === undefined ? false : evaluator.field(spec.challenge, context);
        if (typeof challenge !== 'boolean' && challenge !== 'true' && challenge !== 'false')
          return fail('challenge', `expected true or false, got ${show(challenge)}`);
        services.push({ role: role.name, unit, certificates: [...new Set(certificates as string[])], challenge: challenge === true || challenge === 'true' });
      } catch (error) {
        const problem = templateProblem(error, role.manifestSource.file, host);
        problems.push({ ...problem, ...at(field), message: `role ${role.name}: services[${index}].${field}: ${problem.message}` });
      }
    });
  }
  return { services, problems };
}
