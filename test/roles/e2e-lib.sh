# shellcheck shell=bash
# The shared harness of the renewal e2e tests (bash, sourced): the real generated renewal script and
# the real acme-tiny against a real Pebble (+ pebble-challtestsrv), directly or through the ACME proxy
# stand-in test/helpers/acme-proxy.ts, as root, inside private mount and network namespaces (only
# loopback and the interfaces made here; /run, /etc/passwd, /etc/group, /etc/hosts private, and
# /etc/apache2 + /var/log/apache2 once Apache is started). Each test file runs in namespaces of its
# own with a temp dir of its own, so several run at the same time on the same ports.
#
# Use:
#   . "$(dirname "$0")/e2e-lib.sh"
#   e2e_enter "$0" "$@"        # re-execs the test inside the namespaces; then sets up the below
#   start_pebble && fetch_root && make_certificate_dirs && make_certificate NAME rsa DOMAIN...
#   base_vars '{...}'; variant base '{}'; render_variants; use base; run 0; expect "..." logged "..."
#   e2e_summary                # last line: prints "N passed, M failed", exits with the status
#
# Variables (set by e2e_enter and the functions):
#   repo             the repository's root
#   T                this run's temp dir (mktemp, 0755; removed at the end when nothing failed); the cwd
#   pids             array of the PIDs started; the EXIT trap stops exactly these (+ Apache's pid file)
#   passed, failed   check counts
#   certs, challenge $T/certs (acme_certs_dir) and $T/challenges (acme_challenge_dir)
#   script           the renewal script of the variant chosen with `use`
#   pebble_pid       Pebble's PID (empty before start_pebble)
#   proxy_pid        the proxy's PID; PROXY_DIR_URL=https://127.0.0.1:14001/dir (after start_proxy)
#   PEBBLE_DIR_URL   https://127.0.0.1:14000/dir, Pebble's own directory
#   SSL_CERT_FILE    exported: $T/tlsca.pem, the throwaway TLS CA of Pebble and the proxy (for acme-tiny)
#   acme log         $T/acme.log (base_vars sets acme_log_file to it; run reads it)
#
# Functions:
#   e2e_enter "$0" "$@"          re-exec in unshare --mount --net --propagation private, then: T, trap,
#                                network (lo; acme4 192.0.2.1 with the IPv4 default route, acme6
#                                2001:db8::1 with the IPv6 one), private /run, acme user, /etc/hosts
#   stop_pid PID                 TERM exactly this process, KILL it after 5 s; drops it from pids
#   forget_pid PID               drops a PID from pids that is gone otherwise (stopped by the script)
#   ok TEXT / bad TEXT           count and print one check ("ok   ..." / "FAIL ...")
#   expect TEXT COMMAND...       ok when COMMAND succeeds, else bad
#   phase TEXT                   prints "# TEXT (N s)"
#   add_hosts NAME...            these names -> 127.0.0.1 in the private /etc/hosts
#   start_pebble [SECONDS]       Pebble (certificate validity SECONDS, Pebble's default without) and, once,
#                                challtestsrv (start_challtestsrv: DNS, every name -> 127.0.0.1); waits
#                                until it answers; Pebble's TLS CA is made at the first start
#   pebble_fetch PATH            GET PATH of Pebble's management API (127.0.0.1:15000)
#   stop_pebble                  stops Pebble (the proxy, if running, then answers 502)
#   fetch_root                   Pebble's current root -> $T/pebble-root.pem (a new one at every start)
#   start_proxy                  the standalone acme-proxy in front of Pebble; waits for `ready`
#   proxy_behaviour 'JSON'       PUT the Behaviour (acme-proxy.ts) to the proxy's control port
#   proxy_seen                   prints the proxy's {"certIds": [...], "newOrders": N}
#   stop_proxy                   stops the proxy
#   make_certificate_dirs        $certs (root:acme 0750), account.key (RSA, root:acme 0440), $challenge
#                                with .well-known/acme-challenge (acme:www-data 0750), as the role makes
#   make_certificate NAME rsa|ec256 DOMAIN...  $certs/NAME with domain.key (0400) and domain.csr
#   make_csr DIR KEY DOMAIN...   DIR/domain.csr (root:acme 0440) from KEY for these names (CN: the first)
#   base_vars 'JSON'             (after make_certificate_dirs, and start_proxy when the directory is to
#                                be the proxy) $T/base.json: this harness's paths (certs, challenge, log, CA file,
#                                directory: $PROXY_DIR_URL if started, else Pebble's), letsencrypt only,
#                                acme_retries 1, acme_retry_delay 1; JSON over it
#   variant NAME 'JSON'          a host: $T/base.json with JSON over it, rendered by render_variants
#   render_variants              renders every variant (one node start) into $T/root-NAME
#                                and installs its ari.py (install_ari_helper ARI.PY: overlays of
#                                /usr/local/lib and /var/lib, private to the namespace)
#   use NAME                     script=$T/root-NAME/usr/local/sbin/letsencrypt-renew
#   run EXPECTED ARGS...         runs $script ARGS, a check that it exits EXPECTED; its output in $T/out,
#                                its new log lines in $T/last.log
#   logged RE / not_logged RE    grep -- RE in $T/last.log (logged prints the lines when it is not there)
#   serial FILE                  the certificate's "serial=..." line
#   verifies DIR                 DIR/signed.crt verifies with DIR/chain.pem against $T/pebble-root.pem
#   start_apache VARIANT         the apache role's files of VARIANT (its provision_roles with apache) in a
#                                private /etc/apache2, the real Apache started on 80/443; one check:
#                                apache2ctl configtest
#   stop_apache                  stops Apache
#   served_serial NAME           the leaf serial Apache serves on 127.0.0.1:443 for NAME, only when the
#                                served chain (leaf + intermediate) verifies against Pebble's root for NAME
#   e2e_summary                  "log: ...", "N passed, M failed"; removes $T when nothing failed; exits

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PEBBLE_DIR_URL=https://127.0.0.1:14000/dir

