
# shellcheck shell=sh
# The settings (CERTS_DIR ... CHALLENGE_SERVICES) are assigned, and renew_certificate is called, by the
# rendered header (renew_all), which shellcheck sees only in the installed script:
# shellcheck disable=SC2154,SC2153,SC2317
#
# The renewal script's functions and main: installed verbatim as the second half of
# /usr/local/sbin/letsencrypt-renew, after the header rendered from templates/renew.sh.njk (the
# settings, and renew_all with one line per certificate) and the shared reload_service
# (templates/reload-service.sh). Plain POSIX sh, shellchecked as it is in the repository. A new
# function goes here; a new setting goes into the header (validated by the role's schema, shquoted)
# with its default, if any, in the role's defaults.yml.

# State, for the functions below and the exit trap.
FORCE=false
ONCE=false
ONCE_REASONS=
RATE_LIMITED= # non-empty once the CA refused a request of this run for a rate limit
CERT_NAME=
CERT_DIR=
WORK_DIR=
SERVER_PID=
SERVER_CHECKED=false
SLEEP_PID=
NFT_HANDLE=
IPTABLES_RULES=
RELOAD=
SET_SWITCHED= # non-empty once an install renamed fullchain.pem
LAST_ERROR= # the last error logged for the certificate at hand, for its renewal state
KEY_FILE=    # the key the certificate at hand is requested for: domain.key, or domain.key.next
CSR_FILE=    # and its request: domain.csr, or domain.csr.next
# A key rotation's old key and certificate set are kept here, as the apply keeps what it removes:
# one directory per run (UTC date and PID), the files at their full paths below it, root's only.
ARCHIVE_DIR=/var/lib/provision/archive
ARCHIVE=

usage() {
	echo "usage: $0 [--force] [--once]" >&2
	exit 2
}

# log PRIORITY MESSAGE: to the log file and syslog; warnings and errors also to stderr (cron mails
# it), the rest to a terminal when run by hand.
log() {
	priority=$1
	shift
	printf '%s %s: %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$priority" "$*" >>"$LOG_FILE"
	if [ "$priority" = err ]; then
		LAST_ERROR=$*
	fi
	if command -v logger >/dev/null 2>&1; then
		logger -t acme-tiny -p "user.$priority" -- "$*" 2>/dev/null || :
	fi
	if [ "$priority" != info ]; then
		printf '%s: %s\n' "$0" "$*" >&2
	elif [ -t 1 ]; then
		printf '%s\n' "$*"
	fi
}

prepare_log() {
	if [ ! -e "$LOG_FILE" ]; then
		install -m 0640 -g adm /dev/null "$LOG_FILE" 2>/dev/null || : >>"$LOG_FILE"
	fi
}

# One run at a time: two would fight over the port and the files.
take_lock() {
	exec 9>>"$LOCK_FILE"
	if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
		log err "another renewal is running (lock $LOCK_FILE)"
		exit 1
	fi
}

# run_as_acme COMMAND...: without a shell, as ACME_USER, with no way to regain privileges.
run_as_acme() {
	setpriv --reuid="$ACME_USER" --regid="$ACME_USER" --init-groups --no-new-privs -- "$@"
}

# Succeeds when something listens on HTTP_PORT: ss (iproute2), or lsof where ss is missing.
port_in_use() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -ltnH "sport = :$HTTP_PORT")" ]
	else
		lsof -nP -iTCP:"$HTTP_PORT" -sTCP:LISTEN -t >/dev/null 2>&1
	fi
}

# Serves CHALLENGE_DIR on HTTP_PORT unless something listens there already (a web server that serves
# it, as the roles with a challenge service arrange). Done once per run, when the first certificate is
# requested. The server runs as ACME_USER, allowed to bind a low port through an ambient capability,
# so it can only ever expose files that user can read.
start_challenge_server() {
	if [ "$SERVER_CHECKED" = true ]; then
		return 0
	fi
	if ! command -v ss >/dev/null 2>&1 && ! command -v lsof >/dev/null 2>&1; then
		log err "neither ss (iproute2) nor lsof is installed: cannot tell whether port $HTTP_PORT is in use"
		return 1
	fi
	SERVER_CHECKED=true
	if port_in_use; then
		log info "port $HTTP_PORT is in use: its web server must serve $CHALLENGE_DIR/.well-known/acme-challenge at /.well-known/acme-challenge/"
		return 0
	fi
	bind_address=0.0.0.0
	if [ -e /proc/net/if_inet6 ]; then
		bind_address=:: # also accepts IPv4
	fi
	setpriv --reuid="$ACME_USER" --regid="$ACME_USER" --init-groups --no-new-privs \
		--inh-caps=+net_bind_service --ambient-caps=+net_bind_service -- \
		"$PYTHON" -m http.server "$HTTP_PORT" --bind "$bind_address" --directory "$CHALLENGE_DIR" \
		</dev/null >>"$LOG_FILE" 2>&1 9>&- &
	SERVER_PID=$!
	record_server
	tries=0
	until port_in_use; do
		tries=$((tries + 1))
		if [ "$tries" -gt 50 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
			log err "the temporary web server on port $HTTP_PORT did not start"
			stop_challenge_server
			return 1
		fi
		sleep 0.2
	done
	log info "started a temporary web server on port $HTTP_PORT (pid $SERVER_PID)"
	open_firewall
}

stop_challenge_server() {
	close_firewall
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || :
		wait "$SERVER_PID" 2>/dev/null || :
		log info "stopped the temporary web server (pid $SERVER_PID)"
		SERVER_PID=
		rm -f -- "$STATE_DIR/server"
	fi
}

# prepare_state_dir: STATE_DIR, a directory of root's only, or exit: root kills what the records
# there name, so no other account may be able to write them or swap the directory.
prepare_state_dir() {
	mkdir -m 0700 "$STATE_DIR" 2>/dev/null || :
	if [ -L "$STATE_DIR" ] || [ ! -d "$STATE_DIR" ] || [ "$(stat -c %u "$STATE_DIR")" != 0 ]; then
		log err "$STATE_DIR is not a directory owned by root; remove it"
		exit 1
	fi
	chmod 0700 "$STATE_DIR"
}

# record NAME LINE...: STATE_DIR/NAME holds these lines, written whole (temp file, rename).
record() {
	name=$1
	shift
	printf '%s\n' "$@" >"$STATE_DIR/.$name.tmp" && mv -f "$STATE_DIR/.$name.tmp" "$STATE_DIR/$name"
}

# start_time PID: when the process started (field 22 of /proc/PID/stat, clock ticks after boot); with
# the PID it names one process for good, as a PID alone is reused.
start_time() {
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	# The command name (field 2) may hold spaces and parentheses: count from the last ") ".
	printf '%s\n' "${stat##*) }" | awk '{ print $20 }'
}

record_server() {
	if start=$(start_time "$SERVER_PID") && [ -n "$start" ]; then
		record server "$SERVER_PID $start" || log warning "cannot record the temporary web server in $STATE_DIR"
	fi
}

# reap_dead_run: removes what a run killed before its trap ran (kill -9, power cut of the process)
# left behind, as recorded in STATE_DIR, and nothing else: the server only when its PID still names
# the process started then (same start time), the nft rule only by its handle, the iptables rules by
# their exact specification. Called under the lock, so no live run owns the records.
reap_dead_run() {
	if [ -f "$STATE_DIR/server" ]; then
		read -r pid start <"$STATE_DIR/server" || :
		case "${pid:-x}${start:-x}" in
		*[!0-9]*) log warning "ignored an unreadable record $STATE_DIR/server" ;;
		*)
			if [ "$(start_time "$pid" || :)" = "$start" ]; then
				kill "$pid" 2>/dev/null || :
				tries=0
				while [ "$(start_time "$pid" || :)" = "$start" ] && [ "$tries" -lt 50 ]; do
					tries=$((tries + 1))
					sleep 0.1
				done
				if [ "$(start_time "$pid" || :)" = "$start" ]; then
					kill -KILL "$pid" 2>/dev/null || :
				fi
				log warning "stopped the temporary web server (pid $pid) that a killed run left behind"
			else
				log info "the temporary web server of a killed run (pid $pid) is gone; pid $pid, if in use, is another process and left alone"
			fi
			;;
		esac
		rm -f -- "$STATE_DIR/server"
	fi
	if [ -f "$STATE_DIR/nft" ]; then
		read -r family table chain handle <"$STATE_DIR/nft" || :
		case "${handle:-x}" in
		*[!0-9]*) log warning "ignored an unreadable record $STATE_DIR/nft" ;;
		*)
			# The handle names one rule of the chain until the table is made again: deleted only
			# while that rule is still ours.
			if nft -a list chain "$family" "$table" "$chain" 2>/dev/null | grep -q "comment \"$RULE_COMMENT\" # handle $handle\$"; then
				if nft delete rule "$family" "$table" "$chain" handle "$handle" 2>>"$LOG_FILE"; then
					log warning "removed the nft rule (handle $handle) that a killed run left behind"
				else
					log warning "could not remove the nft rule $handle a killed run left in $family $table $chain"
				fi
			fi
			;;
		esac
		rm -f -- "$STATE_DIR/nft"
	fi
	if [ -f "$STATE_DIR/iptables" ]; then
		while read -r tool interface port; do
			case "$tool" in iptables | ip6tables) ;; *) continue ;; esac
			case "${port:-x}" in *[!0-9]*) continue ;; *) ;; esac
			if "$tool" -D INPUT -i "$interface" -p tcp --dport "$port" -m comment --comment "$RULE_COMMENT" -j ACCEPT 2>>"$LOG_FILE"; then
				log warning "removed the $tool rule for port $port on $interface that a killed run left behind"
			fi
		done <"$STATE_DIR/iptables"
		rm -f -- "$STATE_DIR/iptables"
	fi
}

