#!/bin/bash
# End-to-end: acme_contact never breaks a renewal (issue 10 item 1). The real acme-tiny 5.0.1 (Debian's)
# dies with KeyError: 'contact' when given --contact by a CA whose account objects carry no contact, as
# Let's Encrypt's since 2025-06-04 (diafygi/acme-tiny#299, fixed in 5.0.2; shared/docs/ca-2026.md).
# Pebble 2.4.0 still echoes contact, so the ACME proxy stand-in (test/helpers/acme-proxy.ts,
# {"dropContact": true}) in front of the real Pebble drops it as Let's Encrypt does. The rendered
# renewal script, with acme_contact set:
#   1. acme_tiny_version "5.0.1" (the fact plan sets on a Debian host): no --contact; the first
#      issuance and a forced renewal succeed;
#   2. acme_tiny_version "5.0.2" stated (wrongly: the acme-tiny here is 5.0.1), so the script passes
#      --contact: acme-tiny dies with KeyError: 'contact', the script runs it again at once without
#      --contact, logs a warning saying why, and the renewal succeeds, with --once too (no retry
#      pauses: the run without --contact is not a retry);
#   3. the same script where the CA echoes contact (the proxy plain): --contact works, no warning.
# Needs root, acme-tiny, pebble, nftables, curl. Run: bash test/roles/e2e-contact.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

name=contact.example.test
contact=mailto:hostmaster@example.test
add_hosts "$name"
start_pebble
fetch_root
start_proxy
proxy_behaviour '{"dropContact": true}'
make_certificate_dirs
make_certificate "$name" ec256 "$name"
dir=$certs/$name
base_vars "{\"acme_certificates\": [{\"name\": \"$name\", \"domains\": [\"$name\"], \"key_type\": \"ec256\", \"services\": []}],
            \"acme_contact\": [\"$contact\"]}"
variant debian '{"acme_tiny_version": "5.0.1"}'
variant newer '{"acme_tiny_version": "5.0.2"}'
render_variants
fallback="$name: acme-tiny failed with KeyError: 'contact' (acme-tiny older than 5.0.2, with a CA that no longer keeps contact addresses, as Let's Encrypt since 2025-06-04): running it again without --contact"

# The real acme-tiny on this machine is 5.0.1, the one that dies (else case 2 proves nothing).
expect "the installed acme-tiny is 5.0.1 (dpkg)" test "$(dpkg-query -W -f '${Version}' acme-tiny)" = 1:5.0.1-1

phase 1
# 1. Debian's acme-tiny 5.0.1: the contacts are not passed.
use debian
expect "5.0.1: the header passes no contact" grep -q "^CONTACTS='' # acme-tiny --contact; acme_contact is not passed" "$script"
run 0 --once
expect "first issuance: requested" logged "$name: requesting a certificate (no certificate yet)"
expect "first issuance: installed" logged "$name: installed a new certificate"
expect "first issuance: no KeyError" not_logged "KeyError"
expect "first issuance: no fallback" not_logged "without --contact"
expect "first issuance: verifies with chain.pem against Pebble's root" verifies "$dir"
issued=$(serial "$dir/signed.crt")
run 0 --force
expect "renewal: installed" logged "$name: installed a new certificate"
expect "renewal: a new certificate" test "$(serial "$dir/signed.crt")" != "$issued"
expect "renewal: no KeyError" not_logged "KeyError"
expect "renewal: verifies" verifies "$dir"
run 0
expect "then not due" logged "$name: not due"

phase 2
# 2. A header that passes --contact to the real 5.0.1: the KeyError, then the run without --contact.
use newer
expect "5.0.2: the header passes the contact" grep -q "^CONTACTS=$contact # acme-tiny --contact\$" "$script"
renewed=$(serial "$dir/signed.crt")
run 0 --force
expect "acme-tiny was given --contact and died with KeyError: 'contact' (its stderr in the log)" logged "KeyError: 'contact'"
expect "the warning says why and that it runs again without --contact" logged "warning: $fallback"
expect "the warning names the fix" logged "acme_contact needs acme-tiny 5.0.2 or later"
expect "the warning is on stderr too (cron mails it)" grep -qF "$fallback" "$T/out"
expect "installed" logged "$name: installed a new certificate"
expect "a new certificate" test "$(serial "$dir/signed.crt")" != "$renewed"
expect "it verifies" verifies "$dir"
expect "no retry pause" not_logged "retrying in"
renewed=$(serial "$dir/signed.crt")
run 0 --force --once
expect "--once: the same fallback" logged "warning: $fallback"
expect "--once: installed" test "$(serial "$dir/signed.crt")" != "$renewed"
expect "--once: no reason on stderr (nothing failed)" bash -c "! grep -q 'the CA says' '$T/out'"

phase 3
# 3. A CA that echoes contact (Pebble's own answer): --contact works, no fallback.
proxy_behaviour '{}'
renewed=$(serial "$dir/signed.crt")
run 0 --force
expect "contact echoed: no KeyError" not_logged "KeyError"
expect "contact echoed: no fallback warning" not_logged "without --contact"
expect "contact echoed: acme-tiny printed the contact the CA keeps" logged "$contact"
expect "contact echoed: renewed" test "$(serial "$dir/signed.crt")" != "$renewed"
stop_proxy

e2e_summary
