#!/bin/bash
# End-to-end: key rotation on the renewal script's side (README "Rotating a key"), with the real
# Pebble and acme-tiny. A domain.key.next (what the apply makes for a changed key_type or
# --rotate-key) makes the certificate due; the certificate is requested for domain.csr.next, and on
# success the old key and certificate set are archived (root-only) and the new certificate installed
# with the key and CSR swapped in. A failed issuance keeps the old pair in place and the next key
# waiting; a run cut off between the renames (fullchain.pem of the next key, domain.key still the old
# one) is finished by the next run without asking the CA; a domain.key.next that is a link, or not
# root's, is refused and left alone, as is an archive directory another account could write.
# Needs root, acme-tiny, pebble, nftables. Run: bash test/roles/e2e-rotate.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

name=rotate.example.test
add_hosts "$name"
start_pebble
fetch_root
make_certificate_dirs
make_certificate "$name" rsa "$name"
dir=$certs/$name
base_vars "{\"acme_certificates\": [{\"name\": \"$name\", \"domains\": [\"$name\"], \"services\": []}]}"
variant base '{}'
render_variants
use base

key_kind() { openssl pkey -in "$1" -noout -text_pub 2>/dev/null | sed -n -e 's/^ASN1 OID: .*/EC/p' -e 's/^Modulus:.*/RSA/p'; }
served_kind() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -noout -text_pub | sed -n -e 's/^ASN1 OID: .*/EC/p' -e 's/^Modulus:.*/RSA/p'; }
# shellcheck disable=SC2317 # called through expect
pair_matches() { [ "$(openssl x509 -in "$dir/fullchain.pem" -noout -pubkey)" = "$(openssl pkey -in "$dir/domain.key" -pubout)" ]; }
# next_pair rsa|ec256: domain.key.next (root, 0400) and domain.csr.next made from it, as the apply does.
next_pair() {
	case $1 in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/domain.key.next" 2>/dev/null ;;
	ec256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/domain.key.next" 2>/dev/null ;;
	esac
	chmod 0400 "$dir/domain.key.next"
	openssl req -new -key "$dir/domain.key.next" -subj "/CN=$name" -addext "subjectAltName=DNS:$name" -out "$dir/domain.csr.next"
	chgrp acme "$dir/domain.csr.next" && chmod 0440 "$dir/domain.csr.next"
}
archives() { find /var/lib/provision/archive -path "*$dir/domain.key" 2>/dev/null | sort; }

phase 1
# 1. An RSA certificate from Pebble, then an EC key waiting beside it: due, issued for the next key,
#    swapped in, the old pair archived.
run 0
expect "first issuance: an RSA certificate" test "$(served_kind "$dir/fullchain.pem")" = RSA
cp "$dir/domain.key" "$T/old.key"
cp "$dir/fullchain.pem" "$T/old.pem"
next_pair ec256
run 0
expect "a waiting next key makes it due" logged "$name: requesting a certificate (a new key waits for its certificate)"
expect "the swap is logged with the archive" logged "$name: the new key is in place with its certificate (key rotation); the old pair is in /var/lib/provision/archive/"
expect "domain.key is now EC" test "$(key_kind "$dir/domain.key")" = EC
expect "fullchain.pem is an EC certificate" test "$(served_kind "$dir/fullchain.pem")" = EC
expect "key and certificate match" pair_matches
expect "the new certificate verifies" verifies "$dir"
expect "no domain.key.next remains" test ! -e "$dir/domain.key.next"
expect "no domain.csr.next remains" test ! -e "$dir/domain.csr.next"
expect "domain.csr is the next key's request" test "$(openssl req -in "$dir/domain.csr" -noout -pubkey)" = "$(openssl pkey -in "$dir/domain.key" -pubout)"
expect "domain.key is still 0400 root" test "$(stat -c '%a %U' "$dir/domain.key")" = "400 root"
archived=$(archives | tail -n 1)
expect "the old key is in the archive" cmp -s "$archived" "$T/old.key"
expect "the old certificate is in the archive" cmp -s "${archived%/domain.key}/fullchain.pem" "$T/old.pem"
expect "the archive run directory is root's only" test "$(stat -c '%a %U' "${archived%"$dir/domain.key"}")" = "700 root"
expect "the archive keeps the key private" test "$(stat -c '%a %U' "$archived")" = "400 root"
run 0
expect "afterwards: not due" logged "$name: not due until"