# The interfaces the CA's connection may arrive on: INTERFACES, or those of the IPv4 and IPv6 default
# routes now (so a changed network needs no new apply). Prints nothing when there is no default route.
firewall_interfaces() {
	if [ -n "$INTERFACES" ]; then
		# shellcheck disable=SC2086 # split on purpose: the schema allows only plain interface names
		printf '%s\n' $INTERFACES
		return 0
	fi
	{
		ip -4 route show default
		ip -6 route show default
	} 2>/dev/null |
		awk '{ for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1) }' |
		grep -E '^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}$' | sort -u
}

# The firewall to use: FIREWALL, with auto resolved to what the host has.
firewall_kind() {
	if [ "$FIREWALL" != auto ]; then
		echo "$FIREWALL"
	elif command -v nft >/dev/null 2>&1 && nft list chain "$NFT_FAMILY" "$NFT_TABLE" "$NFT_CHAIN" >/dev/null 2>&1; then
		echo nftables
	elif command -v iptables >/dev/null 2>&1 || command -v ip6tables >/dev/null 2>&1; then
		echo iptables
	else
		echo none
	fi
}

# Lets the CA reach the temporary server over IPv4 and IPv6 on the chosen interfaces, remembering
# exactly which rules were added so that close_firewall removes those and nothing else. Failing is
# only a warning: the port may well be open already.
open_firewall() {
	kind=$(firewall_kind)
	if [ "$kind" = none ]; then
		log info "not opening port $HTTP_PORT in a firewall (acme_firewall: $FIREWALL)"
		return 0
	fi
	interfaces=$(firewall_interfaces | tr '\n' ' ')
	interfaces=${interfaces% }
	if [ -z "$interfaces" ]; then
		log warning "no default route and no acme_interfaces: opening port $HTTP_PORT on every interface"
	fi
	if [ "$kind" = nftables ]; then
		open_nftables "$interfaces"
	else
		open_iptables "$interfaces"
	fi
}

# open_nftables "IF1 IF2": one rule in NFT_CHAIN; an inet chain covers IPv4 and IPv6.
open_nftables() {
	interfaces=$1
	set --
	if [ -n "$interfaces" ]; then
		# shellcheck disable=SC2086 # one word per interface name (letters, digits, _ . - only)
		set -- iifname "{ $(printf '"%s", ' $interfaces | sed 's/, $//') }"
	fi
	NFT_HANDLE=$(nft --echo --handle insert rule "$NFT_FAMILY" "$NFT_TABLE" "$NFT_CHAIN" \
		"$@" tcp dport "$HTTP_PORT" accept comment "\"$RULE_COMMENT\"" 2>>"$LOG_FILE" |
		sed -n 's/.*# handle \([0-9][0-9]*\)$/\1/p') || NFT_HANDLE=
	if [ -n "$NFT_HANDLE" ]; then
		record nft "$NFT_FAMILY $NFT_TABLE $NFT_CHAIN $NFT_HANDLE" || log warning "cannot record nft rule $NFT_HANDLE in $STATE_DIR"
		log info "opened port $HTTP_PORT${interfaces:+ on $interfaces} in nft chain $NFT_FAMILY $NFT_TABLE $NFT_CHAIN (handle $NFT_HANDLE)"
	else
		log warning "could not open port $HTTP_PORT in nft chain $NFT_FAMILY $NFT_TABLE $NFT_CHAIN"
	fi
}

