#!/bin/bash
# End-to-end: the renewal script's date decisions come from the certificate's own dates, not from
# `openssl x509 -checkend`, which OpenSSL 3.6 answers with exit status 0 whatever the answer
# (openssl/openssl#28928). Inside this test's mount namespace /usr/bin/openssl is the stand-in
# test/helpers/openssl-checkend-always-0.sh (the real openssl but for that bug), for the script,
# acme-tiny and the test alike. With the real Pebble (60-second certificates, then its long default)
# and the real acme-tiny: a due certificate is renewed (a new serial installed), a not-due one is not;
# acme_renew_before of half the lifetime or more falls back to a third, with a warning; a certificate
# without any subject (names in the SAN only) is an issued one; an expired one is due.
# Needs root, acme-tiny, pebble, nftables. Run: bash test/roles/e2e-dates.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

name=www.example.test
add_hosts "$name"

phase 0
# 0. OpenSSL 3.6's -checkend, standing in: the real binary is copied aside, the wrapper mounted over it.
cp /usr/bin/openssl "$T/openssl.real"
install -m 0755 "$repo/test/helpers/openssl-checkend-always-0.sh" "$T/openssl-3.6"
export OPENSSL_REAL=$T/openssl.real
mount --bind "$T/openssl-3.6" /usr/bin/openssl
"$OPENSSL_REAL" req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/day.key" -subj /CN=day \
	-days 1 -out "$T/day.pem" 2>/dev/null
expect "the real openssl: a 1-day certificate expires within 2 days (-checkend exits 1)" \
	bash -c "! '$OPENSSL_REAL' x509 -in '$T/day.pem' -noout -checkend 172800 >/dev/null"
expect "the stand-in says so too but exits 0, as OpenSSL 3.6 does" \
	bash -c "openssl x509 -in '$T/day.pem' -noout -checkend 172800 | grep -q 'Certificate will expire'"

start_pebble 60
fetch_root
make_certificate_dirs
make_certificate "$name" rsa "$name"
dir=$certs/$name
base_vars "{\"acme_certificates\": [{\"name\": \"$name\", \"domains\": [\"$name\"], \"services\": []}]}"
variant base '{}'
variant before1 '{"acme_renew_before": 1}'
render_variants
use base
epoch() { date -u -d "$(openssl x509 -in "$1" -noout "-$2" | cut -d= -f2)" +%s; } # CERT startdate|enddate

phase 1
# 1. 60-second certificates: issued, not due at once, due once a third of the lifetime is left.
run 0
expect "first issuance" logged "$name: requesting a certificate (no certificate yet)"
expect "a certificate of Pebble's is installed" verifies "$dir"
first=$(serial "$dir/signed.crt")
run 0
expect "right after: not due, and says until when" logged "$name: not due until .* UTC (it expires on .* UTC)"
expect "not renewed" test "$(serial "$dir/signed.crt")" = "$first"
lifetime=$(($(epoch "$dir/signed.crt" enddate) - $(epoch "$dir/signed.crt" startdate)))
end=$(epoch "$dir/signed.crt" enddate)
sleep "$((end - lifetime / 3 + 1 - $(date -u +%s)))"
run 0
expect "a third of the lifetime left: due, though -checkend exits 0" logged "$name: requesting a certificate (it expires within $((lifetime / 3)) seconds"
expect "renewed: a new serial installed" test "$(serial "$dir/signed.crt")" != "$first"
expect "and it verifies" verifies "$dir"
second=$(serial "$dir/signed.crt")

phase 2
# 2. acme_renew_before 1 (a day) on a 60-second certificate: more than half of it, so the third
#    applies, with a warning naming both; the fresh certificate is therefore not due (a day would be).
use before1
run 0
expect "the fallback is logged, naming the days and the lifetime" \
	logged "$name: acme_renew_before (1 days) is half or more of the certificate's lifetime ($lifetime seconds): renewing when a third of it remains instead ($((lifetime / 3)) seconds)"
expect "once" test "$(grep -c 'is half or more' "$T/last.log")" = 1
expect "the warning goes to stderr too (cron mails it)" grep -q "acme_renew_before (1 days) is half or more" "$T/out"
expect "not due by the third" logged "$name: not due until"
expect "not renewed" test "$(serial "$dir/signed.crt")" = "$second"
use base

phase 3
# 3. A certificate without any subject (names in its SAN only, as tlsserver and shortlived ones may
#    be), from a local CA with chosen dates: 35 of 85 days left is an issued certificate, not due; 25
#    days left is due and renewed; one that expired yesterday is due.
mkdir -p "$T/ca/new" && : >"$T/ca/index.txt" && echo 01 >"$T/ca/serial"
"$OPENSSL_REAL" req -x509 -newkey rsa:2048 -nodes -keyout "$T/ca/ca.key" -out "$T/ca/ca.pem" -subj /CN=local-ca -days 200 2>/dev/null
cat >"$T/ca/ca.cnf" <<CNF
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
[any]
commonName = optional
CNF
openssl req -new -key "$dir/domain.key" -subj / -addext "subjectAltName=critical,DNS:$name" -out "$T/no-subject.csr"
no_subject_cert() { # STARTED-DAYS-AGO ENDS-IN-DAYS: the certificate set, without any subject
	openssl ca -batch -config "$T/ca/ca.cnf" -in "$T/no-subject.csr" -out "$dir/signed.crt" -notext \
		-startdate "$(date -u -d "-$1 days" +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d "$2 days" +%Y%m%d%H%M%SZ)" 2>/dev/null
	cp "$T/ca/ca.pem" "$dir/chain.pem" && cat "$dir/signed.crt" "$dir/chain.pem" >"$dir/fullchain.pem"
}
no_subject_cert 50 35
expect "the local certificate has no subject at all" test "$(openssl x509 -in "$dir/signed.crt" -noout -subject)" = "subject="
run 0
expect "no subject, 35 of 85 days left: an issued certificate for the names, not due" logged "$name: not due until"
no_subject_cert 60 25
local_serial=$(serial "$dir/signed.crt")
run 0
expect "no subject, 25 of 85 days left: due, though -checkend exits 0" logged "$name: requesting a certificate (it expires within 28 days"
expect "renewed from Pebble" test "$(serial "$dir/signed.crt")" != "$local_serial"
expect "and it verifies" verifies "$dir"
no_subject_cert 90 -1
local_serial=$(serial "$dir/signed.crt")
run 0
expect "expired yesterday: due as expired" logged "$name: requesting a certificate (it expired on "
expect "renewed" test "$(serial "$dir/signed.crt")" != "$local_serial"

phase 4
# 4. Pebble's long default validity: the renewed certificate is not due, with or without acme_renew_before 1.
stop_pebble
start_pebble
fetch_root
run 0 --force
expect "forced: renewed from the long-validity Pebble" logged "$name: installed a new certificate"
long=$(serial "$dir/signed.crt")
expect "a certificate of years" test "$(($(epoch "$dir/signed.crt" enddate) - $(date -u +%s)))" -gt $((365 * 86400))
run 0
expect "long validity: not due" logged "$name: not due until"
expect "nothing requested" not_logged "requesting"
use before1
run 0
expect "acme_renew_before 1 fits a long lifetime: no fallback" not_logged "is half or more"
expect "and not due" logged "$name: not due until"
expect "not renewed" test "$(serial "$dir/signed.crt")" = "$long"

e2e_summary
