#!/bin/bash
# End-to-end: ARI (RFC 9773) in the rendered renewal script, with the real acme-tiny and the real Pebble
# behind the ACME proxy stand-in (test/helpers/acme-proxy.ts answers renewalInfo per CertID, as Debian's
# Pebble 2.4.0 has no ARI), the role's ari.py helper and state directory installed where the role puts
# them (/usr/local/lib/letsencrypt-renew, /var/lib/letsencrypt-renew: overlays private to this mount
# namespace), and the real Apache serving one of the certificates. The CertIDs the proxy answers are
# computed by the test's own test/helpers/ari-cert-id.ts, so an answer reaches the script only when
# its CertID is right. Needs root, acme-tiny, pebble, apache2, curl. Run: bash test/roles/e2e-ari.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

one=one.example.test two=two.example.test
add_hosts "$one" "$two"
start_pebble
fetch_root
start_proxy
proxy_behaviour '{"ari": {}}'
make_certificate_dirs
make_certificate "$one" rsa "$one"
make_certificate "$two" ec256 "$two"
base_vars "{\"provision_roles\": [\"letsencrypt\", \"apache\"], \"acme_domains\": [\"$one\"],
  \"acme_certificates\": [{\"name\": \"$one\", \"domains\": [\"$one\"]},
                          {\"name\": \"$two\", \"domains\": [\"$two\"], \"key_type\": \"ec256\", \"services\": []}],
  \"apache_certificates\": [\"$one\"]}"
variant base '{}'
render_variants
use base

expect "the script runs the role's helper" grep -q '^ARI_HELPER=/usr/local/lib/letsencrypt-renew/ari.py' "$script"

state() { # NAME PYTHON-EXPRESSION [ARG]: the expression over the certificate's state file (s; ARG: a)
	/usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); a=sys.argv[3]; r=eval(sys.argv[2]); print(" ".join(map(str, r)) if isinstance(r, tuple) else r)' "/var/lib/letsencrypt-renew/$1.json" "$2" "${3:-}"
}
cert_ids() { # FILE...: the ARI CertIDs of these certificates, computed by the test's own helper
	(cd "$repo" && node --import tsx --input-type=module \
		-e "const { ariCertId } = await import('./test/helpers/ari-cert-id.ts'); for (const f of process.argv.slice(1)) console.log(ariCertId(f));" "$@")
}
asked() { proxy_seen | /usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["certIds"]))'; }
at() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; } # SECONDS from now, RFC 3339
window() { # FROM TO (seconds from now) [RETRY-AFTER]: an ARI reply with this window
	printf '{"window": {"start": "%s", "end": "%s"}%s}' "$(at "$1")" "$(at "$2")" "${3:+, \"retryAfter\": $3}"
}
# shellcheck disable=SC2317 # called through expect
no_traceback() { if grep -q Traceback "$T/out" "$T/last.log"; then return 1; fi; }

phase 1
# 1. First issuance: nothing to ask the CA about yet; the state files record the renewal.
run 0
expect "one: issued" logged "$one: installed a new certificate"
expect "two: issued" logged "$two: installed a new certificate"
expect "no CertID asked before there is a certificate (got: $(asked))" test -z "$(asked)"
for name in "$one" "$two"; do
	expect "$name: the state file records the renewal" test "$(state "$name" 's["lastAttempt"]["outcome"], s["consecutiveFailures"], s["ari"]')" = "renewed 0 None"
	expect "$name: the state's serial is the installed one" test "serial=$(state "$name" 's["serial"]')" = "$(serial "$certs/$name/signed.crt")"
	expect "$name: state file root's, 0644" test "$(stat -c '%U %a' "/var/lib/letsencrypt-renew/$name.json")" = "root 644"
done
start_apache base
expect "Apache serves one's certificate" test "$(served_serial "$one")" = "$(serial "$certs/$one/signed.crt")"

phase 2
# 2. The CA's window for one is in the past (as for a certificate revoked in an incident), for two
#    a month ahead: one is renewed (and served), two is not; the explanationURL is a warning.
mapfile -t ids < <(cert_ids "$certs/$one/signed.crt" "$certs/$two/signed.crt")
id_one=${ids[0]} id_two=${ids[1]}
one1=$(serial "$certs/$one/signed.crt") two1=$(serial "$certs/$two/signed.crt")
proxy_behaviour "{\"ari\": {\"byCertId\": {
  \"$id_one\": {\"window\": {\"start\": \"$(at -7200)\", \"end\": \"$(at -3600)\"}, \"explanationURL\": \"https://example.org/incident-1\", \"retryAfter\": 21600},
  \"$id_two\": $(window $((30 * 86400)) $((31 * 86400)) 3600)}}}"