# open_iptables "IF1 IF2": one rule per interface in iptables and in ip6tables ("+" is any interface).
open_iptables() {
	for tool in iptables ip6tables; do
		if ! command -v "$tool" >/dev/null 2>&1; then
			log warning "$tool is not installed: port $HTTP_PORT not opened with it"
			continue
		fi
		for interface in ${1:-+}; do
			if "$tool" -I INPUT -i "$interface" -p tcp --dport "$HTTP_PORT" -m comment --comment "$RULE_COMMENT" -j ACCEPT 2>>"$LOG_FILE"; then
				IPTABLES_RULES="$IPTABLES_RULES $tool:$interface"
				printf '%s %s %s\n' "$tool" "$interface" "$HTTP_PORT" >>"$STATE_DIR/iptables" || log warning "cannot record the $tool rule in $STATE_DIR"
				log info "opened port $HTTP_PORT on $interface with $tool"
			else
				log warning "could not open port $HTTP_PORT on $interface with $tool"
			fi
		done
	done
}

close_firewall() {
	if [ -n "$NFT_HANDLE" ]; then
		if nft delete rule "$NFT_FAMILY" "$NFT_TABLE" "$NFT_CHAIN" handle "$NFT_HANDLE" 2>>"$LOG_FILE"; then
			log info "closed port $HTTP_PORT again (nft handle $NFT_HANDLE)"
		else
			log warning "could not remove nft rule $NFT_HANDLE from $NFT_FAMILY $NFT_TABLE $NFT_CHAIN"
		fi
		NFT_HANDLE=
		rm -f -- "$STATE_DIR/nft"
	fi
	for rule in $IPTABLES_RULES; do
		tool=${rule%%:*}
		interface=${rule#*:}
		if "$tool" -D INPUT -i "$interface" -p tcp --dport "$HTTP_PORT" -m comment --comment "$RULE_COMMENT" -j ACCEPT 2>>"$LOG_FILE"; then
			log info "closed port $HTTP_PORT on $interface again with $tool"
		else
			log warning "could not remove the $tool rule for port $HTTP_PORT on $interface"
		fi
	done
	IPTABLES_RULES=
	rm -f -- "$STATE_DIR/iptables"
}

# matches_key CERT [KEY]: succeeds when certificate CERT holds the public key of KEY (CERT_DIR/domain.key
# by default).
matches_key() {
	cert_public_key=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null) || return 1
	domain_public_key=$(openssl pkey -in "${2:-$CERT_DIR/domain.key}" -pubout 2>/dev/null) || return 1
	[ "$cert_public_key" = "$domain_public_key" ]
}

# dns_names CERT: the certificate's DNS names (subjectAltName), one a line, lower case, sorted.
dns_names() {
	openssl x509 -in "$1" -noout -ext subjectAltName 2>/dev/null |
		tr ',' '\n' | sed -n 's/^ *DNS://p' | tr '[:upper:]' '[:lower:]' | sort -u
}

# same_names CERT NAME...: succeeds when the certificate is for exactly these names.
same_names() {
	cert=$1
	shift
	[ "$(dns_names "$cert")" = "$(printf '%s\n' "$@" | tr '[:upper:]' '[:lower:]' | sort -u)" ]
}

# self_signed CERT: its subject is its issuer (the placeholder before the first issuance). Compared as
# whole names, so a certificate with an empty subject (tlsserver and shortlived ones have no CN, and
# may have no subject at all) still counts as issued: its issuer, the CA, has a name.
self_signed() {
	[ "$(openssl x509 -in "$1" -noout -subject -nameopt RFC2253 2>/dev/null | sed 's/^subject=//')" = \
		"$(openssl x509 -in "$1" -noout -issuer -nameopt RFC2253 2>/dev/null | sed 's/^issuer=//')" ]
}

# cert_date CERT startdate|enddate: that date of the certificate in seconds since 1970, read from
# openssl's single-field output ("notAfter=Nov 26 20:00:00 2026 GMT"), never from -text (OpenSSL 4.0
# changed it) nor from the exit status of x509's checkend option (OpenSSL 3.6 exits 0 whatever the
# answer, openssl/openssl#28928). Fails, printing nothing, when the date cannot be read.
cert_date() {
	date_line=$(openssl x509 -in "$1" -noout "-$2" 2>/dev/null) || return 1
	case $date_line in
	not*=?*) ;;
	*) return 1 ;;
	esac
	date_epoch=$(date -u -d "${date_line#*=}" +%s 2>/dev/null) || return 1
	case $date_epoch in
	'' | *[!0-9-]*) return 1 ;;
	*) ;;
	esac
	echo "$date_epoch"
}

# not_before CERT, not_after CERT: when the certificate starts and stops being valid (cert_date).
not_before() {
	cert_date "$1" startdate
}
not_after() {
	cert_date "$1" enddate
}

# renew_window NOT_BEFORE NOT_AFTER [quiet]: seconds before NOT_AFTER from which the certificate is due: a
# third of its lifetime (Let's Encrypt's advice; the lifetime is the certificate's own, so the window
# follows the CA's lifetimes), or RENEW_BEFORE_DAYS when that is less than half of the lifetime. Half
# or more would renew much too often (30 days of a 45-day certificate: every 15 days; 4 days of a
# 160-hour shortlived one: every 2 to 3 days, burning the limit of 5 certificates per name set and
# week): then the third, with a warning naming both, once per certificate and run (due() asks; the
# state record asks again with quiet).
renew_window() {
	lifetime=$(($2 - $1))
	if [ -n "$RENEW_BEFORE_DAYS" ]; then
		if [ $((RENEW_BEFORE_DAYS * 86400 * 2)) -lt "$lifetime" ]; then
			echo "$((RENEW_BEFORE_DAYS * 86400))"
			return 0
		fi
		[ "${3:-}" = quiet ] || log warning "$CERT_NAME: acme_renew_before ($RENEW_BEFORE_DAYS days) is half or more of the certificate's lifetime ($(duration "$lifetime")): renewing when a third of it remains instead ($(duration $((lifetime / 3))))"
	fi
	echo "$((lifetime / 3))"
}

# utc EPOCH: a date for the log.
utc() {
	date -u -d "@$1" '+%Y-%m-%d %H:%M:%S UTC'
}

# duration SECONDS: in days, hours or seconds, for the log; in hours under 10 days unless whole days
# (a 160-hour certificate is not a "6 days" one).
duration() {
	if [ "$1" -ge 864000 ] || { [ "$1" -ge 86400 ] && [ $(($1 % 86400)) -eq 0 ]; }; then
		echo "$(($1 / 86400)) days"
	elif [ "$1" -ge 3600 ]; then
		echo "$(($1 / 3600)) hours"
	else
		echo "$1 seconds"
	fi
}

# certs_in FILE: the PEM certificates in FILE and nothing else (no text or blank lines between them).
certs_in() {
	awk '/^-----BEGIN CERTIFICATE-----$/ { inside = 1 } inside { print } /^-----END CERTIFICATE-----$/ { inside = 0 }' "$1" 2>/dev/null
}

