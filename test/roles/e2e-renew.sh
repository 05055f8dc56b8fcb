#!/bin/bash
# End-to-end test of the rendered renewal script against a real ACME CA (Pebble), as root,
# inside private mount and network namespaces (only loopback; /etc/passwd, /etc/group and /etc/hosts
# are private copies, so the acme user exists only in here). Needs: acme-tiny pebble nftables.
# Run: bash test/roles/e2e-renew.sh
set -euo pipefail

if [ "${E2E_INSIDE:-}" != 1 ]; then
	exec env E2E_INSIDE=1 unshare --mount --net --propagation private bash "$0" "$@"
fi

repo=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/acme-e2e.XXXXXX)
chmod 0755 "$T" # the acme user must reach the certificate and challenge directories
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || :; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || :; done
}
trap cleanup EXIT

passed=0 failed=0
ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
expect() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

ip link set lo up

# Private accounts and names.
cp /etc/passwd /etc/group /etc/hosts "$T/"
echo 'acme:x:64990:' >>"$T/group"
echo 'acme:x:64990:64990::/nonexistent:/usr/sbin/nologin' >>"$T/passwd"
printf '127.0.0.1 www.example.test example.test\n' >>"$T/hosts"
for f in passwd group hosts; do mount --bind "$T/$f" "/etc/$f"; done

# Pebble's own TLS certificate, from a throwaway CA.
cd "$T"
openssl req -x509 -newkey rsa:2048 -nodes -keyout tlsca.key -out tlsca.pem -subj /CN=tls-ca -days 2 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout pebble.key -out pebble.csr -subj /CN=localhost 2>/dev/null
openssl x509 -req -in pebble.csr -CA tlsca.pem -CAkey tlsca.key -CAcreateserial -out pebble.crt -days 2 \
	-extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') 2>/dev/null
cat >pebble.json <<EOF
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
 "certificate": "$T/pebble.crt", "privateKey": "$T/pebble.key", "httpPort": 5002, "tlsPort": 5001,
 "ocspResponderURL": "", "externalAccountBindingRequired": false}}
EOF

start_pebble() {
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
		pebble -config "$T/pebble.json" -dnsserver 127.0.0.1:8053 >>"$T/pebble.log" 2>&1 &
	pebble_pid=$!
	pids+=("$pebble_pid")
	for _ in $(seq 50); do
		if /usr/bin/python3 -c "import ssl,urllib.request; urllib.request.urlopen('https://127.0.0.1:14000/dir', context=ssl.create_default_context(cafile='$T/tlsca.pem'))" 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	echo "pebble did not start" >&2
	return 1
}
pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 127.0.0.1:8053 -http01 "" -https01 "" \
	-tlsalpn01 "" -management 127.0.0.1:8055 >"$T/challtestsrv.log" 2>&1 &
pids+=("$!")
# Pebble makes a new root at every start.
fetch_root() {
	/usr/bin/python3 -c "import ssl,urllib.request; print(urllib.request.urlopen('https://127.0.0.1:15000/roots/0', context=ssl.create_default_context(cafile='$T/tlsca.pem')).read().decode(), end='')" >"$T/pebble-root.pem"
}
start_pebble
fetch_root

# What the letsencrypt role's resources put on the host.
certs=$T/certs challenge=$T/challenges cert=$certs/www.example.test
install -d -o root -g acme -m 0750 "$certs" "$cert"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$certs/account.key" 2>/dev/null
chgrp acme "$certs/account.key" && chmod 0440 "$certs/account.key"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$cert/domain.key" 2>/dev/null
chmod 0400 "$cert/domain.key"
openssl req -new -key "$cert/domain.key" -subj /CN=www.example.test \
	-addext subjectAltName=DNS:www.example.test,DNS:example.test -out "$cert/domain.csr"
chgrp acme "$cert/domain.csr" && chmod 0440 "$cert/domain.csr"
install -d -o acme -g www-data -m 0750 "$challenge"
install -d -o root -g root -m 0755 "$challenge/.well-known"
ln -s "$challenge" "$challenge/.well-known/acme-challenge"

cat >vars.json <<EOF
{"provision_roles": ["letsencrypt"], "acme_domains": ["www.example.test", "example.test"],
 "acme_certs_dir": "$certs", "acme_challenge_dir": "$challenge", "acme_log_file": "$T/acme.log",
 "acme_http_port": 5002, "acme_directory_url": "https://127.0.0.1:14000/dir",
 "acme_ca_file": "$T/pebble-root.pem", "acme_retry_delays": [1], "acme_key_type": "ec256"}
EOF
(cd "$repo" && node --import tsx test/roles/render-host.mjs "$T/vars.json" "$T/root" >/dev/null)
script=$T/root/etc/cron.daily/letsencrypt_www_example_test
export SSL_CERT_FILE=$T/tlsca.pem # acme-tiny's urllib must trust Pebble's TLS certificate

# A firewall with the default chain, to see the rule come and go.
nft add table inet filter
nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'

run() { # EXPECTED-STATUS ARGS...
	local expected=$1 status=0
	shift
	"$script" "$@" >"$T/out" 2>&1 || status=$?
	if [ "$status" = "$expected" ]; then ok "script $* exits $expected"; else bad "script $* exits $status, not $expected"; cat "$T/out"; tail -20 "$T/acme.log"; fi
}
no_leftovers() {
	expect "no temporary web server left" bash -c "! ss -ltnH 'sport = :5002' | grep -q ."
	expect "no firewall rule left" bash -c "! nft -a list chain inet filter input | grep -q acme-tiny"
	expect "no work directory left" bash -c "! ls -A '$cert' | grep -q '^.renew'"
}