e2e_enter() { # "$0" "$@"
	if [ "${E2E_INSIDE:-}" != 1 ]; then
		exec env E2E_INSIDE=1 unshare --mount --net --propagation private bash "$@"
	fi
	unset E2E_INSIDE # a lib test started from this one gets namespaces of its own
	started=$(date +%s)
	T=$(mktemp -d /tmp/acme-e2e.XXXXXX)
	chmod 0755 "$T" # the acme user and Apache must reach the certificate and challenge directories
	pids=()
	passed=0 failed=0
	pebble_pid='' proxy_pid='' challtestsrv_pid=''
	trap e2e_cleanup EXIT
	# Killed (runCheck's timeout, ^C): exit, so the EXIT trap stops what this run started.
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	ip link set lo up
	# Two interfaces with default routes (IPv4 on one, IPv6 on the other): the renewal script's
	# firewall code opens port 80 on the default-route interfaces, and must find both.
	local name
	for name in acme4 acme6; do
		ip link add "$name" type veth peer name "${name}p"
		ip link set "${name}p" up
		ip link set "$name" up
	done
	ip addr add 192.0.2.1/24 dev acme4
	ip route add default via 192.0.2.254 dev acme4
	ip -6 addr add 2001:db8::1/64 dev acme6 nodad
	ip -6 route add default via 2001:db8::ff dev acme6

	# Private /run: no systemd in here, so service(8) runs the init scripts; lock and pid files stay here.
	mount -t tmpfs -o mode=0755 tmpfs /run
	mkdir -p /run/lock

	# Private accounts and names.
	cp /etc/passwd /etc/group /etc/hosts "$T/"
	echo 'acme:x:64990:' >>"$T/group"
	echo 'acme:x:64990:64990::/nonexistent:/usr/sbin/nologin' >>"$T/passwd"
	local f
	for f in passwd group hosts; do mount --bind "$T/$f" "/etc/$f"; done
	cd "$T" || exit 1
}