# leaf_of FILE, chain_of FILE: its first certificate; every one after the first.
leaf_of() {
	certs_in "$1" | awk '{ print } /^-----END CERTIFICATE-----$/ { exit }'
}
chain_of() {
	certs_in "$1" | awk 'found { print } /^-----END CERTIFICATE-----$/ { found = 1 }'
}

# issued_by_chain CERTS: the second certificate in CERTS is the issuer of the first.
issued_by_chain() {
	chain=$(chain_of "$1")
	[ -n "$chain" ] || return 1
	issuer=$(openssl x509 -in "$1" -noout -issuer -nameopt RFC2253 2>/dev/null | sed 's/^issuer=//')
	chain_subject=$(printf '%s\n' "$chain" | openssl x509 -noout -subject -nameopt RFC2253 2>/dev/null | sed 's/^subject=//')
	[ -n "$issuer" ] && [ "$issuer" = "$chain_subject" ]
}

# unusable CERTS NAME...: prints why CERTS (leaf, then its chain, as in fullchain.pem) is not an issued
# certificate of domain.key for these names and succeeds; fails when it is one. Dates are not looked at.
unusable() {
	certs=$1
	shift
	if [ ! -s "$certs" ]; then
		echo "no certificate yet"
	elif ! openssl x509 -in "$certs" -noout 2>/dev/null; then
		echo "${certs##*/} is not a certificate"
	elif self_signed "$certs"; then
		echo "it is self-signed (the placeholder before the first issuance)"
	elif ! matches_key "$certs"; then
		echo "it does not match domain.key"
	elif ! same_names "$certs" "$@"; then
		echo "it is for $(dns_names "$certs" | tr '\n' ' ')instead of $*"
	elif ! issued_by_chain "$certs"; then
		echo "${certs##*/} does not hold the chain to its issuer"
	else
		return 1
	fi
}

# one_set: signed.crt and chain.pem are the parts of fullchain.pem (also the placeholder's: a leaf and
# an empty chain).
one_set() {
	leaf=$(leaf_of "$CERT_DIR/fullchain.pem")
	[ -n "$leaf" ] && [ "$leaf" = "$(certs_in "$CERT_DIR/signed.crt")" ] &&
		[ "$(chain_of "$CERT_DIR/fullchain.pem")" = "$(certs_in "$CERT_DIR/chain.pem")" ]
}

# due NAME...: prints why CERT_DIR needs a new certificate for these names and succeeds, or prints
# until when the installed one is good and fails. fullchain.pem is what the services read, so it is
# what counts. The dates are compared as numbers here; a certificate whose dates cannot be read is due
# (a new one is the way out).
due() {
	cert=$CERT_DIR/fullchain.pem
	if [ "$FORCE" = true ]; then
		echo "forced"
	elif [ "$KEY_FILE" != "$CERT_DIR/domain.key" ]; then
		echo "a new key waits for its certificate"
	elif unusable "$cert" "$@"; then
		:
	elif ! issued=$(not_before "$cert") || ! expires=$(not_after "$cert") || [ "$expires" -le "$issued" ]; then
		echo "its dates cannot be read"
	elif now=$(date -u +%s) && [ "$expires" -le "$now" ]; then
		echo "it expired on $(utc "$expires")"
	elif ! window=$(renew_window "$issued" "$expires"); then
		echo "its renewal window cannot be computed"
	elif ari_due "$cert" "$window"; then
		:
	elif [ $((now + window)) -ge "$expires" ]; then
		echo "it expires within $(duration "$window") (on $(utc "$expires"))"
	else
		echo "until $(utc $((expires - window))) (it expires on $(utc "$expires"))"
		return 1
	fi
}

# ari_helper ARGS...: the ARI helper (ARI_HELPER, python3, standard library only) with these
# arguments; its log lines ("info|warning|err MESSAGE") are logged for the certificate at hand, its
# other lines printed. It never fails the renewal: a helper that cannot run is a warning, and then
# neither ARI nor the renewal state is used this run.
ari_helper() {
	if ! ari_output=$("$PYTHON" "$ARI_HELPER" "$@" 2>>"$LOG_FILE"); then
		log warning "${CERT_NAME:+$CERT_NAME: }$ARI_HELPER $1 failed: no ARI and no renewal state this run; see $LOG_FILE"
	fi
	printf '%s\n' "$ari_output" | while IFS= read -r ari_line; do
		case $ari_line in
		"info "* | "warning "* | "err "*) log "${ari_line%% *}" "${CERT_NAME:+$CERT_NAME: }${ari_line#* }" ;;
		?*) printf '%s\n' "$ari_line" ;;
		*) ;;
		esac
	done
}

# write_metrics: the host's certificate metrics for node_exporter's textfile collector
# (METRICS_DIR/letsencrypt.prom; nothing when METRICS_DIR is empty), at the end of every run, also a
# failed one, after the reloads, so that what the daemons serve is what they serve from now on. The
# helper checks the directory, asks each endpoint (ENDPOINTS) over loopback, and writes the
# file atomically; like every helper call it never fails the run.
write_metrics() {
	if [ -n "$METRICS_DIR" ]; then
		CERT_NAME=
		ari_helper metrics "$METRICS_DIR" "$RENEWAL_STATE" "$CERTS_DIR" "$CERTIFICATE_NAMES" "$ENDPOINTS"
	fi
}

# ari_due CERT RENEW_BEFORE: prints why the CA's renewal window (ARI, RFC 9773) says CERT is to be
# renewed now and succeeds; fails when it does not, when the CA offers no ARI or gave no usable
# answer (the helper says why). The helper asks the CA only when the renewal state
# (RENEWAL_STATE/NAME.json) says it is time to (Retry-After, back-off), never about an expired
# certificate, and keeps the window and the moment it chose in it there. RENEW_BEFORE (seconds before
# expiry, the backstop) goes into the state's plannedRenewalAt.
ari_due() {
	ari_verdict=$(ari_helper check "$CERT_NAME" "$1" "$RENEWAL_STATE" "$DIRECTORY_URL" "$RUN_INTERVAL" "$2" "$CA_FILE")
	case $ari_verdict in
	"due "*) printf '%s\n' "${ari_verdict#due }" ;;
	*) return 1 ;;
	esac
}

