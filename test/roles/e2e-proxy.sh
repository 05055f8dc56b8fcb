#!/bin/bash
# End-to-end: the rendered renewal script and the real acme-tiny issue one certificate through the ACME
# proxy stand-in (test/helpers/acme-proxy.ts) in front of the real Pebble; the example of
# test/roles/e2e-lib.sh for the tests of CA behaviours Pebble lacks. Needs root, acme-tiny, pebble,
# nftables, curl. Run: bash test/roles/e2e-proxy.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

name=proxy.example.test
add_hosts "$name"
start_pebble
fetch_root
start_proxy
proxy_behaviour '{}'
make_certificate_dirs
make_certificate "$name" ec256 "$name"
dir=$certs/$name
base_vars "{\"acme_certificates\": [{\"name\": \"$name\", \"domains\": [\"$name\"], \"key_type\": \"ec256\", \"services\": []}]}"
variant base '{}'
render_variants
use base
new_orders() { proxy_seen | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["newOrders"])'; }

phase 1
# 1. First issuance, the script's directory being the proxy's.
expect "the rendered script's directory is the proxy's" grep -q "$PROXY_DIR_URL" "$script"
run 0
expect "requested because there was none" logged "$name: requesting a certificate (no certificate yet)"
expect "installed" logged "$name: installed a new certificate"
expect "signed.crt verifies with chain.pem against Pebble's root" verifies "$dir"
expect "fullchain.pem = signed.crt + chain.pem" cmp -s "$dir/fullchain.pem" <(cat "$dir/signed.crt" "$dir/chain.pem")
expect "covers $name" bash -c "openssl x509 -in '$dir/signed.crt' -noout -checkhost '$name' | grep -q 'does match'"
expect "the proxy saw one new-order (got $(new_orders))" test "$(new_orders)" = 1
issued=$(serial "$dir/signed.crt")

phase 2
# 2. Nothing due: nothing asked of the CA.
run 0
expect "not due" logged "$name: not due"
expect "the proxy saw no new-order (got $(new_orders))" test "$(new_orders)" = 1

phase 3
# 3. A behaviour set on the proxy reaches the script: every new-order answered 503, so the forced
#    renewal fails and the installed certificate stays.
proxy_behaviour '{"newOrder": {"status": 503, "retryAfter": 1, "detail": "down for the test"}}'
run 1 --force
expect "the proxy answered more new-orders (got $(new_orders))" test "$(new_orders)" -gt 1
expect "certificate untouched" test "$(serial "$dir/signed.crt")" = "$issued"
proxy_behaviour '{}'
run 0 --force
expect "with the proxy plain again: renewed" test "$(serial "$dir/signed.crt")" != "$issued"
expect "and it verifies" verifies "$dir"
stop_proxy
expect "the proxy stopped" bash -c "! ss -ltnH 'sport = :14001' | grep -q ."

e2e_summary