stop_pid() { # PID: stop exactly this process and wait until it is gone; then it is no longer in pids
	if kill "$1" 2>/dev/null; then
		for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$1" 2>/dev/null || :
	fi
	forget_pid "$1"
}
forget_pid() { # PID: out of pids, so the cleanup never signals a later process that got this PID
	local pid kept=()
	for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
	pids=("${kept[@]}")
}
e2e_cleanup() {
	if [ -s /run/apache2/apache2.pid ]; then stop_pid "$(cat /run/apache2/apache2.pid)"; fi
	local pid started_here=("${pids[@]}")
	for pid in "${started_here[@]}"; do stop_pid "$pid"; done
	for pid in "${started_here[@]}"; do wait "$pid" 2>/dev/null || :; done
}

ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
expect() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
phase() { echo "# $* ($(($(date +%s) - started)) s)"; }
e2e_summary() {
	echo "log: $T/acme.log ($(($(date +%s) - started)) s)"
	if [ "$failed" = 0 ]; then
		unmount_ari_helper
		rm -rf "$T"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
	exit
}

add_hosts() { # NAME...: these names resolve to 127.0.0.1 (acme-tiny's own check, s_client)
	printf '127.0.0.1 %s\n' "$*" >>/etc/hosts
}

# Pebble's (and the proxy's) own TLS certificate, from a throwaway CA made at the first start.
pebble_tls() {
	[ -s "$T/pebble.crt" ] && return 0
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/tlsca.key" -out "$T/tlsca.pem" -subj /CN=tls-ca -days 2 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$T/pebble.key" -out "$T/pebble.csr" -subj /CN=localhost 2>/dev/null
	openssl x509 -req -in "$T/pebble.csr" -CA "$T/tlsca.pem" -CAkey "$T/tlsca.key" -CAcreateserial -out "$T/pebble.crt" -days 2 \
		-extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n') 2>/dev/null
	export SSL_CERT_FILE=$T/tlsca.pem # acme-tiny's urllib must trust Pebble's (and the proxy's) TLS certificate
}
pebble_config() { # FILE [VALIDITY-SECONDS]
	cat >"$1" <<EOF
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
 "certificate": "$T/pebble.crt", "privateKey": "$T/pebble.key", "httpPort": 80, "tlsPort": 5001,
 "ocspResponderURL": "", "externalAccountBindingRequired": false${2:+, \"certificateValidityPeriod\": $2}}}
EOF
}
pebble_fetch() { # PATH: from Pebble's management API
	/usr/bin/python3 -c "import ssl,sys,urllib.request; print(urllib.request.urlopen('https://127.0.0.1:15000$1', context=ssl.create_default_context(cafile='$T/tlsca.pem')).read().decode(), end='')"
}
start_challtestsrv() { # the DNS Pebble validates through: every name -> 127.0.0.1
	[ -n "$challtestsrv_pid" ] && return 0
	pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 127.0.0.1:8053 -http01 "" -https01 "" \
		-tlsalpn01 "" -management 127.0.0.1:8055 >>"$T/challtestsrv.log" 2>&1 &
	challtestsrv_pid=$!
	pids+=("$challtestsrv_pid")
}
# shellcheck disable=SC2120 # the validity is optional
start_pebble() { # [VALIDITY-SECONDS]
	pebble_tls
	start_challtestsrv
	local config=$T/pebble${1:+-$1}.json
	pebble_config "$config" "${1:-}"
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
		pebble -config "$config" -dnsserver 127.0.0.1:8053 >>"$T/pebble.log" 2>&1 &
	pebble_pid=$!
	pids+=("$pebble_pid")
	for _ in $(seq 200); do
		if pebble_fetch /roots/0 >/dev/null 2>&1; then return 0; fi
		sleep 0.1
	done
	echo "pebble did not start" >&2
	return 1
}
stop_pebble() { stop_pid "$pebble_pid"; wait "$pebble_pid" 2>/dev/null || :; }
# Pebble makes a new root at every start; acme_ca_file is this file.
fetch_root() { pebble_fetch /roots/0 >"$T/pebble-root.pem"; }

# The ACME proxy stand-in (test/helpers/acme-proxy.ts) as its own process, in front of Pebble, with
# Pebble's TLS certificate; its control port takes the Behaviour and tells what it saw.
start_proxy() {
	pebble_tls
	: >"$T/proxy.out"
	(cd "$repo" && exec node --import tsx test/helpers/acme-proxy.ts --upstream https://127.0.0.1:14000 --ca "$T/tlsca.pem" \
		--cert "$T/pebble.crt" --key "$T/pebble.key" --listen 127.0.0.1:14001 --control 127.0.0.1:14002) >"$T/proxy.out" 2>>"$T/proxy.log" &
	proxy_pid=$!
	pids+=("$proxy_pid")
	for _ in $(seq 600); do # node + tsx start slowly on a loaded machine
		if grep -qx ready "$T/proxy.out"; then
			PROXY_DIR_URL=https://127.0.0.1:14001/dir
			return 0
		fi
		kill -0 "$proxy_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "acme-proxy did not start:" >&2
	cat "$T/proxy.log" >&2
	return 1
}
proxy_behaviour() { # 'JSON': the Behaviour of acme-proxy.ts ('{}': plain Pebble)
	curl -fsS -X PUT -H 'Content-Type: application/json' --data "$1" http://127.0.0.1:14002/behaviour
}
proxy_seen() { curl -fsS http://127.0.0.1:14002/seen; }
stop_proxy() { stop_pid "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || :; }

# What the letsencrypt role's resources put on the host (the same openssl commands as the engine's).
certs=
challenge=
make_certificate_dirs() {
	certs=$T/certs challenge=$T/challenges
	install -d -o root -g acme -m 0750 "$certs"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$certs/account.key" 2>/dev/null
	chgrp acme "$certs/account.key" && chmod 0440 "$certs/account.key"
	install -d -o root -g root -m 0755 "$challenge" "$challenge/.well-known"
	install -d -o acme -g www-data -m 0750 "$challenge/.well-known/acme-challenge"
}
make_csr() { # DIR KEY DOMAIN...: DIR/domain.csr from KEY for these names
	local dir=$1 key=$2
	shift 2
	openssl req -new -key "$key" -subj "/CN=$1" -addext "subjectAltName=$(printf 'DNS:%s,' "$@" | sed 's/,$//')" -out "$dir/domain.csr"
	chgrp acme "$dir/domain.csr" && chmod 0440 "$dir/domain.csr"
}
make_certificate() { # NAME rsa|ec256 DOMAIN...: $certs/NAME with domain.key and domain.csr
	local dir=$certs/$1 type=$2
	shift 2
	install -d -o root -g acme -m 0750 "$dir"
	case $type in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/domain.key" 2>/dev/null ;;
	ec256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/domain.key" 2>/dev/null ;;
	*) echo "make_certificate: key type $type?" >&2 && return 1 ;;
	esac
	chmod 0400 "$dir/domain.key"
	make_csr "$dir" "$dir/domain.key" "$@"
}

# The host's variables: $T/base.json, and variants of it rendered in one node start.
base_vars() { # 'JSON': over this harness's settings (after make_certificate_dirs, and start_proxy if used)
	[ -n "$certs" ] || { echo "base_vars: make_certificate_dirs first" >&2 && return 1; }
	/usr/bin/python3 -c 'import json,sys; v=json.loads(sys.argv[1]); v.update(json.loads(sys.argv[2])); json.dump(v, open(sys.argv[3], "w"))' \
		"{\"provision_roles\": [\"letsencrypt\"], \"acme_certs_dir\": \"$certs\", \"acme_challenge_dir\": \"$challenge\",
		  \"acme_log_file\": \"$T/acme.log\", \"acme_directory_url\": \"${PROXY_DIR_URL:-$PEBBLE_DIR_URL}\",
		  \"acme_ca_file\": \"$T/pebble-root.pem\", \"acme_retries\": 1, \"acme_retry_delay\": 1}" "$1" "$T/base.json"
}
variants=()
variant() { # NAME JSON: base.json with these variables over it
	/usr/bin/python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); v.update(json.loads(sys.argv[2])); json.dump(v, open(sys.argv[3], "w"))' \
		"$T/base.json" "$2" "$T/vars-$1.json"
	variants+=("$T/vars-$1.json" "$T/root-$1")
}
# render_variants also installs the role's ARI helper (the first variant's ari.py) where the role puts
# it, as every rendered script runs it: /usr/local/lib/letsencrypt-renew and the state directory
# /var/lib/letsencrypt-renew, in overlays of /usr/local/lib and /var/lib private to this mount
# namespace (the machine's own stay untouched).
render_variants() {
	(cd "$repo" && node --import tsx test/roles/render-host.mjs "${variants[@]}" >/dev/null) || return 1
	install_ari_helper "${variants[1]}/usr/local/lib/letsencrypt-renew/ari.py"
}
unmount_ari_helper() { # the overlays of install_ari_helper, before $T (which holds them) is removed
	local lower
	if [ -d "$T/overlay-usr-local-lib" ]; then
		for lower in /usr/local/lib /var/lib; do
			umount "$lower" && umount "$T/overlay${lower//\//-}"
		done
	fi
}
install_ari_helper() { # ARI.PY
	local lower layer
	if [ ! -d "$T/overlay-usr-local-lib" ]; then
		for lower in /usr/local/lib /var/lib; do
			layer=$T/overlay${lower//\//-}
			mkdir -p "$layer"
			mount -t tmpfs tmpfs "$layer"
			mkdir "$layer/upper" "$layer/work"
			mount -t overlay overlay -o "lowerdir=$lower,upperdir=$layer/upper,workdir=$layer/work" "$lower"
		done
	fi
	install -d -o root -g root -m 0755 /usr/local/lib/letsencrypt-renew /var/lib/letsencrypt-renew
	install -o root -g root -m 0644 "$1" /usr/local/lib/letsencrypt-renew/ari.py
}
use() { script=$T/root-$1/usr/local/sbin/letsencrypt-renew; }

run() { # EXPECTED-STATUS ARGS...: run the script; its new log lines go to $T/last.log
	local expected=$1 status=0 mark
	shift
	mark=$(wc -l 2>/dev/null <"$T/acme.log" || echo 0)
	"$script" "$@" >"$T/out" 2>&1 || status=$?
	tail -n +"$((mark + 1))" "$T/acme.log" >"$T/last.log"
	helper_ran || bad "script $*: the ARI helper failed: $(grep 'ari.py' "$T/last.log" | head -n 1)"
	if [ "$status" = "$expected" ]; then ok "script $* exits $expected"; else bad "script $* exits $status, not $expected"; cat "$T/out" "$T/last.log"; fi
}
# Every run has a working ARI helper unless the test broke it on purpose (HELPER_BROKEN=1).
helper_ran() { [ -n "${HELPER_BROKEN:-}" ] || ! grep -q 'ari.py [a-z-]* failed' "$T/last.log"; }
logged() { grep -q -- "$1" "$T/last.log" || { sed 's/^/    | /' "$T/last.log"; false; }; }
not_logged() { ! grep -q -- "$1" "$T/last.log"; }
serial() { openssl x509 -in "$1" -noout -serial; }
verifies() { # DIR: signed.crt chains to Pebble's current root through chain.pem
	openssl verify -CAfile "$T/pebble-root.pem" -untrusted "$1/chain.pem" "$1/signed.crt" >/dev/null
}

# The real Apache with the apache role's files of a variant, in a private /etc/apache2.
start_apache() { # VARIANT
	if ! mountpoint -q /etc/apache2; then
		mkdir -p "$T/apache-log" && mount --bind "$T/apache-log" /var/log/apache2
		cp -a /etc/apache2 "$T/apache2"
		cp -a "$T/root-$1/etc/apache2/." "$T/apache2/"
		mount --bind "$T/apache2" /etc/apache2
	fi
	expect "apache2ctl configtest" bash -c "apache2ctl -t >'$T/apache-t.out' 2>&1 || { cat '$T/apache-t.out'; false; }"
	apache2ctl start
	for _ in $(seq 100); do [ -s /run/apache2/apache2.pid ] && ss -ltnH 'sport = :443' | grep -q . && return 0; sleep 0.1; done
	echo "apache did not start" >&2
	return 1
}
stop_apache() { if [ -s /run/apache2/apache2.pid ]; then stop_pid "$(cat /run/apache2/apache2.pid)"; fi; }
served_serial() { # NAME: the leaf serial Apache serves for NAME, when the chain verifies against Pebble's root
	local out
	out=$(openssl s_client -connect 127.0.0.1:443 -servername "$1" -verify_hostname "$1" \
		-CAfile "$T/pebble-root.pem" -showcerts </dev/null 2>/dev/null) || return 1
	grep -q 'Verify return code: 0 (ok)' <<<"$out" || return 1
	[ "$(grep -c 'BEGIN CERTIFICATE' <<<"$out")" = 2 ] || return 1
	openssl x509 -noout -serial <<<"$out"
}