# record_attempt OUTCOME REASON: the certificate's renewal state gets this run's outcome (renewed,
# failed or not-due), its reason and LAST_ERROR, with the installed certificate and when it is due.
record_attempt() {
	if issued=$(not_before "$CERT_DIR/fullchain.pem") && expires=$(not_after "$CERT_DIR/fullchain.pem") && [ "$expires" -gt "$issued" ]; then
		renew_before=$(renew_window "$issued" "$expires" quiet)
	else
		renew_before=
	fi
	ari_helper record "$CERT_NAME" "$CERT_DIR/fullchain.pem" "$RENEWAL_STATE" "$renew_before" "$1" "$2" "$LAST_ERROR"
}

# repair_certificate NAME...: when signed.crt, chain.pem and fullchain.pem are not one set (a run cut
# off between its renames, an older version of this script, a file edited by hand), makes them one
# again from what is on disk, without asking the CA: from fullchain.pem or from signed.crt + chain.pem,
# whichever is an issued certificate of domain.key for these names (the later expiring when both
# are). When neither is, due() finds the certificate due. The services are reloaded afterwards: the
# cut-off run never got to it. Fails when a repair was possible but could not be installed.
repair_certificate() {
	if one_set; then
		return 0
	fi
	certs_in "$CERT_DIR/signed.crt" >"$WORK_DIR/parts.pem"
	certs_in "$CERT_DIR/chain.pem" >>"$WORK_DIR/parts.pem"
	certs_in "$CERT_DIR/fullchain.pem" >"$WORK_DIR/whole.pem"
	source=
	if ! unusable "$WORK_DIR/whole.pem" "$@" >/dev/null; then
		source=fullchain.pem
	fi
	if ! unusable "$WORK_DIR/parts.pem" "$@" >/dev/null &&
		{ [ -z "$source" ] || [ "$(not_after "$WORK_DIR/parts.pem" || echo 0)" -gt "$(not_after "$WORK_DIR/whole.pem" || echo 0)" ]; }; then
		source="signed.crt and chain.pem"
		cp "$WORK_DIR/parts.pem" "$WORK_DIR/whole.pem" || return 1
	fi
	if [ -z "$source" ]; then
		return 0
	fi
	leaf_of "$WORK_DIR/whole.pem" >"$WORK_DIR/signed.crt" &&
		chain_of "$WORK_DIR/whole.pem" >"$WORK_DIR/chain.pem" &&
		cat "$WORK_DIR/signed.crt" "$WORK_DIR/chain.pem" >"$WORK_DIR/fullchain.pem" || return 1
	if ! install_set false; then
		log err "$CERT_NAME: signed.crt, chain.pem and fullchain.pem are not one set, and repairing them from $source failed"
		return 1
	fi
	log warning "$CERT_NAME: signed.crt, chain.pem and fullchain.pem were not one set (an install cut off?): repaired from $source, without asking the CA"
}

# jittered SECONDS: SECONDS give or take 20% at random, at least 1, so that many hosts retrying after
# the same outage do not all come back at once.
jittered() {
	random=$(od -An -N2 -tu2 /dev/urandom | tr -d ' \n')
	pause=$(($1 * (80 + ${random:-0} % 41) / 100))
	echo "$((pause > 0 ? pause : 1))"
}

# request OUTPUT: one acme-tiny request as ACME_USER; the certificates go to OUTPUT (never onto the
# installed files), its messages to the log. The header sets CONTACTS only for an acme-tiny of 5.0.2 or
# later; should one still die with KeyError: 'contact' (acme-tiny 5.0.1 when the CA's account object
# has no contact, as Let's Encrypt's since 2025-06-04: diafygi/acme-tiny#299, shared/docs/ca-2026.md),
# for instance where its version could not be read, it runs again at once without --contact: a contact
# address must never stop a renewal. The first run already registered the account, and never ordered.
request() {
	request_status=0
	acme_tiny_run "$1" "$CONTACTS" || request_status=$?
	if [ "$request_status" -ne 0 ] && [ -n "$CONTACTS" ] && grep -q "KeyError: 'contact'" "$1.err"; then
		log warning "$CERT_NAME: acme-tiny failed with KeyError: 'contact' (acme-tiny older than 5.0.2, with a CA that no longer keeps contact addresses, as Let's Encrypt since 2025-06-04): running it again without --contact; acme_contact needs acme-tiny 5.0.2 or later"
		request_status=0
		acme_tiny_run "$1" '' || request_status=$?
	fi
	return "$request_status"
}

# acme_tiny_run OUTPUT CONTACTS: one acme-tiny run, with --contact for each word of CONTACTS (none
# when empty); its stderr goes to OUTPUT.err and to the log. --check-port only for another port than
# 80, as acme-tiny checks port 80 by default.
acme_tiny_run() {
	(
		umask 022 # challenge tokens must be readable by the web server
		set -f    # the contacts are split into words below, never globbed
		contacts=$2
		set -- --account-key "$ACCOUNT_KEY" \
			--csr "$CSR_FILE" \
			--acme-dir "$CHALLENGE_DIR/.well-known/acme-challenge" \
			--directory-url "$DIRECTORY_URL"
		if [ "$HTTP_PORT" != 80 ]; then
			set -- "$@" --check-port "$HTTP_PORT"
		fi
		if [ "$DISABLE_CHECK" = true ]; then
			set -- "$@" --disable-check
		fi
		if [ -n "$contacts" ]; then
			# shellcheck disable=SC2086 # one word per mailto: URL (the schema allows no blanks in one)
			set -- "$@" --contact $contacts
		fi
		run_as_acme "$ACME_TINY" "$@" 9>&-
	) >"$1" 2>"$1.err"
	run_status=$?
	cat "$1.err" >>"$LOG_FILE"
	return "$run_status"
}

# ca_detail ERRORS: the CA's own "detail", when acme-tiny's last words quote its problem document
# ("Response: {'type': ..., 'detail': ...}", RFC 8555 6.7) or a failed challenge's error; else nothing.
ca_detail() {
	grep -v -e '^Traceback ' -e '^[[:space:]]' "$1" 2>/dev/null | tail -n 2 |
		sed -n -e "s/.*'detail': '\([^']*\)'.*/\1/p" -e "s/.*'detail': \"\([^\"]*\)\".*/\1/p" | tail -n 1
}

# ca_reason ERRORS: why acme-tiny failed, from its last words: the CA's detail ("Invalid response from
# http://..."), else its last two lines without the traceback's code lines (its own checks, a
# connection error).
ca_reason() {
	detail=$(ca_detail "$1")
	if [ -n "$detail" ]; then
		printf 'the CA says: %s\n' "$detail"
	else
		last=$(grep -v -e '^Traceback ' -e '^[[:space:]]' "$1" 2>/dev/null | tail -n 2)
		printf '%s\n' "${last:-acme-tiny printed nothing}"
	fi
}

