/**
 * provision_roles, read in one place: `hosts` lists it, the loader compiles the schemas of the roles it
 * names, and preparing a host applies those roles.
 */

/** The role names a host's provision_roles lists, in its order, each as text; [] when it is not a list. */
export function declaredRoles(vars: Record<string, unknown>): string[] {
  const value = vars.provision_roles;
  return Array.isArray(value) ? value.map(String) : [];
}

/** Only a list of strings applies its roles; anything else the variable schema reports, and no role applies. */
export function rolesWellFormed(vars: Record<string, unknown>): boolean {
  const value = vars.provision_roles;
  return Array.isArray(value) && value.every((r) => typeof r === 'string');
}
