// Leftovers provision never removes: links it does not manage, in the directories its roles' services
// read (roles' foreign_links), that lead to a file using a certificate directory no role of the host
// manages. Nothing renews such a certificate, so the service will serve it expired: a warning.
import type { ActualState } from '../model/actual.js';
import type { DesiredState } from '../model/desired.js';
import { isPathResource } from '../model/desired.js';

/** plan's and status's alike: `actual` is the probe's or the status script's answer (both run shell/foreign-links.sh). */
export function foreignLinkWarnings(desired: DesiredState, actual: Pick<ActualState, 'foreignLinks'>): string[] {
  const paths = desired.resources.filter(isPathResource).map((r) => r.path);
  const warnings = new Set<string>();
  for (const found of actual.foreignLinks ?? []) {
    const watch = desired.foreignLinks?.[found.index];
    if (!watch) continue;
    const certificate = `${watch.uses}${found.name}`;
    if (paths.some((p) => p === certificate || p.startsWith(`${certificate}/`))) continue;
    warnings.add(
      `${watch.label} ${found.link} uses ${certificate}, which no role of this host manages: nothing renews that certificate (provision leaves the link alone; remove it if the site is not needed)`,
    );
  }
  return [...warnings];
}