# rate_limited ERRORS: the CA refused acme-tiny's request for a rate limit: HTTP 429 or the problem type
# rateLimited (RFC 8555 6.7), in the lines acme-tiny prints for a refused request ("Response Code: 429",
# "Response: {...}"; a challenge's own error is printed otherwise, so a web page quoted in it cannot
# match). Let's Encrypt answers so for every one of its limits (letsencrypt.org/docs/rate-limits/).
rate_limited() {
	grep -q -e '^Response Code: 429$' -e "^Response: {.*'type': 'urn:ietf:params:acme:error:rateLimited'" "$1" 2>/dev/null
}

# refused_for_rate_limit ERRORS: the error for a rate-limit refusal, quoting the CA's detail (Let's
# Encrypt's names the moment a new request may succeed, "retry after 2026-12-02 09:12:00 UTC", boulder
# ratelimits/limiter.go; acme-tiny does not print the Retry-After header, so nothing else tells it).
# A retry within minutes would not succeed: the limits a working host runs into refill slowly (new
# certificates per registered domain: 1 per 202 minutes; per set of names: 5 per 7 days;
# letsencrypt.org/docs/rate-limits/), so the next scheduled run tries again.
refused_for_rate_limit() {
	RATE_LIMITED=true
	detail=$(ca_detail "$1")
	detail=${detail:-it gave no detail}
	log err "$CERT_NAME: rate limited by the CA: $detail; not retried before the next scheduled run"
	if [ "$ONCE" = true ]; then
		ONCE_REASONS="$ONCE_REASONS$CERT_NAME: rate limited by the CA: $detail
"
	fi
}

# request_with_retries OUTPUT: RETRIES more attempts after a failure, with pauses growing tenfold
# (about 1, 10, 100 minutes by default), so that a failing validation cannot burn the CA's limits;
# with --once, one attempt. No retry after a rate-limit refusal (refused_for_rate_limit). The run's
# other certificates are still asked for, as the limit may be one of names they do not share (per
# registered domain, per set of names), but each once only: the limit may as well be the account's or
# the IP address's, which refuses them all, and telling which needs the Public Suffix List.
request_with_retries() {
	attempt=1
	delay=$RETRY_DELAY
	until request "$1"; do
		if rate_limited "$1.err"; then
			refused_for_rate_limit "$1.err"
			return 1
		fi
		if [ "$ONCE" = true ]; then
			log err "$CERT_NAME: acme-tiny failed (--once: no retry until the next scheduled run); see $LOG_FILE"
			ONCE_REASONS="$ONCE_REASONS$CERT_NAME: $(ca_reason "$1.err")
"
			LAST_ERROR="acme-tiny failed: $(ca_reason "$1.err")" # for the renewal state
			return 1
		fi
		if [ -n "$RATE_LIMITED" ]; then
			log err "$CERT_NAME: acme-tiny failed (no retry in a run the CA rate-limited: until the next scheduled run): $(ca_reason "$1.err"); see $LOG_FILE"
			return 1
		fi
		if [ "$attempt" -gt "$RETRIES" ]; then
			log err "$CERT_NAME: acme-tiny failed $attempt time(s), giving up until the next run: $(ca_reason "$1.err"); see $LOG_FILE"
			return 1
		fi
		pause=$(jittered "$delay")
		log warning "$CERT_NAME: acme-tiny failed (attempt $attempt of $((RETRIES + 1))), retrying in $pause seconds: $(ca_reason "$1.err")"
		sleep "$pause" 9>&- & # not holding the lock after a kill -9 of this script
		SLEEP_PID=$!
		wait "$SLEEP_PID" || : # a trapped signal interrupts wait, not a foreground sleep
		SLEEP_PID=
		attempt=$((attempt + 1))
		delay=$((delay * 10 > 86400 ? 86400 : delay * 10))
	done
}

# verify_chain CHAIN LEAF: the leaf chains up to a trusted root through the intermediates acme-tiny
# printed; trusted are the system store and CA_FILE. No intermediate is ever downloaded or pinned.
verify_chain() {
	if [ -z "$CA_FILE" ]; then
		openssl verify -purpose sslserver -untrusted "$1" "$2"
		return
	fi
	if [ -r "$SYSTEM_TRUST" ]; then
		cat "$SYSTEM_TRUST" "$CA_FILE" >"$WORK_DIR/trust.pem" || return 1
	else
		cat "$CA_FILE" >"$WORK_DIR/trust.pem" || return 1
	fi
	openssl verify -CAfile "$WORK_DIR/trust.pem" -purpose sslserver -untrusted "$1" "$2"
}

# install_set BACKUP: moves WORK_DIR's fullchain.pem, signed.crt and chain.pem into CERT_DIR (each
# rename atomic: a reader sees the old file or the new one), with BACKUP true keeping the installed
# ones as .bak first. fullchain.pem, what the services read and the next run goes by, is renamed
# first: a run cut off before it leaves the old set whole, one cut off after it leaves a set the next
# run completes from it (repair_certificate). SET_SWITCHED says fullchain.pem was renamed.
install_set() {
	SET_SWITCHED=
	for file in fullchain.pem signed.crt chain.pem; do
		chmod 0644 "$WORK_DIR/$file" || return 1
		if [ "$1" = true ] && [ -e "$CERT_DIR/$file" ]; then
			ln -f "$CERT_DIR/$file" "$CERT_DIR/$file.bak" || return 1
		fi
	done
	for file in fullchain.pem signed.crt chain.pem; do
		mv -f "$WORK_DIR/$file" "$CERT_DIR/$file" || return 1
		SET_SWITCHED=true
	done
}