run 0
expect "both certificates' CertIDs asked, once each (got: $(asked))" test "$(asked)" = "$id_one $id_two"
expect "one: requested because of the CA's window" logged "$one: requesting a certificate (the CA's renewal window (ARI) .* has passed)"
expect "one: the explanationURL is a warning (log)" logged "warning: $one: ARI: the CA explains this certificate's renewal window at https://example.org/incident-1"
expect "one: the explanationURL is on stderr (cron mails it)" grep -q "ARI: the CA explains this certificate's renewal window at https://example.org/incident-1" "$T/out"
expect "one: a new certificate installed" test "$(serial "$certs/$one/signed.crt")" != "$one1"
expect "one: it verifies" verifies "$certs/$one"
expect "Apache reloaded" logged "reloaded apache2"
for _ in $(seq 50); do [ "$(served_serial "$one")" = "$(serial "$certs/$one/signed.crt")" ] && break; sleep 0.1; done
expect "Apache serves one's new certificate" test "$(served_serial "$one")" = "$(serial "$certs/$one/signed.crt")"
expect "two: not due" logged "$two: not due"
expect "two: said when it will be renewed" logged "$two: ARI: the CA's renewal window (ARI) .* puts the renewal at "
expect "two: not renewed" test "$(serial "$certs/$two/signed.crt")" = "$two1"
expect "one: state: renewed, the new serial, no ARI state yet (the new one is asked next run)" \
	test "$(state "$one" 's["lastAttempt"]["outcome"], "serial=" + s["serial"], s["ari"]')" = "renewed $(serial "$certs/$one/signed.crt") None"
expect "two: state: the window, Retry-After 3600 s, planned at the chosen moment" \
	test "$(state "$two" 's["ari"]["certId"], s["ari"]["window"]["end"] - s["ari"]["window"]["start"], s["ari"]["nextCheckAt"] - s["ari"]["checkedAt"], s["plannedRenewalAt"] == s["ari"]["selectedAt"], s["lastAttempt"]["outcome"]')" = "$id_two 86400 3600 True not-due"
expect "no traceback" no_traceback

phase 3
# 3. The next run: two's Retry-After (an hour) has not passed, so it is not asked; one's new
#    certificate is asked about, its replaced one never again.
id_one2=$(cert_ids "$certs/$one/signed.crt")
proxy_behaviour "{\"ari\": {\"byCertId\": {\"$id_one\": $(window -7200 -3600), \"$id_two\": $(window -7200 -3600),
  \"$id_one2\": $(window $((40 * 86400)) $((41 * 86400)) 7200)}}}"
run 0
expect "only one's new certificate asked (got: $(asked))" test "$(asked)" = "$id_one $id_two $id_one2"
expect "one: not due" logged "$one: not due"
expect "two: not due (its stored window; the CA's new one not asked before Retry-After)" logged "$two: not due"
expect "nothing requested" not_logged "requesting"
expect "one: state: its new window" test "$(state "$one" 's["ari"]["certId"], s["ari"]["nextCheckAt"] - s["ari"]["checkedAt"]')" = "$id_one2 7200"