phase 2
# 2. Issuance fails (the CA is down): the old pair stays in place, the next key waits; the CA back,
#    the next run rotates.
cp "$dir/domain.key" "$T/ec.key"
before=$(serial "$dir/signed.crt")
next_pair rsa
stop_pebble
run 1 --once
expect "the request failed" logged "$name: acme-tiny failed"
expect "domain.key unchanged" cmp -s "$dir/domain.key" "$T/ec.key"
expect "the certificate unchanged" test "$(serial "$dir/signed.crt")" = "$before"
expect "key and certificate still match" pair_matches
expect "the next key still waits" test -f "$dir/domain.key.next"
start_pebble
fetch_root
run 0
expect "CA back: rotated" logged "$name: the new key is in place with its certificate"
expect "domain.key is RSA again" test "$(key_kind "$dir/domain.key")" = RSA
expect "key and certificate match" pair_matches
expect "it verifies" verifies "$dir"

phase 3
# 3. A run cut off after fullchain.pem was renamed in and before the key was: the next run finishes
#    the swap and completes the set, without asking the CA.
archived=$(archives | tail -n 1)
mv "$dir/domain.key" "$dir/domain.key.next"
mv "$dir/domain.csr" "$dir/domain.csr.next"
cp -p "$archived" "$dir/domain.key"
cp -p "${archived%/domain.key}/domain.csr" "$dir/domain.csr"
cp -p "${archived%/domain.key}/signed.crt" "$dir/signed.crt"
cp -p "${archived%/domain.key}/chain.pem" "$dir/chain.pem"
cut_serial=$(serial "$dir/fullchain.pem")
run 0
expect "the cut-off swap is finished" logged "$name: fullchain.pem is the certificate of domain.key.next (a key swap cut off): renamed it to domain.key"
expect "the lone CSR is renamed too" logged "$name: domain.csr.next was made from domain.key (a key swap cut off): renamed it to domain.csr"
expect "the set is completed from fullchain.pem" logged "repaired from fullchain.pem"
expect "nothing requested" not_logged "requesting a certificate"
expect "key and certificate match" pair_matches
expect "the installed certificate is still the one fullchain.pem held" test "$(serial "$dir/signed.crt")" = "$cut_serial"
expect "no .next remains" test ! -e "$dir/domain.key.next" -a ! -e "$dir/domain.csr.next"

phase 4
# 4. A domain.key.next that is a link (to a key root would otherwise install), or not root's: refused,
#    left as it is, nothing requested.
cp "$dir/domain.key" "$T/kept.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/elsewhere.key" 2>/dev/null
ln -s "$T/elsewhere.key" "$dir/domain.key.next"
next_csr_from() { openssl req -new -key "$1" -subj "/CN=$name" -addext "subjectAltName=DNS:$name" -out "$dir/domain.csr.next"; }
next_csr_from "$T/elsewhere.key"
run 1
expect "the link is refused" logged "$name: refused $dir/domain.key.next: not a regular file of root's (a link?); the key is not rotated"
expect "nothing requested" not_logged "requesting a certificate"
expect "the link is left alone" test -L "$dir/domain.key.next"
expect "domain.key unchanged" cmp -s "$dir/domain.key" "$T/kept.key"
rm -f "$dir/domain.key.next"
cp "$T/elsewhere.key" "$dir/domain.key.next"
chown nobody "$dir/domain.key.next"
run 1
expect "a next key not root's is refused" logged "$name: refused $dir/domain.key.next: not a regular file of root's"
expect "domain.key unchanged" cmp -s "$dir/domain.key" "$T/kept.key"
rm -f "$dir/domain.key.next" "$dir/domain.csr.next"
run 0
expect "without it: not due" logged "$name: not due until"

phase 5
# 5. An archive directory another account can write: the key is not rotated and nothing requested
#    (no certificate ordered that could not be installed); once it is root's only again, it is.
next_pair ec256
chmod 0777 /var/lib/provision/archive
run 1
expect "the archive is refused" logged "/var/lib/provision/archive is not a directory of root's that only root can write"
expect "the key is not rotated, nothing requested" logged "$name: the key is not rotated (nothing requested for it): the old pair could not be archived"
expect "no request" not_logged "requesting a certificate"
expect "domain.key unchanged" cmp -s "$dir/domain.key" "$T/kept.key"
expect "the next key still waits" test -f "$dir/domain.key.next"
chmod 0700 /var/lib/provision/archive
run 0
expect "then rotated" logged "$name: the new key is in place with its certificate"
expect "domain.key is EC" test "$(key_kind "$dir/domain.key")" = EC
expect "key and certificate match" pair_matches

e2e_summary