# install_certificate NAME...: splits acme-tiny's output (leaf, then intermediates) in WORK_DIR,
# checks it and installs it (install_set), keeping the previous files as .bak. Nothing in CERT_DIR
# changes unless every check passed.
install_certificate() {
	if ! openssl x509 -in "$WORK_DIR/acme.pem" -out "$WORK_DIR/signed.crt" 2>>"$LOG_FILE"; then
		log err "$CERT_NAME: acme-tiny printed no certificate"
		return 1
	fi
	awk 'found { print } /^-----END CERTIFICATE-----/ { found = 1 }' "$WORK_DIR/acme.pem" >"$WORK_DIR/chain.pem" || return 1
	if ! grep -q -e '-----BEGIN CERTIFICATE-----' "$WORK_DIR/chain.pem"; then
		log err "$CERT_NAME: acme-tiny printed no intermediate certificate"
		return 1
	fi
	cat "$WORK_DIR/signed.crt" "$WORK_DIR/chain.pem" >"$WORK_DIR/fullchain.pem" || return 1
	if ! expires=$(not_after "$WORK_DIR/signed.crt"); then
		log err "$CERT_NAME: refused the new certificate: its expiry date cannot be read"
		return 1
	fi
	if [ "$expires" -le "$(date -u +%s)" ]; then
		log err "$CERT_NAME: the new certificate is already expired ($(utc "$expires"))"
		return 1
	fi
	if ! same_names "$WORK_DIR/signed.crt" "$@"; then
		log err "$CERT_NAME: refused the new certificate: it is for $(dns_names "$WORK_DIR/signed.crt" | tr '\n' ' ')instead of $*"
		return 1
	fi
	if ! matches_key "$WORK_DIR/signed.crt" "$KEY_FILE"; then
		log err "$CERT_NAME: refused the new certificate: it does not match ${KEY_FILE##*/}"
		return 1
	fi
	if ! verify_chain "$WORK_DIR/chain.pem" "$WORK_DIR/signed.crt" >>"$LOG_FILE" 2>&1; then
		log err "$CERT_NAME: refused the new certificate: it does not verify with its chain; see $LOG_FILE"
		return 1
	fi
	if [ "$KEY_FILE" != "$CERT_DIR/domain.key" ] && ! archive_pair; then
		log err "$CERT_NAME: refused to rotate the key: the old key and certificate could not be archived in $ARCHIVE_DIR; they stay in place"
		return 1
	fi
	if ! install_set true; then
		log err "$CERT_NAME: installing the new certificate failed${SET_SWITCHED:+ after fullchain.pem was in place: the next run completes the set}"
		return 1
	fi
	log info "$CERT_NAME: installed a new certificate, $(openssl x509 -in "$CERT_DIR/signed.crt" -noout -serial -enddate | tr '\n' ' ')"
	if [ "$KEY_FILE" != "$CERT_DIR/domain.key" ]; then
		swap_key || return 1
		log info "$CERT_NAME: the new key is in place with its certificate (key rotation); the old pair is in $ARCHIVE$CERT_DIR"
	fi
}

# Key rotation (README "Rotating a key"): the apply makes domain.key.next and domain.csr.next beside
# the installed pair; this script requests a certificate for domain.csr.next, installs it
# (fullchain.pem first, as always) and then renames the next key and CSR over domain.key and
# domain.csr. The services read key and certificate only when reloaded, at the end of the run, so they
# never load a pair that does not match. A run cut off between the renames leaves a fullchain.pem of
# domain.key.next, which the next run finishes first (finish_swap).

# next_key: succeeds when domain.key.next waits for its certificate: a regular file of root's (not a
# link), with domain.csr.next made from it. Anything else there is refused with a log line, and the
# certificate goes on with its installed key.
next_key() {
	next=$CERT_DIR/domain.key.next
	if [ ! -e "$next" ] && [ ! -L "$next" ]; then
		return 1
	fi
	if [ -L "$next" ] || [ ! -f "$next" ] || [ "$(stat -c %u -- "$next")" != 0 ]; then
		log err "$CERT_NAME: refused $next: not a regular file of root's (a link?); the key is not rotated"
		return 1
	fi
	if [ -L "$CERT_DIR/domain.csr.next" ] || [ ! -f "$CERT_DIR/domain.csr.next" ]; then
		log err "$CERT_NAME: $next waits, but $CERT_DIR/domain.csr.next is missing or not a regular file; apply the letsencrypt role again"
		return 1
	fi
	next_public_key=$(openssl pkey -in "$next" -pubout 2>/dev/null) || next_public_key=
	if [ -z "$next_public_key" ] || [ "$next_public_key" != "$(openssl req -in "$CERT_DIR/domain.csr.next" -noout -pubkey 2>/dev/null)" ]; then
		log err "$CERT_NAME: $CERT_DIR/domain.csr.next was not made from $next; apply the letsencrypt role again"
		return 1
	fi
}

# archive_ready: ARCHIVE_DIR and its parent are directories of root's that no other account can
# write, and no links (else another account could swap them for a link to where root would write);
# made 0700 where missing. Asked before a rotation's request, so no certificate is ordered that could
# not be installed, and again before the copy.
archive_ready() {
	for archive_parent in "${ARCHIVE_DIR%/*}" "$ARCHIVE_DIR"; do
		mkdir -m 0700 -- "$archive_parent" 2>/dev/null || :
		if [ -L "$archive_parent" ] || [ ! -d "$archive_parent" ] || [ "$(stat -c %u -- "$archive_parent")" != 0 ] ||
			[ -n "$(find "$archive_parent" -maxdepth 0 -perm /022 2>/dev/null)" ]; then
			log err "$archive_parent is not a directory of root's that only root can write (a link?): nothing is archived through it"
			return 1
		fi
	done
}

# archive_pair: copies the installed key, CSR and certificate files into this run's archive
# directory, ARCHIVE_DIR/DATE.PID/CERT_DIR/ (only root can enter it).
archive_pair() {
	archive_ready || return 1
	if [ -z "$ARCHIVE" ]; then
		ARCHIVE=$ARCHIVE_DIR/$(date -u +%Y-%m-%dT%H:%M:%SZ).$$
	fi
	(umask 077 && mkdir -p -- "$ARCHIVE$CERT_DIR") || return 1
	for file in domain.key domain.csr signed.crt chain.pem fullchain.pem; do
		if [ -f "$CERT_DIR/$file" ] && [ ! -L "$CERT_DIR/$file" ]; then
			cp -p -- "$CERT_DIR/$file" "$ARCHIVE$CERT_DIR/$file" || return 1
		fi
	done
}

# swap_key: domain.key.next becomes domain.key, then domain.csr.next domain.csr (each rename atomic).
swap_key() {
	if ! mv -f -- "$CERT_DIR/domain.key.next" "$CERT_DIR/domain.key"; then
		log err "$CERT_NAME: cannot rename domain.key.next to domain.key; the next run finishes the swap"
		return 1
	fi
	if ! mv -f -- "$CERT_DIR/domain.csr.next" "$CERT_DIR/domain.csr"; then
		log err "$CERT_NAME: cannot rename domain.csr.next to domain.csr; the next apply makes domain.csr again"
		return 1
	fi
}

