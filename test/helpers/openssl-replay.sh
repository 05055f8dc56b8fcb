#!/bin/sh
# STAND-IN for openssl, in the parser tests only (test/roles/renew-parsers.test.ts,
# test/probe/probe-cert-fixtures.test.ts): it replays the REAL output one OpenSSL version printed for
# `openssl x509 -in CERT ARGS...` and the probe's `openssl req -in CSR ...`, recorded by
# test/fixtures/openssl/record.sh in $OPENSSL_FIXTURES (test/fixtures/openssl/VERSION), so that the renewal script's and the probe's parsers are run on the
# outputs of versions this machine does not have. The certificate (a file, or stdin) is the fixture
# certificate whose first PEM block it starts with. `pkey` (the key's side of a comparison) runs the
# real openssl. Any other call fails loudly (exit 99): what the fixtures do not hold must be recorded
# with the real openssl first, never made up here.
set -u
real=/usr/bin/openssl
certs=$(dirname "$(readlink -f "$0")")/../fixtures/openssl/certificates
case ${1:-} in
pkey) exec "$real" "$@" ;;
x509) shift ;;
req)
	# The probe's reading of a request: `req -in CSR -noout -pubkey -text -subject -nameopt RFC2253`.
	if [ "$#" = 9 ] && [ "$2" = -in ] && [ "$4 $5 $6 $7 $8 $9" = "-noout -pubkey -text -subject -nameopt RFC2253" ]; then
		for csr in "$certs"/*.csr; do
			if cmp -s "$csr" "$3"; then
				cat "$OPENSSL_FIXTURES/$(basename "$csr" .csr).csr-probe"
				exit 0
			fi
		done
		echo "unable to load X509 request" >&2
		exit 1
	fi
	echo "openssl-replay: no recorded output for: openssl $*" >&2
	exit 99
	;;
*)
	echo "openssl-replay: no recorded output for: openssl $*" >&2
	exit 99
	;;
esac
cert=-
args=
while [ $# -gt 0 ]; do
	case $1 in
	-in)
		cert=$2
		shift 2
		;;
	*)
		args="${args:+$args }$1"
		shift
		;;
	esac
done
first_block() {
	awk '/^-----BEGIN CERTIFICATE-----$/ { inside = 1 } inside { print } /^-----END CERTIFICATE-----$/ { exit }' "$1"
}
leaf=$(first_block "$cert")
name=
for pem in "$certs"/*.pem; do
	if [ -n "$leaf" ] && [ "$leaf" = "$(first_block "$pem")" ]; then
		name=$(basename "$pem" .pem)
		break
	fi
done
if [ -z "$name" ]; then
	# What openssl says for a file that holds no certificate; the calls above read no other.
	echo "Could not read certificate from $cert" >&2
	exit 1
fi
case $args in
-noout) exit 0 ;; # a readable certificate, nothing printed
'-noout -enddate') field=enddate ;;
'-noout -startdate') field=startdate ;;
'-noout -serial') field=serial ;;
'-noout -ext subjectAltName') field=san ;;
'-noout -subject -nameopt RFC2253') field=subject ;;
'-noout -issuer -nameopt RFC2253') field=issuer ;;
'-noout -pubkey') field=pubkey ;;
'-noout -subject -issuer -nameopt RFC2253 -pubkey') field=probe ;;
'-noout -serial -enddate') field=serial-enddate ;;
*)
	echo "openssl-replay: no recorded output for: openssl x509 $args" >&2
	exit 99
	;;
esac
recorded=$OPENSSL_FIXTURES/$name.$field
[ -e "$recorded" ] || {
	echo "openssl-replay: $recorded was not recorded" >&2
	exit 99
}
cat "$recorded"
if [ -e "$recorded.err" ]; then cat "$recorded.err" >&2; fi
if [ -e "$recorded.status" ]; then exit "$(cat "$recorded.status")"; fi
exit 0
