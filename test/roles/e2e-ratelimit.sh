#!/bin/bash
# End-to-end: the rendered renewal script and the real acme-tiny under a CA that refuses new orders,
# through the ACME proxy stand-in (test/helpers/acme-proxy.ts) in front of the real Pebble (which has no
# rate limits of its own): a 429 rateLimited answer is not retried (one new-order per certificate, a
# clear error quoting the CA's detail), a 503 gets exactly acme_retries more attempts, --once makes one,
# nothing installed changes, and once the CA answers again the next run issues. Needs root, acme-tiny,
# pebble, curl. Run: bash test/roles/e2e-ratelimit.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

a=a.example.test b=b.example.test
add_hosts "$a" "$b"
start_pebble
fetch_root
start_proxy
proxy_behaviour '{}'
make_certificate_dirs
make_certificate "$a" ec256 "$a"
make_certificate "$b" ec256 "$b"
certificate() { echo "{\"name\": \"$1\", \"domains\": [\"$1\"], \"key_type\": \"ec256\", \"services\": []}"; }
# Two retries with pauses of about 1 and 10 s: what a refusal must not get, and a 503 must.
base_vars '{"acme_retries": 2, "acme_retry_delay": 1}'
variant one "{\"acme_certificates\": [$(certificate "$a")]}"
variant two "{\"acme_certificates\": [$(certificate "$a"), $(certificate "$b")]}"
render_variants

new_orders() { proxy_seen | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["newOrders"])'; }
orders_since() { echo "$(($(new_orders) - $1))"; } # MARK: new-orders the proxy saw after MARK
refuse() { # STATUS RETRY-AFTER DETAIL: every new-order answered so (429: rateLimited, else serverInternal)
	proxy_behaviour "$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"newOrder": {"status": int(sys.argv[1]), "retryAfter": int(sys.argv[2]), "detail": sys.argv[3]}}))' "$@")"
}
# The checks below are called through expect (shellcheck sees no call):
# shellcheck disable=SC2317
stderr_has() { grep -qF -- "$1" "$T/out" || { sed 's/^/    | /' "$T/out"; false; }; }
# shellcheck disable=SC2317
last_stderr_is() { [ "$(tail -n 1 "$T/out")" = "$1" ] || { sed 's/^/    | /' "$T/out"; false; }; }
# shellcheck disable=SC2317
untouched() { diff -r "$T/before" "$certs/$a"; } # every file of a's directory as it was issued
# Let's Encrypt's wording (boulder ratelimits/limiter.go), with the moment a request may succeed again.
limited='too many certificates (50) already issued for "example.test" in the last 168h0m0s, retry after 2026-12-02 09:12:00 UTC: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-registered-domain'
down="the CA's API is down for maintenance (set by the test)"

phase "a issued while the CA answers"
use one
run 0
expect "$a installed" logged "$a: installed a new certificate"
expect "$a verifies against Pebble's root" verifies "$certs/$a"
cp -a "$certs/$a" "$T/before"
issued=$(serial "$certs/$a/signed.crt")

phase "429 rateLimited + Retry-After: no retry, one new-order per certificate"
use two
refuse 429 3600 "$limited"
mark=$(new_orders)
run 1 --force
expect "one new-order each for $a and $b, none retried (got $(orders_since "$mark"))" test "$(orders_since "$mark")" = 2
for name in "$a" "$b"; do
	line="$name: rate limited by the CA: $limited; not retried before the next scheduled run"
	expect "$name: the error names the rate limit and quotes the CA's detail, retry-after time included (log, err)" logged "err: $line"
	expect "$name: the same error on stderr (cron mail)" stderr_has "$script: $line"
done
expect "no pause, no retry" not_logged "retrying in"
expect "$a: installed files untouched" untouched
expect "$a: the same serial ($issued)" test "$(serial "$certs/$a/signed.crt")" = "$issued"
expect "$b: nothing installed" test ! -e "$certs/$b/fullchain.pem"
expect "no work directory left" bash -c "! ls -d '$certs'/*/.renew.* 2>/dev/null"

phase "503 + Retry-After, acme_retries 2: exactly three attempts"
use one
refuse 503 1 "$down"
mark=$(new_orders)
run 1 --force
expect "three new-orders (got $(orders_since "$mark"))" test "$(orders_since "$mark")" = 3
expect "first retry, with the CA's reason" logged "warning: $a: acme-tiny failed (attempt 1 of 3), retrying in [0-9]* seconds: the CA says: $down"
expect "second retry" logged "warning: $a: acme-tiny failed (attempt 2 of 3), retrying in [0-9]* seconds: the CA says: $down"
expect "no third retry" not_logged "attempt 3 of 3"
line="$a: acme-tiny failed 3 time(s), giving up until the next run: the CA says: $down; see $T/acme.log"
expect "the final error quotes the CA's detail (log, err)" logged "err: $line"
expect "and on stderr" stderr_has "$script: $line"
expect "not reported as a rate limit" not_logged "rate limited"
expect "$a: installed files untouched" untouched

phase "--once under 503 and under 429: one new-order each, the reason last on stderr"
mark=$(new_orders)
run 1 --once --force
expect "--once under 503: one new-order (got $(orders_since "$mark"))" test "$(orders_since "$mark")" = 1
expect "--once under 503: the last stderr line is the CA's reason" last_stderr_is "$a: the CA says: $down"
refuse 429 3600 "$limited"
mark=$(new_orders)
run 1 --once --force
expect "--once under 429: one new-order (got $(orders_since "$mark"))" test "$(orders_since "$mark")" = 1
expect "--once under 429: the last stderr line is the rate limit" last_stderr_is "$a: rate limited by the CA: $limited"
expect "$a: installed files untouched" untouched

phase "the CA answers again: the next scheduled run issues"
proxy_behaviour '{}'
use two
mark=$(new_orders)
run 0
expect "$b: requested, as it has no certificate yet" logged "$b: requesting a certificate (no certificate yet)"
expect "$b: installed" logged "$b: installed a new certificate"
expect "$b verifies against Pebble's root" verifies "$certs/$b"
expect "$a: not due, so not asked for" logged "$a: not due"
expect "one new-order (got $(orders_since "$mark"))" test "$(orders_since "$mark")" = 1
expect "no error logged" not_logged " err: "
stop_proxy

e2e_summary
