# Functions of `provision status`'s script (src/status/status-script.ts): it looks at the host's
# certificates, their renewal state and schedule, and at what the daemons present over loopback, in
# one round trip, and changes nothing. Its answers are `@KIND ...` lines (src/host/protocol/answers.ts,
# statusAnswer), read back by src/host/protocol/parse-status.ts. Dates are sent as openssl prints
# them and turned into epoch seconds by the reader: no decision here rests on `openssl -checkend`
# (OpenSSL 3.6 always exits 0 there) or on `-text` output (OpenSSL 4.0 changed it).

# status_certs_in FILE: the PEM certificate blocks of FILE, nothing else (comments or a trailing
# newline never count); read by the shell itself, no program started.
status_certs_in() {
  [ -r "$1" ] || return 0
  status_in=0
  while IFS= read -r status_pem || [ -n "$status_pem" ]; do
    [ "$status_pem" = '-----BEGIN CERTIFICATE-----' ] && status_in=1
    [ "$status_in" = 1 ] && printf '%s\n' "$status_pem"
    [ "$status_pem" = '-----END CERTIFICATE-----' ] && status_in=0
  done <"$1"
}

# status_lines ID KIND TEXT: each line of TEXT as `@ID KIND LINE`.
status_lines() {
  printf '%s\n' "$3" | while IFS= read -r status_line; do
    [ -n "$status_line" ] && printf '@%s %s %s\n' "$1" "$2" "$status_line"
  done
}

# status_now: the host's clock in epoch seconds (every lifetime is judged against it), its UTC offset
# and its time zone's name (/etc/timezone, read by the shell; `-` when none): cron's next run is in
# the host's local time.
status_now() {
  status_zone=-
  if [ -r /etc/timezone ]; then IFS= read -r status_zone </etc/timezone || :; fi
  case $status_zone in '' | *[!A-Za-z0-9/_+-]*) status_zone=- ;; esac
  printf '@now %s %s\n' "$(date '+%s %z')" "$status_zone"
}

# status_cron_line FILE WORD: the first line of FILE that is not a comment and holds WORD (the cron
# line that runs the renewal), as `@cron LINE`; nothing when there is none, or when the line leaves
# the job to anacron and anacron is installed (Debian's /etc/crontab: anacron then decides when).
# Read by the shell.
status_cron_line() {
  [ -f "$1" ] && [ -r "$1" ] || return 0
  while IFS= read -r status_cron || [ -n "$status_cron" ]; do
    case $status_cron in
      '#'*) continue ;;
      *"$2"*)
        case $status_cron in *anacron*) [ -x "$R/usr/sbin/anacron" ] && return 0 ;; esac
        printf '@cron %s\n' "$status_cron"
        return 0 ;;
    esac
  done <"$1"
}

# status_cert ID DIR CA-FILE: the certificate in DIR as the letsencrypt role installs it (domain.key,
# signed.crt, chain.pem and fullchain.pem, which the services read): which files exist, the leaf of
# fullchain.pem (serial, dates, issuer, subject, SAN), its public key, whether domain.key holds its
# public key, whether the three certificate files are one set, and whether the chain issued the leaf
# and it verifies (the system store, or CA-FILE when not empty), whatever its dates (judged apart).
status_cert() {
  for status_f in domain.key signed.crt chain.pem fullchain.pem; do
    if [ -f "$2/$status_f" ]; then status_has=1; elif [ -e "$2/$status_f" ]; then status_has=other; else status_has=0; fi
    printf '@%s file %s %s\n' "$1" "$status_f" "$status_has"
  done
  status_leaf=$2/fullchain.pem
  [ -f "$status_leaf" ] || status_leaf=$2/signed.crt
  # One openssl for the fields and the public key (printed last, after the SAN lines). x509 and
  # s_client get no trust store (SSL_CERT_FILE/DIR /dev/null): OpenSSL 3 loads the whole system store
  # for them (~25 ms a call, most of the script's time) and nothing they print here depends on it;
  # only `openssl verify` below, which judges trust, reads it.
  if ! status_out=$(SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/dev/null openssl x509 -in "$status_leaf" -noout -serial -startdate -enddate -issuer -subject -nameopt RFC2253 -ext subjectAltName -pubkey 2>/dev/null); then
    printf '@%s unreadable\n' "$1"
    return 0
  fi
  status_pub=''
  case $status_out in
    *'-----BEGIN PUBLIC KEY-----'*)
      status_pub=-----BEGIN\ PUBLIC\ KEY-----${status_out#*'-----BEGIN PUBLIC KEY-----'}
      status_out=${status_out%%'-----BEGIN PUBLIC KEY-----'*} ;;
  esac
  status_lines "$1" x509 "$status_out"
  # The public key itself, for the reader to name its type (node reads the DER): no asn1parse here.
  status_b64=$(printf '%s\n' "$status_pub" | while IFS= read -r status_pem; do case $status_pem in -----*) ;; *) printf '%s' "$status_pem" ;; esac; done)
  printf '@%s pubkey %s\n' "$1" "${status_b64:--}"
  if [ ! -f "$2/domain.key" ]; then
    status_match=missing
  elif [ ! -r "$2/domain.key" ]; then
    status_match=unreadable
  elif [ -n "$status_pub" ] && [ "$status_pub" = "$(openssl pkey -in "$2/domain.key" -pubout 2>/dev/null)" ]; then
    status_match=1
  else
    status_match=0
  fi
  printf '@%s keymatch %s\n' "$1" "$status_match"
  status_set=0
  if [ -f "$2/fullchain.pem" ] && [ "$(status_certs_in "$2/signed.crt"; status_certs_in "$2/chain.pem")" = "$(status_certs_in "$2/fullchain.pem")" ]; then
    status_set=1
  fi
  # A chain that verifies up to a trusted root issued the leaf; only when it does not is the chain
  # asked alone (an intermediate as the anchor), so an untrusted test CA still shows a good chain.
  status_issued=0
  status_trusted=0
  if [ -n "$3" ]; then
    openssl verify -no_check_time -CAfile "$3" -untrusted "$2/chain.pem" "$status_leaf" >/dev/null 2>&1 && status_trusted=1
  # The system store first by its hashed directory alone (-no-CAfile: the one root needed is read,
  # not the whole bundle, ~10 ms instead of ~40), then, only where that finds no root (a system
  # without hash links), with the bundle too.
  elif openssl verify -no_check_time -no-CAfile -untrusted "$2/chain.pem" "$status_leaf" >/dev/null 2>&1 ||
    openssl verify -no_check_time -untrusted "$2/chain.pem" "$status_leaf" >/dev/null 2>&1; then
    status_trusted=1
  fi
  if [ "$status_trusted" = 1 ] && [ -s "$2/chain.pem" ]; then
    status_issued=1
  elif [ -s "$2/chain.pem" ] && openssl verify -no_check_time -partial_chain -CAfile "$2/chain.pem" "$status_leaf" >/dev/null 2>&1; then
    status_issued=1
  fi
  printf '@%s chain %s %s %s\n' "$1" "$status_set" "$status_issued" "$status_trusted"
}

