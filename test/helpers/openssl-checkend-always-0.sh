#!/bin/sh
# STAND-IN for OpenSSL 3.6's `openssl`, which this machine (Debian 12, OpenSSL 3.0) does not have: the
# real openssl in every respect but one, the bug of openssl/openssl#28928: `x509 -checkend N` prints
# its answer and then exits 0 whatever it is ("will expire" included). test/roles/e2e-dates.sh
# bind-mounts this file over /usr/bin/openssl inside its own mount namespace only, with the real
# binary copied to $OPENSSL_REAL first, so the renewal script, acme-tiny and the test itself all run it.
real=${OPENSSL_REAL:?OPENSSL_REAL names the real openssl}
for argument in "$@"; do
	if [ "$argument" = -checkend ]; then
		"$real" "$@"
		exit 0
	fi
done
exec "$real" "$@"
