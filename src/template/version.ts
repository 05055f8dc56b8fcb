// Version numbers as the roles compare them: dotted numbers ("2.4", "3.7.11", "2.3.19.1"), compared
// component by component, a missing component counting as 0 ("3.4" = "3.4.0").

const dotted = /^\d+(\.\d+)*/;

/** The numeric components of a version's leading dotted part: "2.3.19.1 (9b53)" -> [2, 3, 19, 1]. */
export function versionParts(version: unknown): number[] {
  const match = dotted.exec(String(version ?? '').trim());
  if (!match) throw new Error(`${JSON.stringify(version)} is not a version number such as "3.4" or "2.4.1"`);
  return match[0].split('.').map(Number);
}

/** -1, 0 or 1 as a is lower than, equal to or higher than b. */
export function compareVersions(a: unknown, b: unknown): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

const operators: Record<string, (c: number) => boolean> = {
  '<': (c) => c < 0,
  lt: (c) => c < 0,
  '<=': (c) => c <= 0,
  le: (c) => c <= 0,
  '>': (c) => c > 0,
  gt: (c) => c > 0,
  '>=': (c) => c >= 0,
  ge: (c) => c >= 0,
  '==': (c) => c === 0,
  '=': (c) => c === 0,
  eq: (c) => c === 0,
  '!=': (c) => c !== 0,
  '<>': (c) => c !== 0,
  ne: (c) => c !== 0,
};

/** Ansible's `version` test: `myapp_version is version('3.4', '>=')` (the operator defaults to ==). */
export function versionTest(value: unknown, other: unknown, operator: unknown = '=='): boolean {
  const compare = operators[String(operator)];
  if (!compare) throw new Error(`version: unknown operator ${JSON.stringify(operator)}; use one of < <= > >= == !=`);
  return compare(compareVersions(value, other));
}

/**
 * True when a stated version agrees with an observed one at the precision it is stated in: "3.7"
 * agrees with "3.7.11", "3.6" does not.
 */
export function versionAgrees(stated: unknown, observed: unknown): boolean {
  const s = versionParts(stated);
  const o = versionParts(observed);
  return s.every((part, i) => part === (o[i] ?? 0));
}