phase 4
# 4. Broken ARI answers (an invalid window, malformed JSON, 404, 500): no crash, exit 0, two (a
#    long way from expiry) not renewed early; one, in the last third of its lifetime (a certificate of
#    a local CA with an authority key identifier, 25 of 85 days left), still renewed by that rule.
mkdir -p ca/new && : >ca/index.txt && echo 1000 >ca/serial
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca/ca.key -out ca/ca.pem -subj /CN=local-ca -days 200 2>/dev/null
cat >ca/ca.cnf <<EOF
[ca]
default_ca = local
[local]
database = $T/ca/index.txt
new_certs_dir = $T/ca/new
serial = $T/ca/serial
certificate = $T/ca/ca.pem
private_key = $T/ca/ca.key
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
x509_extensions = leaf
[any]
commonName = supplied
[leaf]
authorityKeyIdentifier = keyid
EOF
local_cert() { # STARTED-DAYS-AGO ENDS-IN-DAYS: one's certificate set from the local CA
	openssl ca -batch -config ca/ca.cnf -in "$certs/$one/domain.csr" -out "$certs/$one/signed.crt" -notext \
		-startdate "$(date -u -d "-$1 days" +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d "+$2 days" +%Y%m%d%H%M%SZ)" 2>/dev/null
	cp ca/ca.pem "$certs/$one/chain.pem" && cat "$certs/$one/signed.crt" "$certs/$one/chain.pem" >"$certs/$one/fullchain.pem"
}
two2=$(serial "$certs/$two/signed.crt")
for broken in 'invalid window|{"window": {"start": "'"$(at 3600)"'", "end": "'"$(at -3600)"'"}}|invalid window: its end|21600' \
	'malformed JSON|{"body": "{\"suggestedWindow\": {"}|malformed JSON|21600' \
	'404|{"status": 404}|HTTP 404|21600' \
	'500|{"status": 500}|HTTP 500|60'; do
	IFS='|' read -r what reply error wait <<<"$broken"
	local_cert 60 25
	rm -f /var/lib/letsencrypt-renew/*.json # asked afresh
	id_local=$(cert_ids "$certs/$one/signed.crt")
	proxy_behaviour "{\"ari\": {\"default\": $reply}}"
	before=$(asked)
	run 0
	expect "$what: both asked (got: $(asked))" test "$(asked)" = "${before:+$before }$id_local $id_two"
	expect "$what: a warning, not a crash" logged "warning: $two: ARI: no usable renewal window from the CA: $error"
	expect "$what: no traceback" no_traceback
	expect "$what: two not renewed early" test "$(serial "$certs/$two/signed.crt")" = "$two2"
	expect "$what: two not due" logged "$two: not due"
	expect "$what: one due by the third of its lifetime" logged "$one: requesting a certificate (it expires within 28 days"
	expect "$what: one renewed" logged "$one: installed a new certificate"
	expect "$what: one verifies (Pebble's)" verifies "$certs/$one"
	expect "$what: two's state: the error, one error, next check in $wait s" \
		test "$(state "$two" 'a in s["ari"]["error"], s["ari"]["consecutiveErrors"], s["ari"]["nextCheckAt"] - s["ari"]["checkedAt"], s["ari"]["window"]' "$error")" = "True 1 $wait None"
done

phase 5
# 5. An expired certificate is never asked about (RFC 9773 4.2): due() finds it expired before ARI.
local_cert 90 -1
id_expired=$(cert_ids "$certs/$one/signed.crt")
proxy_behaviour "{\"ari\": {\"default\": $(window $((30 * 86400)) $((31 * 86400)))}}"
run 0
expect "expired: not asked (got: $(asked))" bash -c "! grep -q -- '$id_expired' <<<'$(asked)'"
expect "expired: said so (due because it expired, before ARI is looked at)" logged "$one: requesting a certificate (it expired on "
expect "expired: renewed" logged "$one: installed a new certificate"

phase 6
# 6. A failed renewal is in the state file, with the CA's reason: the CA refuses every new order.
proxy_behaviour '{"ari": {}, "newOrder": {"status": 503, "retryAfter": 1, "detail": "down for the e2e-ari test"}}'
run 1 --force
for name in "$one" "$two"; do
	expect "$name: state: failed once, the CA's reason" \
		test "$(state "$name" 's["lastAttempt"]["outcome"], s["consecutiveFailures"], a in (s["lastAttempt"]["error"] or "")' 'the CA says: down for the e2e-ari test')" = "failed 1 True"
done

phase 7
# 7. A helper that cannot run (here: one that crashes) is a warning, never a failed run; the rules
#    without ARI still decide (one in its last third is renewed, two is not due).
proxy_behaviour '{"ari": {}}'
cp /usr/local/lib/letsencrypt-renew/ari.py "$T/ari.py.good"
printf 'raise RuntimeError("broken for the test")\n' >/usr/local/lib/letsencrypt-renew/ari.py
HELPER_BROKEN=1
local_cert 60 25
two3=$(serial "$certs/$two/signed.crt")
run 0
expect "crashing helper: a warning" logged "warning: $one: /usr/local/lib/letsencrypt-renew/ari.py check failed: no ARI and no renewal state this run"
expect "crashing helper: one renewed by the third of its lifetime" logged "$one: installed a new certificate"
expect "crashing helper: two not due, not renewed" test "$(serial "$certs/$two/signed.crt")" = "$two3"
cp "$T/ari.py.good" /usr/local/lib/letsencrypt-renew/ari.py
HELPER_BROKEN=
stop_apache

e2e_summary
