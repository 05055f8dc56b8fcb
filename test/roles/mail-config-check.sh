#!/bin/bash
# Check of the postfix and dovecot roles' output against the installed Postfix and Dovecot
# (Debian packages postfix, dovecot-core), inside a private mount namespace: /etc/postfix and
# /etc/dovecot are private copies, the host's own stay untouched. Run: bash test/roles/mail-config-check.sh
# [CERTS_DIR NAME]: with arguments, the settings point at that issued certificate (e2e-renew.sh passes
# the one it got from Pebble); without, at a self-signed one made here.
set -euo pipefail

if [ "${MAILCHECK_INSIDE:-}" != 1 ]; then
	exec env MAILCHECK_INSIDE=1 unshare --mount --propagation private bash "$0" "$@"
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/mail-check.XXXXXX)
passed=0 failed=0
expect() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; passed=$((passed + 1)); else echo "FAIL $what"; failed=$((failed + 1)); fi
}

cp -a /etc/postfix "$T/postfix" && mount --bind "$T/postfix" /etc/postfix
cp -a /etc/dovecot "$T/dovecot" && mount --bind "$T/dovecot" /etc/dovecot

certs=${1:-$T/certs}
name=${2:-mail.example.test}
cert=$certs/$name
if [ $# -eq 0 ]; then
	mkdir -p "$cert"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$cert/domain.key" -out "$cert/fullchain.pem" \
		-subj /CN=mail.example.test -days 2 2>/dev/null
fi
expect "the key and the certificate belong together" bash -c "[ \"\$(openssl x509 -in '$cert/fullchain.pem' -noout -pubkey)\" = \"\$(openssl pkey -in '$cert/domain.key' -pubout)\" ]"

# The settings for Dovecot 2.3 and 2.4, rendered in one go into $T/root-2.3 and $T/root-2.4.
for version in 2.3 2.4; do
	cat >"$T/vars-$version.json" <<EOF
{"provision_roles": ["letsencrypt", "postfix", "dovecot"], "acme_domains": ["$name"],
 "acme_certs_dir": "$certs", "dovecot_version": "$version"}
EOF
done
(cd "$repo" && node --import tsx test/roles/render-host.mjs "$T/vars-2.3.json" "$T/root-2.3" "$T/vars-2.4.json" "$T/root-2.4" >/dev/null)

# Postfix: the apply script changes what differs, then nothing; postfix check passes.
cp "$T/root-2.3/etc/postfix/provision-tls.cf" /etc/postfix/
apply=$T/root-2.3/usr/local/sbin/provision-postfix-tls
expect "apply script runs" bash -c "'$apply' >'$T/apply1.out' 2>&1"
cat "$T/apply1.out"
expect "first run changed settings" grep -q 'smtpd_tls_chain_files = ' "$T/apply1.out"
expect "second run changes nothing" bash -c "'$apply' 2>&1 | tail -1 | grep -q '^0 setting(s) changed'"
expect "main.cf has the chain files" bash -c "postconf -n smtpd_tls_chain_files | grep -q '$cert/domain.key, $cert/fullchain.pem'"
expect "main.cf has the protocols" bash -c "postconf -n smtpd_tls_protocols | grep -qx 'smtpd_tls_protocols = >=TLSv1.2'"
expect "postfix check" postfix check

# Dovecot 2.3: the conf.d file loads and wins over Debian's 10-ssl.conf.
cp "$T/root-2.3/etc/dovecot/conf.d/99-provision-ssl.conf" /etc/dovecot/conf.d/
expect "doveconf accepts the 2.3 file" bash -c "doveconf -n >'$T/doveconf.out' 2>&1"
grep '^ssl' "$T/doveconf.out" || cat "$T/doveconf.out"
expect "ssl_cert is ours" grep -q "^ssl_cert = </etc\|^ssl_cert = <$cert/fullchain.pem" "$T/doveconf.out"
expect "ssl = required" grep -qx 'ssl = required' "$T/doveconf.out"
expect "ssl_min_protocol" bash -c "doveconf ssl_min_protocol | grep -qx 'ssl_min_protocol = TLSv1.2'"
# The 2.4 file must not pass for 2.3 (the syntaxes differ; a 2.4 host needs dovecot_version "2.4").
cp "$T/root-2.4/etc/dovecot/conf.d/99-provision-ssl.conf" /etc/dovecot/conf.d/
expect "doveconf 2.3 rejects the 2.4 file" bash -c "! doveconf -n >/dev/null 2>&1"

echo "$passed passed, $failed failed"
if [ "$failed" = 0 ]; then rm -rf "$T"; fi
[ "$failed" = 0 ]