# 1. First issuance with the script's own web server.
run 0
expect "signed.crt verifies with chain.pem" openssl verify -CAfile "$T/pebble-root.pem" -untrusted "$cert/chain.pem" "$cert/signed.crt"
expect "fullchain.pem = signed.crt + chain.pem" cmp -s "$cert/fullchain.pem" <(cat "$cert/signed.crt" "$cert/chain.pem")
expect "signed.crt holds one certificate" test "$(grep -c 'BEGIN CERTIFICATE' "$cert/signed.crt")" = 1
expect "certificate covers example.test" bash -c "openssl x509 -in '$cert/signed.crt' -noout -checkhost example.test | grep -q 'does match'"
expect "certificate files are 0644" test "$(stat -c %a "$cert/fullchain.pem")" = 644
expect "log file is 0640" test "$(stat -c %a "$T/acme.log")" = 640
expect "server ran as acme" grep -q "started a temporary web server" "$T/acme.log"
expect "firewall rule was added" grep -q "opened port 5002 in nft chain" "$T/acme.log"
expect "firewall rule was removed" grep -q "closed port 5002 again (nft handle" "$T/acme.log"
no_leftovers
serial1=$(openssl x509 -in "$cert/signed.crt" -noout -serial)

# 2. Nothing due: no request.
run 0
expect "second run does nothing" bash -c "tail -1 '$T/acme.log' | grep -q 'nothing to do'"
expect "certificate unchanged" test "$(openssl x509 -in "$cert/signed.crt" -noout -serial)" = "$serial1"

# 3. --force renews and keeps the previous set as .bak.
run 0 --force
expect "new serial after --force" test "$(openssl x509 -in "$cert/signed.crt" -noout -serial)" != "$serial1"
expect "signed.crt.bak is the previous certificate" test "$(openssl x509 -in "$cert/signed.crt.bak" -noout -serial)" = "$serial1"
no_leftovers
serial2=$(openssl x509 -in "$cert/signed.crt" -noout -serial)

# 4. A web server already on the port (as Apache with letsencrypt.conf would be) is used, not replaced.
/usr/bin/python3 -m http.server 5002 --bind :: --directory "$challenge" >/dev/null 2>&1 &
web_pid=$!
pids+=("$web_pid")
sleep 1
run 0 --force
expect "existing web server used" grep -q "port 5002 is in use" "$T/acme.log"
expect "existing web server still running" kill -0 "$web_pid"
kill "$web_pid"
wait "$web_pid" 2>/dev/null || :
serial3=$(openssl x509 -in "$cert/signed.crt" -noout -serial)
expect "renewed through the existing server" test "$serial3" != "$serial2"

# 5. The CA is down: bounded retries, exit 1, the installed certificate untouched.
kill "$pebble_pid"
wait "$pebble_pid" 2>/dev/null || :
run 1 --force
expect "gave up after 2 attempts" grep -q "acme-tiny failed 2 time(s), giving up" "$T/acme.log"
expect "certificate untouched after failure" test "$(openssl x509 -in "$cert/signed.crt" -noout -serial)" = "$serial3"
no_leftovers

# 6. A new root (as after a CA change) that the new certificate does not chain to: refused, old kept.
start_pebble
run 1 --force
expect "refused a certificate that does not verify" grep -q "does not verify with its chain" "$T/acme.log"
expect "certificate untouched after refusal" test "$(openssl x509 -in "$cert/signed.crt" -noout -serial)" = "$serial3"
fetch_root

# 7. Names changed (the CSR now has a third name): due without --force.
printf '127.0.0.1 static.example.test\n' >>/etc/hosts
openssl req -new -key "$cert/domain.key" -subj /CN=www.example.test \
	-addext subjectAltName=DNS:www.example.test,DNS:example.test,DNS:static.example.test -out "$cert/domain.csr"
sed -i 's/"acme_domains": \[[^]]*\]/"acme_domains": ["www.example.test", "example.test", "static.example.test"]/' vars.json
(cd "$repo" && node --import tsx test/roles/render-host.mjs "$T/vars.json" "$T/root" >/dev/null)
run 0
expect "renewed because a name was missing" grep -q "it does not cover static.example.test" "$T/acme.log"
expect "certificate covers the new name" bash -c "openssl x509 -in '$cert/signed.crt' -noout -checkhost static.example.test | grep -q 'does match'"

# 8. A signal during the run still stops the server and removes the rule.
"$script" --force >/dev/null 2>&1 &
script_pid=$!
for _ in $(seq 50); do ss -ltnH 'sport = :5002' | grep -q . && break; sleep 0.1; done
server_user=$(ps -o user= -p "$(ss -ltnpH 'sport = :5002' | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)")
expect "temporary web server runs as acme (got $server_user)" test "$server_user" = acme
kill -TERM "$script_pid"
status=0
wait "$script_pid" || status=$?
expect "TERM makes it exit 143 (got $status)" test "$status" = 143
no_leftovers

# 9. No nft chain of that name: iptables and ip6tables instead, each rule removed again.
nft delete table inet filter
run 0 --force
expect "opened with iptables" grep -q "opened port 5002 with iptables" "$T/acme.log"
expect "opened with ip6tables" grep -q "opened port 5002 with ip6tables" "$T/acme.log"
expect "no iptables rule left" bash -c "! iptables -S INPUT | grep -q 5002"
expect "no ip6tables rule left" bash -c "! ip6tables -S INPUT | grep -q 5002"

echo "log: $T/acme.log"
if [ "$failed" = 0 ]; then rm -rf "$T"; fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