# status_state ID FILE: the renewal script's state of the certificate (JSON), base64 on one line, or
# `none` when it has none yet. Bounded: a state file is a few hundred bytes.
status_state() {
  if [ -f "$2" ]; then
    printf '@%s state %s\n' "$1" "$(head -c 65536 "$2" | base64 | tr -d '\n')"
  else
    printf '@%s state none\n' "$1"
  fi
}

# status_schedule KIND FILE [UNIT]: the renewal schedule: FILE present (1/0); for a systemd timer
# UNIT, whether it is enabled and active, and when it next runs.
status_schedule() {
  status_present=0
  [ -f "$2" ] && status_present=1
  if [ -n "${3-}" ]; then
    status_enabled=$(systemctl is-enabled "$3" 2>/dev/null) || :
    status_active=$(systemctl is-active "$3" 2>/dev/null) || :
    status_next=$(systemctl show -p NextElapseUSecRealtime --value "$3" 2>/dev/null) || :
    printf '@schedule %s %s %s %s %s\n' "$1" "$status_present" "${status_enabled:-unknown}" "${status_active:-unknown}" "${status_next:--}"
  else
    printf '@schedule %s %s\n' "$1" "$status_present"
  fi
}

# status_first_cert: the first PEM certificate block of its input (by the shell, no program).
status_first_cert() {
  status_in=0
  while IFS= read -r status_pem; do
    [ "$status_pem" = '-----BEGIN CERTIFICATE-----' ] && status_in=1
    [ "$status_in" = 1 ] && printf '%s\n' "$status_pem"
    [ "$status_pem" = '-----END CERTIFICATE-----' ] && [ "$status_in" = 1 ] && return 0
  done
}

# status_served ID PORT STARTTLS NAME DIR: the leaf the daemon on 127.0.0.1:PORT presents for the SNI
# NAME (after STARTTLS smtp or imap, or none): `same` when it is, byte for byte, the leaf installed in
# DIR (as status_cert reads it: the reader takes its serial and notAfter; no openssl started for it),
# else its serial and notAfter, or why none was had.
status_served() {
  if [ "$3" = none ]; then
    status_out=$(SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/dev/null timeout 15 openssl s_client -connect "127.0.0.1:$2" -servername "$4" </dev/null 2>&1)
  else
    status_out=$(SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/dev/null timeout 15 openssl s_client -connect "127.0.0.1:$2" -servername "$4" -starttls "$3" </dev/null 2>&1)
  fi
  status_leaf=$5/fullchain.pem
  [ -f "$status_leaf" ] || status_leaf=$5/signed.crt
  status_seen=$(printf '%s\n' "$status_out" | status_first_cert)
  if [ -n "$status_seen" ] && [ "$status_seen" = "$(status_certs_in "$status_leaf" | status_first_cert)" ]; then
    printf '@%s same\n' "$1"
  elif status_got=$(printf '%s\n' "$status_out" | SSL_CERT_FILE=/dev/null SSL_CERT_DIR=/dev/null openssl x509 -noout -serial -enddate 2>/dev/null); then
    status_lines "$1" served "$status_got"
  else
    status_why=$(printf '%s\n' "$status_out" | grep -i -m1 -e 'errno' -e 'error' -e 'refused' -e 'timeout') || status_why='no certificate presented'
    printf '@%s unserved %s\n' "$1" "$status_why"
  fi
}
