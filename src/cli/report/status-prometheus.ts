// `provision status --format prometheus`: the fleet's certificate metrics in the text exposition
// format, for a node_exporter textfile collector on the controller (write it to a temp name in the
// collector's directory, then mv). Names follow cert-manager's (`*_expiration_timestamp_seconds`,
// `*_not_before_timestamp_seconds`, `*_renewal_timestamp_seconds`; base units; no sample timestamps):
// /work/shared/docs/ca-2026.md, "Monitoring conventions". `promtool check metrics` accepts it.
import type { HostStatus } from '../../status/types.js';
import { healthOrder } from '../../status/types.js';

interface Family {
  name: string;
  help: string;
  samples: string[];
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(values: Record<string, string | number>): string {
  return `{${Object.entries(values)
    .map(([k, v]) => `${k}="${escape(String(v))}"`)
    .join(',')}}`;
}

export function statusPrometheus(hosts: HostStatus[]): string {
  const families = new Map<string, Family>();
  const add = (name: string, help: string, values: Record<string, string | number>, value: number | boolean | undefined) => {
    if (value === undefined || (typeof value === 'number' && !Number.isFinite(value))) return;
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, help, samples: [] }));
    family.samples.push(`${name}${labels(values)} ${typeof value === 'boolean' ? (value ? 1 : 0) : value}`);
  };
  for (const host of hosts) {
    add('provision_host_up', 'Whether the status script ran on the host (1) or the host could not be asked (0).', { host: host.name }, host.reach === 'ok');
    add(
      'provision_schedule_next_run_timestamp_seconds',
      "When the cron schedule next runs the renewal (computed from the host's cron line in its time zone).",
      { host: host.name },
      host.schedule?.nextAt,
    );
    for (const cert of host.certificates) {
      const id = { host: host.name, certificate: cert.name };
      add('provision_certificate_expiration_timestamp_seconds', "The installed certificate's notAfter.", id, cert.notAfter);
      add('provision_certificate_not_before_timestamp_seconds', "The installed certificate's notBefore.", id, cert.notBefore);
      add(
        'provision_certificate_renewal_timestamp_seconds',
        'When the renewal is planned (the renewal state, else two thirds into the lifetime).',
        id,
        cert.renewalAt,
      );
      add(
        'provision_certificate_lifetime_left_ratio',
        "The share of the certificate's lifetime left (0 once expired).",
        id,
        cert.shareLeft === undefined ? undefined : Math.max(0, cert.shareLeft),
      );
      add(
        'provision_certificate_placeholder',
        'Whether the installed certificate is the self-signed placeholder.',
        id,
        cert.installed ? cert.placeholder : undefined,
      );
      add('provision_certificate_key_matches', "Whether domain.key holds the certificate's public key.", id, cert.keyMatches);
      add(
        'provision_certificate_names_match',
        "Whether the certificate's SAN names are the inventory's.",
        id,
        cert.installed ? cert.drift.missing.length + cert.drift.extra.length === 0 : undefined,
      );
      add('provision_certificate_renewal_last_attempt_timestamp_seconds', 'When the renewal script last tried.', id, cert.renewal?.lastAttempt?.at);
      add(
        'provision_certificate_renewal_last_success_timestamp_seconds',
        'When the renewal script last renewed it.',
        id,
        cert.renewal?.lastRenewal ?? undefined,
      );
      add('provision_certificate_renewal_consecutive_failures', 'Failed renewal attempts since the last success.', id, cert.renewal?.consecutiveFailures);
      for (const health of healthOrder)
        add(
          'provision_certificate_health',
          "The certificate's health, one series per state (1 for the current one).",
          { ...id, health },
          cert.health === health,
        );
      for (const served of cert.served)
        add(
          'provision_certificate_served_matches_installed',
          'Whether the daemon presents the installed certificate on the port (asked on the host over loopback).',
          { ...id, service: served.service, port: served.port },
          served.matches,
        );
    }
  }
  return [...families.values()].map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`, ...f.samples].join('\n') + '\n').join('');
}
