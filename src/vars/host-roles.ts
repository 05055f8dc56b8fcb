/** The roles a host's `provision_roles` names (its schema check reports anything that is not a list of names). */
export function declaredRoles(vars: Record<string, unknown>): string[] {
  const roles = vars.provision_roles;
  return Array.isArray(roles) ? roles.map(String) : [];
}
