// Turns one manifest resource entry, its fields already evaluated for a host, into a typed Resource,
// checking every value that will reach a shell script on the host.
import { isSafeAbsolutePath, stringFormats } from '../load/schema/string-formats.js';
import { show } from '../load/schema/describe-error.js';
import { keyTypes } from '../model/role-manifest.js';
import type { KeyType } from '../model/role-manifest.js';
import type { Resource } from '../model/desired.js';

/** A field with a value that cannot be used; `field` names the manifest key so the error can point at it. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

type Fields = Record<string, unknown>;

function text(fields: Fields, name: string): string {
  const value = fields[name];
  if (typeof value !== 'string' && typeof value !== 'number') throw new FieldError(name, `${name}: expected a string, got ${show(value)}`);
  const result = String(value);
  if (/[\0\n\r]/.test(result)) throw new FieldError(name, `${name}: ${show(result)} contains a control character`);
  return result;
}

function optionalText(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  return value === undefined || value === null || value === '' ? undefined : text(fields, name);
}

function path(fields: Fields, name: string): string {
  const value = text(fields, name);
  if (!isSafeAbsolutePath(value)) throw new FieldError(name, `${name}: ${show(value)} is not an absolute path without ".." segments`);
  return value.length > 1 ? value.replace(/\/+$/, '') : value;
}

function flag(fields: Fields, name: string): boolean {
  const value = fields[name];
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new FieldError(name, `${name}: expected true or false, got ${show(value)}`);
}

function list(fields: Fields, name: string): string[] {
  const value = fields[name];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new FieldError(name, `${name}: expected a list of strings, got ${show(value)}`);
  }
  return value as string[];
}

function dnsNames(fields: Fields, what: string): string[] {
  const domains = list(fields, 'domains');
  if (domains.length === 0) throw new FieldError('domains', `domains: ${what} needs at least one name`);
  for (const d of domains) if (!stringFormats['dns-name']!.test(d)) throw new FieldError('domains', `domains: ${show(d)} is not a DNS name`);
  return domains;
}

function accountName(fields: Fields, name: string): string | undefined {
  const value = optionalText(fields, name);
  if (value !== undefined && !stringFormats['user-name']!.test(value)) throw new FieldError(name, `${name}: ${show(value)} is not a user or group name`);
  return value;
}

function ownership(fields: Fields): { owner?: string; group?: string; mode?: string } {
  const mode = optionalText(fields, 'mode');
  if (mode !== undefined && !stringFormats.mode!.test(mode)) throw new FieldError('mode', `mode: ${show(mode)} is not an octal file mode such as "0640"`);
  // One spelling per mode ("640", "0640" and "00640" are the same), the one the probe reports.
  const normalised = mode === undefined ? undefined : parseInt(mode, 8).toString(8).padStart(4, '0');
  return { owner: accountName(fields, 'owner'), group: accountName(fields, 'group'), mode: normalised };
}

export function buildResource(kind: string, fields: Fields, role: string, content?: string, template?: string): Resource {
  const resource = buildKind(kind, fields, role, content, template);
  const certificate = optionalText(fields, 'certificate');
  const notifyRemoved = fields.notify_removed === undefined ? undefined : list(fields, 'notify_removed');
  return { ...resource, ...(certificate !== undefined ? { certificate } : {}), ...(notifyRemoved !== undefined ? { notifyRemoved } : {}) };
}

function buildKind(kind: string, fields: Fields, role: string, content?: string, template?: string): Resource {
  const notify = list(fields, 'notify');
  switch (kind) {
    case 'file': {
      const dest = path(fields, 'dest');
      return {
        kind,
        id: `file:${dest}`,
        role,
        notify,
        path: dest,
        content: content ?? '',
        validate: optionalText(fields, 'validate'),
        ...(fields.check !== undefined ? { checks: list(fields, 'check') } : {}),
        ...(template ? { template } : {}),
        secret: flag(fields, 'secret'),
        ...ownership(fields),
      };
    }
    case 'directory': {
      const dir = path(fields, 'path');
      const replacesLink = optionalText(fields, 'replaces_link') === undefined ? undefined : path(fields, 'replaces_link');
      return { kind, id: `directory:${dir}`, role, notify, path: dir, ...(replacesLink ? { replacesLink } : {}), ...ownership(fields) };
    }
    case 'symlink': {
      const link = path(fields, 'path');
      return { kind, id: `symlink:${link}`, role, notify, path: link, target: text(fields, 'target') };
    }
    case 'user': {
      const name = accountName(fields, 'name')!;
      // provision would set root's home and shell: it manages only accounts it creates.
      if (name === 'root') throw new FieldError('name', `name: ${show(name)} is the superuser: a user resource names an account provision creates, never root`);
      const home = optionalText(fields, 'home') === undefined ? undefined : path(fields, 'home');
      const shell = optionalText(fields, 'shell') === undefined ? undefined : path(fields, 'shell');
      const groups = list(fields, 'groups');
      for (const g of groups) if (!stringFormats['user-name']!.test(g)) throw new FieldError('groups', `groups: ${show(g)} is not a group name`);
      return { kind, id: `user:${name}`, role, notify, name, system: flag(fields, 'system'), home, shell, group: accountName(fields, 'group'), groups };
    }
    case 'group': {
      const name = accountName(fields, 'name')!;
      return { kind, id: `group:${name}`, role, notify, name, system: flag(fields, 'system') };
    }
    case 'private_key': {
      const keyPath = path(fields, 'path');
      const keyType = text(fields, 'type') as KeyType;
      if (!keyTypes.includes(keyType)) throw new FieldError('type', `type: ${show(keyType)} is not one of ${keyTypes.join(', ')}`);
      return { kind, id: `private_key:${keyPath}`, role, notify, path: keyPath, keyType, ...ownership(fields) };
    }
    case 'csr': {
      const csrPath = path(fields, 'path');
      const domains = dnsNames(fields, 'a CSR');
      const country = optionalText(fields, 'country');
      if (country !== undefined && !/^[A-Z]{2}$/.test(country)) throw new FieldError('country', `country: ${show(country)} is not a two-letter country code`);
      return {
        kind,
        id: `csr:${csrPath}`,
        role,
        notify,
        path: csrPath,
        key: path(fields, 'key'),
        domains,
        country,
        organization: optionalText(fields, 'organization'),
        ...ownership(fields),
      };
    }
    case 'placeholder_certificate': {
      const dir = path(fields, 'dir');
      return {
        kind,
        id: `placeholder_certificate:${dir}/fullchain.pem`,
        role,
        notify,
        path: `${dir}/fullchain.pem`,
        dir,
        key: path(fields, 'key'),
        domains: dnsNames(fields, 'a certificate'),
        ...ownership(fields),
      };
    }
    default:
      throw new FieldError(kind, `unknown resource kind ${show(kind)}`);
  }
}
