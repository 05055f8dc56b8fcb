// The TLS endpoints of a host's roles (role.yml `endpoints:`), evaluated with the host's variables:
// one per certificate an endpoint presents, with the SNI name to ask for it. `provision status` asks
// each on the host over loopback and compares the served serial with the installed one; nothing here
// knows a daemon by name, a user's own role declares its own.
import type { Problem } from '../model/errors.js';
import { show } from '../load/schema/describe-error.js';
import { positionAt } from '../load/yaml/position.js';
import { layered } from '../template/data-only-runtime.js';
import { templateProblem } from '../template/template-error.js';
import type { RoleRenderer } from './render-host.js';

export const starttlsProtocols = ['none', 'smtp', 'imap'] as const;
export type Starttls = (typeof starttlsProtocols)[number];

/** One certificate as one daemon presents it. */
export interface HostEndpoint {
  role: string;
  service: string;
  port: number;
  starttls: Starttls;
  /** the name of the host's certificate (acme_certificates) presented here */
  certificate: string;
  /** the SNI name asked for */
  serverName: string;
}

interface Certificate {
  name: string;
  domains: string[];
}

/** The host's certificates, from the letsencrypt role's variable (empty without it). */
export function hostCertificates(vars: Record<string, unknown>): Certificate[] {
  const list = vars.acme_certificates;
  if (!Array.isArray(list)) return [];
  return list.flatMap((c) => {
    const entry = c as { name?: unknown; domains?: unknown };
    if (!entry || typeof entry.name !== 'string' || !Array.isArray(entry.domains)) return [];
    return [{ name: entry.name, domains: entry.domains.filter((d): d is string => typeof d === 'string') }];
  });
}

// A DNS name or an IP address: it is passed to openssl as one argument (quoted), and never a flag.
const serverNamePattern = /^[A-Za-z0-9*][A-Za-z0-9.*:-]*$/;

/**
 * Every endpoint of the host's roles, in the roles' order. A field that does not evaluate to what it
 * must be is a problem at the role.yml entry, naming the host.
 */
export function hostEndpoints(
  host: string,
  roleNames: string[],
  vars: Record<string, unknown>,
  renderers: Map<string, RoleRenderer>,
): { endpoints: HostEndpoint[]; problems: Problem[] } {
  const endpoints: HostEndpoint[] = [];
  const problems: Problem[] = [];
  const certificates = hostCertificates(vars);
  for (const roleName of roleNames) {
    const renderer = renderers.get(roleName);
    if (!renderer) continue;
    const { role, evaluator } = renderer;
    (role.manifest.endpoints ?? []).forEach((spec, index) => {
      const at = (field: string) => positionAt(role.manifestSource, ['endpoints', index, field]);
      const fail = (field: string, message: string) =>
        problems.push({ ...at(field), hosts: [host], message: `role ${role.name}: endpoints[${index}].${field}: ${message}` });
      let field = 'port';
      // One line of the renewal script's metrics_endpoints (its last field): no line breaks.
      if ([...spec.service].some((c) => c < ' ' || c === '\x7f')) return fail('service', `${show(spec.service)} has control characters`);
      try {
        const port = Number(evaluator.field(spec.port, vars));
        if (!Number.isInteger(port) || port < 1 || port > 65535) return fail('port', `${show(spec.port)} is not a TCP port`);
        field = 'starttls';
        const starttls = spec.starttls === undefined ? 'none' : evaluator.field(spec.starttls, vars);
        if (!(starttlsProtocols as readonly unknown[]).includes(starttls))
          return fail('starttls', `expected one of ${starttlsProtocols.join(', ')}, got ${show(starttls)}`);
        field = 'certificates';
        const names = evaluator.field(spec.certificates, vars);
        if (!Array.isArray(names) || names.some((c) => typeof c !== 'string'))
          return fail('certificates', `expected a list of certificate names, got ${show(names)}`);
        for (const name of new Set(names as string[])) {
          const certificate = certificates.find((c) => c.name === name);
          if (!certificate) return fail('certificates', `${show(name)} is not one of the host's certificates`);
          field = 'server_name';
          const serverName = spec.server_name === undefined ? certificate.domains[0] : evaluator.field(spec.server_name, layered(vars, { item: certificate }));
          if (typeof serverName !== 'string' || !serverNamePattern.test(serverName)) return fail('server_name', `${show(serverName)} is not a DNS name`);
          endpoints.push({ role: role.name, service: spec.service, port, starttls: starttls as Starttls, certificate: name, serverName });
        }
      } catch (error) {
        const problem = templateProblem(error, role.manifestSource.file, host);
        problems.push({ ...problem, ...at(field), message: `role ${role.name}: endpoints[${index}].${field}: ${problem.message}` });
      }
    });
  }
  return { endpoints, problems };
}