# finish_swap: a run cut off while swapping in a new key left fullchain.pem with domain.key.next's
# public key (installed, not yet renamed): the swap is finished before anything else looks at the
# certificate, and the services are reloaded at the end (SET_SWITCHED). A domain.csr.next left alone
# beside a domain.key it was made from (cut off between the renames) is renamed too.
finish_swap() {
	if [ -f "$CERT_DIR/domain.key.next" ] && [ ! -L "$CERT_DIR/domain.key.next" ] &&
		[ "$(stat -c %u -- "$CERT_DIR/domain.key.next")" = 0 ] &&
		matches_key "$CERT_DIR/fullchain.pem" "$CERT_DIR/domain.key.next"; then
		if ! mv -f -- "$CERT_DIR/domain.key.next" "$CERT_DIR/domain.key"; then
			log err "$CERT_NAME: cannot rename domain.key.next to domain.key, which fullchain.pem needs"
			return 1
		fi
		SET_SWITCHED=true
		log warning "$CERT_NAME: fullchain.pem is the certificate of domain.key.next (a key swap cut off): renamed it to domain.key"
	fi
	if [ -f "$CERT_DIR/domain.csr.next" ] && [ ! -L "$CERT_DIR/domain.csr.next" ] && [ ! -e "$CERT_DIR/domain.key.next" ] &&
		[ "$(openssl req -in "$CERT_DIR/domain.csr.next" -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in "$CERT_DIR/domain.key" -pubout 2>/dev/null)" ]; then
		if mv -f -- "$CERT_DIR/domain.csr.next" "$CERT_DIR/domain.csr"; then
			log warning "$CERT_NAME: domain.csr.next was made from domain.key (a key swap cut off): renamed it to domain.csr"
		else
			log err "$CERT_NAME: cannot rename domain.csr.next to domain.csr"
			return 1
		fi
	fi
}

# renew_certificate NAME "SERVICE..." DOMAIN...: the certificate in CERTS_DIR/NAME for these names,
# repaired when its files are not one set, requested when due; its services are reloaded at the end
# when it changed.
renew_certificate() {
	CERT_NAME=$1
	CERT_DIR=$CERTS_DIR/$1
	services=$2
	shift 2
	# Work directories of a killed run (this one holds the lock, so no live run owns any).
	rm -rf -- "$CERT_DIR"/.renew.*
	if [ ! -r "$CERT_DIR/domain.csr" ] || [ ! -r "$CERT_DIR/domain.key" ]; then
		log err "$CERT_NAME: $CERT_DIR/domain.csr or domain.key is missing; apply the letsencrypt role first"
		return 1
	fi
	if ! WORK_DIR=$(mktemp -d "$CERT_DIR/.renew.XXXXXX"); then
		log err "$CERT_NAME: cannot create a work directory in $CERT_DIR"
		WORK_DIR=
		return 1
	fi
	renew_status=0
	SET_SWITCHED=
	LAST_ERROR=
	# A key swap a killed run began is finished first: repair_certificate would take fullchain.pem of
	# the next key for one that does not match domain.key.
	finish_swap || renew_status=1
	changed=$SET_SWITCHED
	repair_certificate "$@" || renew_status=1
	changed=$changed$SET_SWITCHED
	KEY_FILE=$CERT_DIR/domain.key
	CSR_FILE=$CERT_DIR/domain.csr
	if next_key; then
		if archive_ready; then
			KEY_FILE=$CERT_DIR/domain.key.next
			CSR_FILE=$CERT_DIR/domain.csr.next
		else
			log err "$CERT_NAME: the key is not rotated (nothing requested for it): the old pair could not be archived"
			renew_status=1
		fi
	elif [ -e "$CERT_DIR/domain.key.next" ] || [ -L "$CERT_DIR/domain.key.next" ]; then
		renew_status=1
	fi
	if ! reason=$(due "$@"); then
		log info "$CERT_NAME: not due $reason"
		if [ "$renew_status" = 0 ]; then outcome=not-due; else outcome=failed; fi
		reason="not due"
	else
		log info "$CERT_NAME: requesting a certificate ($reason)"
		outcome=renewed
		if ! start_challenge_server || ! request_with_retries "$WORK_DIR/acme.pem" || ! install_certificate "$@"; then
			renew_status=1
			outcome=failed
		fi
		changed=$changed$SET_SWITCHED
	fi
	record_attempt "$outcome" "$reason"
	if [ -n "$changed" ]; then
		for service in $services; do
			case " $RELOAD " in
			*" $service "*) ;;
			*) RELOAD="${RELOAD:+$RELOAD }$service" ;;
			esac
		done
	fi
	rm -rf -- "$WORK_DIR"
	WORK_DIR=
	return "$renew_status"
}


# Reloads the services of the certificates that changed, each once.
reload_services() {
	reload_status=0
	for service in $RELOAD; do
		if reload_service "$service" >>"$LOG_FILE" 2>&1; then
			log info "reloaded $service"
		elif [ $? -eq 3 ]; then
			log info "$service is not running, not reloaded (it reads the new certificate when it starts)"
		else
			log err "could not reload $service: it still uses the previous certificate; see $LOG_FILE"
			reload_status=1
		fi
	done
	return "$reload_status"
}

# reload_challenge_services: before --once, the apply's first issuance, the running services that
# serve the challenge (CHALLENGE_SERVICES) are reloaded, so that they serve it with the configuration
# the same apply just installed before the CA asks for a token; a stopped one is left alone (this
# script then serves the challenge itself).
# A failed reload ends the run before any request, quoting the service manager's last line (the apply's
# handler shows it).
reload_challenge_services() {
	for service in $CHALLENGE_SERVICES; do
		reload_status=0
		reload_output=$(reload_service "$service" 2>&1) || reload_status=$?
		if [ -n "$reload_output" ]; then
			printf '%s\n' "$reload_output" >>"$LOG_FILE"
		fi
		case $reload_status in
		0) log info "reloaded $service, which serves the challenge, before the requests" ;;
		3) log info "$service is not running, not reloaded (the challenge is served by this script if port $HTTP_PORT is free)" ;;
		*)
			log err "could not reload $service, which serves the challenge, so nothing was requested: $(printf '%s\n' "$reload_output" | tail -n 1)"
			return 1
			;;
		esac
	done
}

cleanup() {
	if [ -n "$SLEEP_PID" ]; then
		kill "$SLEEP_PID" 2>/dev/null || :
	fi
	stop_challenge_server
	if [ -n "$WORK_DIR" ]; then
		rm -rf -- "$WORK_DIR"
	fi
}

main() {
	for argument in "$@"; do
		case $argument in
		--force) FORCE=true ;;
		--once) ONCE=true ;;
		*) usage ;;
		esac
	done
	if [ "$(id -u)" -ne 0 ]; then
		echo "$0: must be run as root" >&2
		exit 1
	fi
	prepare_log
	if [ ! -x "$ACME_TINY" ]; then
		log err "$ACME_TINY is missing: install the acme-tiny package"
		exit 1
	fi
	take_lock
	prepare_state_dir
	reap_dead_run
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	status=0
	if [ "$ONCE" = true ]; then
		reload_challenge_services || {
			write_metrics
			exit 1
		}
	fi
	renew_all || status=1
	cleanup
	reload_services || status=1
	write_metrics
	if [ -n "$ONCE_REASONS" ]; then
		# Last, so that whoever ran it (the apply's handler) quotes the CA's reason.
		printf '%s' "$ONCE_REASONS" >&2
	fi
	exit "$status"
}

main "$@"
