#!/bin/bash
# End-to-end: the renewal script's metrics file for node_exporter's textfile collector (acme_metrics_dir,
# written by the role's ari.py `metrics`), with the real acme-tiny, the real Pebble and the real Apache
# serving the certificate, in the harness's namespaces; /var/lib (where the collector's directory
# /var/lib/prometheus/node-exporter is) is an overlay private to this mount namespace. promtool
# (Debian package prometheus) checks the file. Needs root, acme-tiny, pebble, apache2, promtool.
# Run: bash test/roles/e2e-metrics.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

www=www.example.test
add_hosts "$www"
start_pebble
fetch_root
make_certificate_dirs
make_certificate "$www" rsa "$www"
base_vars "{\"provision_roles\": [\"letsencrypt\", \"apache\"], \"acme_domains\": [\"$www\"], \"apache_certificates\": [\"$www\"]}"
variant base '{}'
variant off '{"acme_metrics_dir": ""}'
render_variants
use base

dir=/var/lib/prometheus/node-exporter
prom=$dir/letsencrypt.prom
install -d -o root -g root -m 0755 "$dir"

# metric NAME [LABELS]: the value of the sample NAME{certificate="www...",LABELS} in the file
metric() { sed -n "s/^$1{certificate=\"$www\"${2:+,$2}} //p" "$prom"; }
# shellcheck disable=SC2317 # called through expect
promtool_accepts() { promtool check metrics <"$prom" >"$T/promtool.out" 2>&1 || { cat "$T/promtool.out"; false; }; }
epoch() { date -u -d "$(openssl x509 -in "$1" -noout "-$2" | cut -d= -f2)" +%s; }
served_flag() { metric provision_certificate_served_matches_installed 'service="apache2",port="443"'; }

expect "the header names the collector's directory" grep -q "^METRICS_DIR=$dir\$" "$script"
expect "the header lists Apache's endpoint" grep -q "^ENDPOINTS='$www 443 none $www apache2'\$" "$script"

phase 1
# 1. First issuance, Apache not yet running: the file is written, promtool accepts it; nothing
#    answered on 443, so there is no served_matches_installed sample (and an info line says so).
run 0
expect "the metrics file is written" test -s "$prom"
expect "root's, 0644" test "$(stat -c '%U %a' "$prom")" = "root 644"
expect "promtool check metrics accepts it" promtool_accepts
expect "no temp file left" test "$(find "$dir" -name '.letsencrypt.prom.*' | wc -l)" = 0
expect "expiration = the certificate's notAfter" test "$(metric provision_certificate_expiration_timestamp_seconds)" = "$(epoch "$certs/$www/fullchain.pem" enddate)"
expect "not-before = the certificate's notBefore" test "$(metric provision_certificate_not_before_timestamp_seconds)" = "$(epoch "$certs/$www/fullchain.pem" startdate)"
expect "no consecutive failures" test "$(metric provision_certificate_renewal_consecutive_failures)" = 0
expect "a last success" test -n "$(metric provision_certificate_renewal_last_success_timestamp_seconds)"
expect "a planned renewal before expiry" test "$(metric provision_certificate_renewal_timestamp_seconds)" -lt "$(metric provision_certificate_expiration_timestamp_seconds)"
expect "nothing served yet: no served sample" test -z "$(served_flag)"
expect "nothing answered: an info line" logged "info: metrics: $www: nothing answered as apache2 on port 443"
expect "no sample timestamps (two fields per sample)" test "$(grep -v '^#' "$prom" | awk 'NF != 2' | wc -l)" = 0

phase 2
# 2. Apache serves the installed certificate: 1.
start_apache base
run 0
expect "Apache serves the installed certificate: served_matches_installed 1" test "$(served_flag)" = 1
expect "promtool still accepts it" promtool_accepts

phase 3
# 3. A renewal Apache never saw: --force renews (Apache is reloaded and serves the new one), then the
#    previous set is put back behind Apache's back and a run with nothing due finds the daemon
#    serving another certificate than the installed one: 0, and a warning.
cp -p "$certs/$www/signed.crt" "$T/old-signed.crt"
cp -p "$certs/$www/chain.pem" "$T/old-chain.pem"
cp -p "$certs/$www/fullchain.pem" "$T/old-fullchain.pem"
run 0 --force
expect "after --force and the reload: 1" test "$(served_flag)" = 1
cp -p "$T/old-signed.crt" "$certs/$www/signed.crt"
cp -p "$T/old-chain.pem" "$certs/$www/chain.pem"
cp -p "$T/old-fullchain.pem" "$certs/$www/fullchain.pem"
run 0
expect "the run renewed nothing" not_logged "installed a new certificate"
expect "Apache serves another certificate: served_matches_installed 0" test "$(served_flag)" = 0
expect "a warning says so" logged "warning: metrics: $www: apache2 on port 443 presents another certificate than the installed one"
expect "expiration is the installed (old) certificate's" test "$(metric provision_certificate_expiration_timestamp_seconds)" = "$(epoch "$T/old-fullchain.pem" enddate)"

phase 4
# 4. A failed run writes the file too: the CA is gone, --force fails; failures counted.
stop_pebble
run 1 --force
expect "a failed run: consecutive failures 1" test "$(metric provision_certificate_renewal_consecutive_failures)" = 1
expect "a failed run: promtool accepts the file" promtool_accepts

phase 5
# 5. acme_metrics_dir "": never written.
rm -f "$prom"
use off
run 0
expect 'acme_metrics_dir "": no file' test ! -e "$prom"
expect 'acme_metrics_dir "": no metrics line' not_logged "metrics:"

phase 6
# 6. A directory other accounts can write (0777), or a link: not written, a warning; a missing one:
#    an info line.
use base
chmod 0777 "$dir"
run 0
expect "unsafe directory: no file" test ! -e "$prom"
expect "unsafe directory: a warning" logged "warning: metrics: $dir is not a directory only root can write"
chmod 0755 "$dir"
mv "$dir" "$dir.real"
ln -s "$dir.real" "$dir"
run 0
expect "a link: no file behind it" test ! -e "$dir.real/letsencrypt.prom"
expect "a link: a warning" logged "warning: metrics: $dir is not a directory only root can write"
rm "$dir"
run 0
expect "missing directory: an info line" logged "info: metrics: $dir does not exist"
expect "missing directory: nothing made" test ! -e "$dir"

e2e_summary
