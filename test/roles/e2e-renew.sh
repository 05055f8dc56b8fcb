#!/bin/bash
# shellcheck disable=SC2317 # the checks are functions handed to expect and midrun by name
# End-to-end test of the rendered renewal script against a real ACME CA (Pebble + pebble-challtestsrv,
# real HTTP-01 validation) with the real acme-tiny, and of the served chain with the real Apache, as
# root, inside private mount and network namespaces (test/roles/e2e-lib.sh: only loopback and
# interfaces made in here; /run, /etc/passwd, /etc/group, /etc/hosts, /etc/apache2, /etc/init.d and
# /var/log/apache2 are private, so the acme user, Apache and the firewall rules exist only in here).
# Needs: acme-tiny pebble nftables iptables apache2 lsof postfix dovecot-core. Run: bash test/roles/e2e-renew.sh
set -euo pipefail
# shellcheck source=test/roles/e2e-lib.sh
. "$(dirname "$0")/e2e-lib.sh"
e2e_enter "$0" "$@"

add_hosts www.example.test example.test mail.example.test

# Init scripts of two test services: one whose reload fails, one that is not running.
cp -a /etc/init.d "$T/init.d"
printf '#!/bin/sh\ncase "$1" in status) exit 0 ;; reload) echo "acme-test: reload refused" >&2; exit 1 ;; esac\n' >"$T/init.d/acme-test"
printf '#!/bin/sh\ncase "$1" in status) exit 3 ;; reload) exit 0 ;; esac\n' >"$T/init.d/acme-stopped"
chmod 0755 "$T/init.d/acme-test" "$T/init.d/acme-stopped"
mount --bind "$T/init.d" /etc/init.d

start_pebble
fetch_root

# What the letsencrypt role's resources put on the host: www (RSA) and mail (EC).
make_certificate_dirs
make_certificate www.example.test rsa www.example.test example.test
make_certificate mail.example.test ec256 mail.example.test
www=$certs/www.example.test mail=$certs/mail.example.test

# The host's variables: two certificates, www (RSA, default key type, used by Apache) and mail (EC).
base_vars '{"provision_roles": ["letsencrypt", "apache"], "acme_domains": ["www.example.test", "example.test"],
 "acme_certificates": [{"name": "www.example.test", "domains": ["www.example.test", "example.test"]},
                       {"name": "mail.example.test", "domains": ["mail.example.test"], "key_type": "ec256", "services": []}]}'
# The variants of those variables the test uses, rendered in one go into $T/root-NAME.
variant base '{}'
variant before40 '{"acme_renew_before": 40}'
# Runs that are looked at while they wait to retry wait longer.
variant midrun '{"acme_retry_delay": 4}'
variant lo '{"acme_retry_delay": 4, "acme_interfaces": ["lo"]}'
variant nofirewall '{"acme_retry_delay": 4, "acme_firewall": "none"}'
variant iptables '{"acme_retry_delay": 4, "acme_firewall": "iptables"}'
# A CA that finds no token: acme-tiny's own check skipped, a web server on port 80 that serves nothing.
variant once '{"acme_disable_check": true}'
variant reload '{"provision_roles": ["letsencrypt"], "acme_services": ["acme-www"],
  "acme_certificates": [{"name": "www.example.test", "domains": ["www.example.test", "example.test"]},
    {"name": "mail.example.test", "domains": ["mail.example.test"], "key_type": "ec256", "services": ["acme-test", "acme-stopped"]}]}'
render_variants
use base

# The firewall of Debian's /etc/nftables.conf, to see the rule come and go.
nft add table inet filter
nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'

no_leftovers() {
	expect "no temporary web server left" bash -c "! ss -ltnH 'sport = :80' | grep -q ."
	expect "no nft rule left" bash -c "! nft -a list ruleset | grep -q acme-tiny"
	expect "no iptables rule left" bash -c "! iptables -S INPUT | grep -q acme-tiny && ! ip6tables -S INPUT | grep -q acme-tiny"
	expect "no work directory left" bash -c "! ls -A '$www' '$mail' | grep -q '^.renew'"
}

phase 1
# 1. First issuance of both certificates through the script's own web server: www has no certificate
#    yet, mail has the self-signed placeholder that is there until the first issuance.
openssl req -x509 -key "$mail/domain.key" -subj /CN=mail.example.test -addext subjectAltName=DNS:mail.example.test \
	-days 90 -out "$mail/signed.crt" 2>/dev/null
cp "$mail/signed.crt" "$mail/fullchain.pem"
run 0
expect "www: requested because there was none" logged "www.example.test: requesting a certificate (no certificate yet)"
expect "mail: requested because the placeholder is self-signed" logged "mail.example.test: requesting a certificate (it is self-signed"
for dir in "$www" "$mail"; do
	name=${dir##*/}
	expect "$name: signed.crt verifies with chain.pem against Pebble's root" verifies "$dir"
	expect "$name: fullchain.pem = signed.crt + chain.pem" cmp -s "$dir/fullchain.pem" <(cat "$dir/signed.crt" "$dir/chain.pem")
	expect "$name: signed.crt holds one certificate" test "$(grep -c 'BEGIN CERTIFICATE' "$dir/signed.crt")" = 1
	expect "$name: certificate files are 0644" test "$(stat -c %a "$dir/fullchain.pem")" = 644
done
expect "www: an RSA certificate" bash -c "openssl x509 -in '$www/signed.crt' -noout -text | grep -q 'Public Key Algorithm: rsaEncryption'"
expect "mail: an EC certificate" bash -c "openssl x509 -in '$mail/signed.crt' -noout -text | grep -q 'Public Key Algorithm: id-ecPublicKey'"
expect "www: covers example.test" bash -c "openssl x509 -in '$www/signed.crt' -noout -checkhost example.test | grep -q 'does match'"
expect "one temporary web server for both" test "$(grep -c 'started a temporary web server' "$T/last.log")" = 1
expect "firewall opened on both default-route interfaces" logged "opened port 80 on acme4 acme6 in nft chain inet filter input"
expect "firewall rule removed" logged "closed port 80 again (nft handle"
expect "the placeholder is kept as backup" bash -c "openssl x509 -in '$mail/signed.crt.bak' -noout -subject | grep -q mail.example.test"
expect "log file is 0640" test "$(stat -c %a "$T/acme.log")" = 640
expect "apache2 not running: not reloaded" logged "apache2 is not running, not reloaded"
no_leftovers
www1=$(serial "$www/signed.crt") mail1=$(serial "$mail/signed.crt")

phase 2
# 2. Nothing due: no request, nothing changed.
run 0
expect "second run: www not due" logged "www.example.test: not due"
expect "second run: mail not due" logged "mail.example.test: not due"
expect "second run requests nothing" not_logged "requesting"
expect "certificates unchanged" test "$(serial "$www/signed.crt") $(serial "$mail/signed.crt")" = "$www1 $mail1"
run 2 --bogus
expect "bad usage says how to call it" grep -q "usage: .*letsencrypt-renew \[--force\]" "$T/out"
exec 8>/run/letsencrypt-renew.lock && flock -n 8 # as if another run were going on
run 1 --force
expect "a second run at the same time refuses" logged "another renewal is running"
expect "and requests nothing" not_logged "requesting"
exec 8>&-

phase 3
# 3. The default rule, a third of the lifetime, on certificates of an 85-day lifetime (from a local CA,
#    as the CA's own certificate would be after 50 and 60 days): 35 days left is not due, 25 days is.
mkdir -p ca/new && : >ca/index.txt && echo 01 >ca/serial
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
[any]
commonName = supplied
EOF
local_cert() { # STARTED-DAYS-AGO ENDS-IN-DAYS: www's certificate set from the local CA
	openssl ca -batch -config ca/ca.cnf -in "$www/domain.csr" -out "$www/signed.crt" -notext \
		-startdate "$(date -u -d "-$1 days" +%Y%m%d%H%M%SZ)" -enddate "$(date -u -d "+$2 days" +%Y%m%d%H%M%SZ)" 2>/dev/null
	cp ca/ca.pem "$www/chain.pem" && cat "$www/signed.crt" "$www/chain.pem" >"$www/fullchain.pem"
}
local_cert 50 35
run 0
expect "35 of 85 days left: not due" logged "www.example.test: not due"
local_cert 60 25
run 0
expect "25 of 85 days left: due (within 28 days, a third)" logged "www.example.test: requesting a certificate (it expires within 28 days"
expect "www renewed from Pebble" verifies "$www"
expect "mail still not due" logged "mail.example.test: not due"
local_cert 50 35
use before40
run 0
expect "acme_renew_before 40: 35 days left is due" logged "www.example.test: requesting a certificate (it expires within 40 days"
use base
www2=$(serial "$www/signed.crt")

phase 4
# 4. A certificate for another key or for other names is refused and not installed: the CSR is
#    swapped behind the script's back, so the CA really issues such a certificate.
cp "$www/domain.csr" "$T/www.csr"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/other.key" 2>/dev/null
make_csr "$www" "$T/other.key" www.example.test example.test
run 1 --force
expect "refused: another key" logged "www.example.test: refused the new certificate: it does not match domain.key"
expect "not installed (another key)" test "$(serial "$www/signed.crt")" = "$www2"
expect "the other certificate still renewed" logged "mail.example.test: installed a new certificate"
make_csr "$www" "$www/domain.key" www.example.test
run 1 --force
expect "refused: other names" logged "www.example.test: refused the new certificate: it is for www.example.test instead of www.example.test example.test"
expect "not installed (other names)" test "$(serial "$www/signed.crt")" = "$www2"
cp "$T/www.csr" "$www/domain.csr"
no_leftovers

phase 5
# 5. Without ss the script asks lsof whether the port is free, and uses a server that is there.
: >"$T/no-ss" && mount --bind "$T/no-ss" "$(readlink -f "$(command -v ss)")"
run 0 --force
expect "without ss: own server started (lsof saw a free port)" logged "started a temporary web server"
/usr/bin/python3 -m http.server 80 --bind 127.0.0.1 --directory "$challenge" >/dev/null 2>&1 &
web_pid=$!
pids+=("$web_pid")
until lsof -nP -iTCP:80 -sTCP:LISTEN -t >/dev/null 2>&1; do sleep 0.1; done
run 0 --force
expect "without ss: lsof saw the port in use, existing server used" logged "port 80 is in use"
expect "existing server still running" kill -0 "$web_pid"
stop_pid "$web_pid"
umount "$(readlink -f "$(command -v ss)")"
expect "ss is back" bash -c "ss -ltnH >/dev/null"

phase 6
# 6. The served chain: the apache role rendered for the issued certificate into a private
#    /etc/apache2, the real Apache serving it, the real s_client checking it.
start_apache base
served() { served_serial www.example.test; }
expect "Apache serves the issued leaf and intermediate, verified against Pebble's root" test "$(served)" = "$(serial "$www/signed.crt")"
run 0 --force
expect "renewal through Apache on port 80" logged "port 80 is in use"
expect "apache2 reloaded after the renewal" logged "reloaded apache2"
for _ in $(seq 50); do [ "$(served)" = "$(serial "$www/signed.crt")" ] && break; sleep 0.1; done
expect "Apache serves the new certificate after the reload" test "$(served)" = "$(serial "$www/signed.crt")"

phase 7
# 7. A short-lived certificate (15 s) is renewed by the default rule once a third of its lifetime is
#    left, and Apache, bound to it, is reloaded and serves the new one.
stop_pebble
start_pebble 15
fetch_root
run 0 --force
short=$(serial "$www/signed.crt")
run 0
expect "short-lived certificate: not due at first" logged "www.example.test: not due"
lifetime=$(($(date -u -d "$(openssl x509 -in "$www/signed.crt" -noout -enddate | cut -d= -f2)" +%s) - $(date -u -d "$(openssl x509 -in "$www/signed.crt" -noout -startdate | cut -d= -f2)" +%s)))
end=$(date -u -d "$(openssl x509 -in "$www/signed.crt" -noout -enddate | cut -d= -f2)" +%s)
sleep "$((end - lifetime / 3 + 1 - $(date +%s)))"
run 0
expect "short-lived certificate: due after two thirds of its life" logged "www.example.test: requesting a certificate (it expires within $((lifetime / 3)) seconds"
expect "short-lived certificate renewed" test "$(serial "$www/signed.crt")" != "$short"
expect "bound apache2 reloaded" logged "reloaded apache2"
for _ in $(seq 50); do [ "$(served)" = "$(serial "$www/signed.crt")" ] && break; sleep 0.1; done
expect "Apache serves the renewed short-lived certificate" test "$(served)" = "$(serial "$www/signed.crt")"
stop_apache
expect "Apache stopped" bash -c "! ss -ltnH 'sport = :443' | grep -q ."

phase 8
# 8. The CA is down: one retry after a pause, exit 1, the installed certificates untouched.
stop_pebble
www3=$(serial "$www/signed.crt") mail3=$(serial "$mail/signed.crt")
run 1 --force
expect "retried once after a pause" logged "acme-tiny failed (attempt 1 of 2), retrying in 1 seconds"
expect "gave up after 2 attempts" logged "acme-tiny failed 2 time(s), giving up"
expect "certificates untouched after the failure" test "$(serial "$www/signed.crt") $(serial "$mail/signed.crt")" = "$www3 $mail3"
expect "nothing reloaded after the failure" not_logged "reloaded"
no_leftovers

phase 9
# 9. Killed while waiting for its retry (the CA still down): looked at mid-run, then TERM.
midrun() { # DESCRIPTION CHECK...: starts the script, runs the checks while it waits to retry, kills it
	local what=$1 pid children status=0 mark
	shift
	mark=$(wc -l <"$T/acme.log")
	"$script" --force >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do tail -n +"$((mark + 1))" "$T/acme.log" | grep -q 'retrying in' && break; sleep 0.1; done
	# The log line comes just before the pause's sleep starts: on a loaded machine, look again a moment.
	for _ in $(seq 20); do
		children=$(ps -o pid= --ppid "$pid" | tr '\n' ' ' || :)
		[ "$(wc -w <<<"$children")" = 2 ] && break
		sleep 0.1
	done
	expect "$what: waiting to retry, its server and sleep running ($children)" test "$(wc -w <<<"$children")" = 2
	"$@"
	kill -TERM "$pid"
	wait "$pid" || status=$?
	expect "$what: TERM makes it exit 143 (got $status)" test "$status" = 143
	for child in $children; do expect "$what: child $child is gone" bash -c "! kill -0 $child 2>/dev/null"; done
	no_leftovers
}
nft_rule() { nft -a list chain inet filter input | grep acme-tiny; }
server_user() { ps -o user= -p "$(ss -ltnpH 'sport = :80' | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)"; }
detected() {
	expect "the temporary web server runs as acme (got $(server_user))" test "$(server_user)" = acme
	expect "the nft rule names both default-route interfaces: $(nft_rule)" bash -c "nft -a list chain inet filter input | grep acme-tiny | grep -q 'iifname { \"acme4\", \"acme6\" } tcp dport 80 accept'"
}
use midrun
midrun "default-route interfaces" detected
use lo
midrun "acme_interfaces [lo]" expect "the nft rule names lo only" bash -c "nft -a list chain inet filter input | grep acme-tiny | grep -q 'iifname \"lo\" tcp dport 80 accept'"
use nofirewall
untouched() {
	expect "acme_firewall none: server running" bash -c "ss -ltnH 'sport = :80' | grep -q ."
	expect "acme_firewall none: no nft rule" bash -c "! nft -a list ruleset | grep -q 'dport 80'"
	expect "acme_firewall none: no iptables rule" bash -c "! iptables -S INPUT | grep -q 'dport 80' && ! ip6tables -S INPUT | grep -q 'dport 80'"
}
midrun "acme_firewall none" untouched
expect "acme_firewall none: said so" grep -q "not opening port 80 in a firewall (acme_firewall: none)" "$T/acme.log"
use iptables
chosen() {
	expect "acme_firewall iptables: iptables rule although the nft chain exists" bash -c "iptables -S INPUT | grep acme-tiny | grep -q -- '-i acme4'"
	expect "acme_firewall iptables: no nft rule" bash -c "! nft -a list ruleset | grep -q acme-tiny"
}
midrun "acme_firewall iptables" chosen
use midrun
nft delete table inet filter
iptables_rules() {
	expect "auto without the nft chain: iptables rule on acme4 and acme6" bash -c "iptables -S INPUT | grep acme-tiny | grep -q -- '-i acme4' && iptables -S INPUT | grep acme-tiny | grep -q -- '-i acme6'"
	expect "auto without the nft chain: ip6tables rule on acme4 and acme6" bash -c "ip6tables -S INPUT | grep acme-tiny | grep -q -- '-i acme4' && ip6tables -S INPUT | grep acme-tiny | grep -q -- '-i acme6'"
}
midrun "iptables" iptables_rules
use base

phase 10
# 10. A new root (as after a CA change) that the new certificates do not chain to: refused, old kept.
start_pebble
run 1 --force
expect "refused a certificate that does not verify" logged "refused the new certificate: it does not verify with its chain"
expect "certificates untouched after the refusal" test "$(serial "$www/signed.crt") $(serial "$mail/signed.crt")" = "$www3 $mail3"
fetch_root
run 0 --force
expect "with the new root: www verifies again" verifies "$www"
expect "with the new root: mail verifies again" verifies "$mail"

phase 11
# 11. Only the services of a certificate that changed are reloaded; a failed reload is reported.
use reload
rm "$mail/signed.crt" "$mail/chain.pem" "$mail/fullchain.pem"
run 1
expect "www not due, not renewed" logged "www.example.test: not due"
expect "mail renewed" logged "mail.example.test: installed a new certificate"
expect "a failed reload is reported" logged "could not reload acme-test"
expect "a stopped service is left alone" logged "acme-stopped is not running, not reloaded"
expect "the service of www (not renewed) not reloaded" not_logged "acme-www"
expect "mail verifies" verifies "$mail"

phase 12
# 12. The real postfix check and doveconf -n on the postfix and dovecot settings for the issued certificate.
expect "postfix check and doveconf -n with the issued mail certificate" \
	bash -c "bash '$repo/test/roles/mail-config-check.sh' '$certs' mail.example.test >'$T/mail-check.out' 2>&1 || { cat '$T/mail-check.out'; false; }"

phase 13
# 13. Cut off at each rename of an install, by SIGKILL or by a failing rename (a stand-in mv in this
#     mount namespace), then the next run: what the services read (fullchain.pem with domain.key) is
#     a matching, verifying pair all along, and afterwards the four files are one set again, repaired
#     from the disk without asking the CA; a killed run's web server and firewall rules are removed.
use base
cp /usr/bin/mv "$T/mv.real"
cat >"$T/mv-cut" <<EOF
#!/bin/sh
# Stand-in for mv (test only, bind-mounted over it in the test's mount namespace): on a rename onto a
# file named \$E2E_CUT_AT it fails, or with E2E_CUT=kill SIGKILLs the renewal script that called it;
# every other call is the real mv.
for last; do :; done
if [ -n "\${E2E_CUT_AT:-}" ] && [ "\${last##*/}" = "\$E2E_CUT_AT" ]; then
	if [ "\${E2E_CUT:-}" = kill ]; then kill -9 "\$PPID"; fi
	exit 1
fi
exec "$T/mv.real" "\$@"
EOF
chmod 0755 "$T/mv-cut"
mount --bind "$T/mv-cut" /usr/bin/mv
key_of() { openssl pkey -in "$1/domain.key" -pubout; }
pair_ok() { # DIR: fullchain.pem holds domain.key's public key and verifies with its own chain
	[ "$(openssl x509 -in "$1/fullchain.pem" -noout -pubkey)" = "$(key_of "$1")" ] &&
		openssl verify -CAfile "$T/pebble-root.pem" -untrusted "$1/fullchain.pem" "$1/fullchain.pem" >/dev/null
}
one_set() { # DIR: leaf, chain, fullchain and key are one set
	pair_ok "$1" && cmp -s "$1/fullchain.pem" <(cat "$1/signed.crt" "$1/chain.pem") &&
		[ "$(openssl x509 -in "$1/signed.crt" -noout -pubkey)" = "$(key_of "$1")" ] && verifies "$1"
}
port80_pid() { ss -ltnpH 'sport = :80' | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1; }
for how in fail kill; do
	for step in fullchain.pem signed.crt chain.pem; do
		what="cut off ($how at the rename of $step)"
		before=$(serial "$www/fullchain.pem")
		status=0
		E2E_CUT=$how E2E_CUT_AT=$step "$script" --force >"$T/out" 2>&1 || status=$?
		if [ "$how" = kill ]; then expected=137; else expected=1; fi
		expect "$what: exits $expected (got $status)" test "$status" = "$expected"
		if [ "$how" = kill ]; then
			leftover=$(port80_pid)
			expect "$what: its temporary web server outlived it (pid $leftover)" test -n "$leftover"
			pids+=("$leftover")
		fi
		for dir in "$www" "$mail"; do expect "$what: ${dir##*/}: fullchain.pem and domain.key are a verifying pair" pair_ok "$dir"; done
		if [ "$step" = fullchain.pem ]; then
			expect "$what: the old fullchain.pem is still there" test "$(serial "$www/fullchain.pem")" = "$before"
		else
			expect "$what: the new fullchain.pem is in place" test "$(serial "$www/fullchain.pem")" != "$before"
		fi
		run 0
		for dir in "$www" "$mail"; do expect "$what, then a run: ${dir##*/}: one set" one_set "$dir"; done
		# (chain.pem: the old and the new one are the same intermediate, so the set is one already.)
		if [ "$step" = signed.crt ]; then
			expect "$what, then a run: repaired from fullchain.pem" logged "www.example.test: signed.crt, chain.pem and fullchain.pem were not one set (an install cut off?): repaired from fullchain.pem, without asking the CA"
		fi
		expect "$what, then a run: no certificate requested" not_logged "requesting"
		if [ "$how" = kill ]; then
			expect "$what, then a run: the killed run's web server stopped" logged "stopped the temporary web server (pid $leftover) that a killed run left behind"
			expect "$what, then a run: the killed run's iptables rules removed" logged "removed the iptables rule for port 80 on acme4 that a killed run left behind"
			kill -0 "$leftover" 2>/dev/null || forget_pid "$leftover" # gone: its PID may be another's later
		fi
		no_leftovers
	done
done
# As the old script left it: signed.crt and chain.pem issued, fullchain.pem still the placeholder.
openssl req -x509 -key "$mail/domain.key" -subj /CN=mail.example.test -addext subjectAltName=DNS:mail.example.test \
	-days 30 -out "$mail/fullchain.pem" 2>/dev/null
run 0
expect "placeholder fullchain.pem beside an issued signed.crt: repaired from signed.crt and chain.pem" logged "mail.example.test: signed.crt, chain.pem and fullchain.pem were not one set (an install cut off?): repaired from signed.crt and chain.pem, without asking the CA"
expect "and that without a request" not_logged "requesting"
expect "mail: one set again" one_set "$mail"
# A chain that does not hold the leaf's issuer in every file: nothing to repair from, so it is due.
cp ca/ca.pem "$www/chain.pem" && cat "$www/signed.crt" "$www/chain.pem" >"$www/fullchain.pem"
run 0
expect "a chain of another issuer: due" logged "www.example.test: requesting a certificate (fullchain.pem does not hold the chain to its issuer)"
expect "www: one set again" one_set "$www"
umount /usr/bin/mv

phase 14
# 14. A new key (the README's way to change the key type: delete it, apply): the apply's own functions
#     (shell/apply.sh) make the key, the CSR and a placeholder of the new key over the issued
#     certificate; the services' pair matches at once, and the next run issues for the new key.
rm "$www/domain.key"
sh -c '. "$1/shell/apply.sh"; d=$2; san=DNS:www.example.test,DNS:example.test
	gen_key k "$d/domain.key" 0400 root root -algorithm EC -pkeyopt ec_paramgen_curve:P-256
	make_csr c "$d/domain.csr" "$d/domain.key" /CN=www.example.test "$san" 0440 root acme
	placeholder_cert p "$d" "$d/domain.key" /CN=www.example.test "$san" 30 0644 root root' apply "$repo" "$www" >"$T/apply.out" 2>&1
expect "apply functions: key, CSR, placeholder ok" test "$(grep -c '^@ok [kcp]$' "$T/apply.out")" = 3
for file in fullchain.pem signed.crt; do
	expect "new key: $file holds it" test "$(openssl x509 -in "$www/$file" -noout -pubkey)" = "$(key_of "$www")"
done
expect "new key: chain.pem emptied (a placeholder has no chain)" test ! -s "$www/chain.pem"
run 0
expect "new key: the placeholder is due" logged "www.example.test: requesting a certificate (it is self-signed"
expect "new key: issued and one set" one_set "$www"
expect "new key: an EC certificate now" bash -c "openssl x509 -in '$www/signed.crt' -noout -text | grep -q 'Public Key Algorithm: id-ecPublicKey'"

phase 15
# 15. Killed (-9) mid-request, waiting to retry with the CA down: its web server and nft rule outlive
#     it; the next run removes exactly those, and leaves alone a process on the recorded PID that is
#     not the one started then (another start time) and a rule that is not the recorded one.
nft add table inet filter
nft add chain inet filter input '{ type filter hook input priority 0; policy accept; }'
stop_pebble
use midrun
kill_mid_request() { # starts the script, SIGKILLs it while it waits to retry; SERVER: its web server
	local mark pid
	mark=$(wc -l <"$T/acme.log")
	"$script" --force >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do tail -n +"$((mark + 1))" "$T/acme.log" | grep -q 'retrying in' && break; sleep 0.1; done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || :
	SERVER=$(port80_pid)
	pids+=("$SERVER")
}
kill_mid_request
expect "killed mid-request: its web server outlived it (pid $SERVER)" kill -0 "$SERVER"
expect "killed mid-request: its nft rule outlived it" bash -c "nft -a list chain inet filter input | grep -q acme-tiny"
use base
run 0
expect "the next run is not locked out by the dead one" not_logged "another renewal is running"
expect "the next run stopped the dead run's web server" logged "stopped the temporary web server (pid $SERVER) that a killed run left behind"
expect "the dead run's web server is gone" bash -c "! kill -0 $SERVER 2>/dev/null"
kill -0 "$SERVER" 2>/dev/null || forget_pid "$SERVER"
expect "the next run removed the dead run's nft rule" logged "removed the nft rule (handle"
no_leftovers
use midrun
kill_mid_request
start=$(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$SERVER/stat")
dead_handle=$(nft -a list chain inet filter input | sed -n 's/.*acme-tiny.* # handle \([0-9]*\)$/\1/p')
stop_pid "$SERVER" # as if it had died, and its PID went to another process:
sleep 300 &
other=$!
pids+=("$other")
nft delete rule inet filter input handle "$dead_handle" # as if the table had been made again, the handle now another rule's:
other_handle=$(nft --echo --handle add rule inet filter input tcp dport 8080 accept comment '"unrelated"' | sed -n 's/.* # handle \([0-9]*\)$/\1/p')
printf '%s %s\n' "$other" "$start" >/run/letsencrypt-renew/server
printf 'inet filter input %s\n' "$other_handle" >/run/letsencrypt-renew/nft
use base
run 0
expect "a process on the recorded PID with another start time is not killed" kill -0 "$other"
expect "and the log says it was left alone" logged "pid $other, if in use, is another process and left alone"
expect "a rule on the recorded handle that is not the script's is not deleted" bash -c "nft -a list chain inet filter input | grep -q 'comment \"unrelated\" # handle $other_handle'"
expect "the records are gone" test -z "$(ls -A /run/letsencrypt-renew)"
expect "the records' directory is root's only" test "$(stat -c '%U %a' /run/letsencrypt-renew)" = "root 700"
stop_pid "$other"
no_leftovers

phase 16
# 16. --once (the apply's first issuance) against a CA whose validation fails: one attempt, no pause,
#     exit 1 within seconds, the CA's reason as the last line of stderr; nothing installed.
start_pebble
fetch_root
mkdir -p "$T/empty"
/usr/bin/python3 -m http.server 80 --bind 127.0.0.1 --directory "$T/empty" >/dev/null 2>&1 &
web_pid=$!
pids+=("$web_pid")
until ss -ltnH 'sport = :80' | grep -q .; do sleep 0.1; done
use once
www4=$(serial "$www/fullchain.pem")
mark=$(wc -l <"$T/acme.log")
begun=$(date +%s%N)
status=0
"$script" --once --force >"$T/once.out" 2>"$T/once.err" || status=$?
took=$((($(date +%s%N) - begun) / 1000000))
tail -n +"$((mark + 1))" "$T/acme.log" >"$T/last.log"
expect "--once: exits 1 (got $status)" test "$status" = 1
expect "--once: returns within seconds (${took} ms)" test "$took" -lt 10000
expect "--once: no retry, no pause" not_logged "retrying"
expect "--once: the CA's reason is the last line of stderr: $(tail -n 1 "$T/once.err" | cut -c1-160)" \
	bash -c "tail -n 1 '$T/once.err' | grep -q '^mail.example.test: the CA says: Non-200 status code from HTTP: http://mail.example.test:80/.well-known/acme-challenge/.* returned 404$'"
expect "--once: each certificate's reason is named" bash -c "grep -q '^www.example.test: ' '$T/once.err' && grep -q '^mail.example.test: ' '$T/once.err'"
expect "--once: nothing installed" test "$(serial "$www/fullchain.pem")" = "$www4"
stop_pid "$web_pid"
no_leftovers

phase 17
# 17. --once first reloads the running services that serve the challenge (the apache role's
#     challenge: true): a running one is reloaded before any request; one whose reload fails ends the
#     run before any request, quoting the service manager. (The private /etc/init.d: an apache2 init
#     script whose status says running.)
use once
cp -a "$T/init.d/apache2" "$T/apache2.init"
printf '#!/bin/sh\ncase "$1" in status) exit 0 ;; reload) echo "apache2 reloaded by the test" ;; esac\n' >"$T/init.d/apache2"
mark=$(wc -l <"$T/acme.log")
status=0
"$script" --once >"$T/once.out" 2>&1 || status=$?
tail -n +"$((mark + 1))" "$T/acme.log" >"$T/last.log"
expect "--once: exits 0 when nothing is due (got $status)" test "$status" = 0
expect "--once: the running challenge service is reloaded first" logged "info: reloaded apache2, which serves the challenge, before the requests"
expect "--once: its output is in the log" logged "apache2 reloaded by the test"
printf '#!/bin/sh\ncase "$1" in status) exit 0 ;; reload) echo "apache2: reload refused" >&2; exit 1 ;; esac\n' >"$T/init.d/apache2"
mark=$(wc -l <"$T/acme.log")
status=0
"$script" --once --force >"$T/once.out" 2>&1 || status=$?
tail -n +"$((mark + 1))" "$T/acme.log" >"$T/last.log"
expect "--once: a failed reload of a challenge service exits 1 (got $status)" test "$status" = 1
expect "--once: says so on stderr, quoting the reason" grep -q "could not reload apache2, which serves the challenge, so nothing was requested: apache2: reload refused" "$T/once.out"
expect "--once: nothing requested after it" not_logged "requesting a certificate"
cp -a "$T/apache2.init" "$T/init.d/apache2"
use base
mark=$(wc -l <"$T/acme.log")
run 0
expect "without --once no challenge service is reloaded" not_logged "which serves the challenge"
no_leftovers

e2e_summary
