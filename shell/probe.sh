# shellcheck shell=sh
# Functions of the probe script (src/probe/probe-script.ts appends the calls). Each prints
# `@<id> <state> ...` lines about one managed thing and changes nothing. A file's content is sent back
# (base64) only when its hash differs from the desired one and it is not secret, so a no-change run
# moves hashes only.

attrs() { stat -c '%a %U %G' -- "$1"; }

probe_file() {
  if [ -L "$2" ]; then printf '@%s other symlink\n' "$1"; return; fi
  if [ ! -e "$2" ]; then printf '@%s missing\n' "$1"; return; fi
  if [ ! -f "$2" ]; then printf '@%s other not-a-file\n' "$1"; return; fi
  sum=$(sha256sum < "$2") || { printf '@%s other unreadable\n' "$1"; return; }
  sum=${sum%% *}
  printf '@%s file %s %s\n' "$1" "$(attrs "$2")" "$sum"
  if [ "$4" = 1 ] && [ "$sum" != "$3" ]; then
    printf '@%s content\n' "$1"
    base64 < "$2"
    printf '@%s end\n' "$1"
  fi
}

probe_dir() {
  if [ -L "$2" ]; then printf '@%s other symlink\n' "$1"
  elif [ -d "$2" ]; then printf '@%s directory %s\n' "$1" "$(attrs "$2")"
  elif [ -e "$2" ]; then printf '@%s other not-a-directory\n' "$1"
  else printf '@%s missing\n' "$1"; fi
}

probe_link() {
  if [ -L "$2" ]; then printf '@%s symlink %s\n' "$1" "$(readlink -- "$2")"
  elif [ -e "$2" ]; then printf '@%s other not-a-symlink\n' "$1"
  else printf '@%s missing\n' "$1"; fi
}

probe_key() {
  if [ -f "$2" ] && [ ! -L "$2" ]; then printf '@%s private_key %s\n' "$1" "$(attrs "$2")"
  elif [ -e "$2" ] || [ -L "$2" ]; then printf '@%s other not-a-file\n' "$1"
  else printf '@%s missing\n' "$1"; fi
}

# probe_csr ID CSR KEY: names in the request and whether it was made from KEY.
probe_csr() {
  if [ -L "$2" ] || { [ -e "$2" ] && [ ! -f "$2" ]; }; then printf '@%s other not-a-file\n' "$1"; return; fi
  if [ ! -e "$2" ]; then printf '@%s missing\n' "$1"; return; fi
  subject=$(openssl req -in "$2" -noout -subject -nameopt RFC2253 2>/dev/null) || subject=unreadable
  san=$(openssl req -in "$2" -noout -text 2>/dev/null | sed -n '/Subject Alternative Name/{n;p;}' | tr -d ' ')
  match=0
  if [ -f "$3" ]; then
    a=$(openssl req -in "$2" -noout -pubkey 2>/dev/null | sha256sum)
    b=$(openssl pkey -in "$3" -pubout 2>/dev/null | sha256sum)
    [ "$a" = "$b" ] && match=1
  fi
  printf '@%s csr %s %s %s\n' "$1" "$(attrs "$2")" "$match" "${san:--}"
  printf '@%s subject %s\n' "$1" "$subject"
}

# probe_cert ID CERT: does the certificate exist, and is it self-signed (a placeholder)? A link to a
# certificate counts as one.
probe_cert() {
  if [ -e "$2" ] && [ ! -f "$2" ]; then printf '@%s other not-a-file\n' "$1"; return; fi
  if [ ! -e "$2" ]; then printf '@%s missing\n' "$1"; return; fi
  subject=$(openssl x509 -in "$2" -noout -subject -nameopt RFC2253 2>/dev/null) || subject=unreadable
  issuer=$(openssl x509 -in "$2" -noout -issuer -nameopt RFC2253 2>/dev/null) || issuer=unreadable
  if [ "${subject#subject=}" = "${issuer#issuer=}" ]; then
    printf '@%s certificate self-signed\n' "$1"
  else
    printf '@%s certificate issued\n' "$1"
  fi
}

probe_user() {
  if line=$(getent passwd "$2"); then
    printf '@%s user %s\n' "$1" "$line"
    printf '@%s groups %s\n' "$1" "$(id -nG "$2")"
  else
    printf '@%s missing\n' "$1"
  fi
}

probe_group() {
  if getent group "$2" >/dev/null; then printf '@%s group\n' "$1"; else printf '@%s missing\n' "$1"; fi
}

# probe_account passwd|group NAME: does the name resolve (decides whether ownership can be applied)?
probe_account() {
  if getent "$1" "$2" >/dev/null; then printf '@account %s %s 1\n' "$1" "$2"; else printf '@account %s %s 0\n' "$1" "$2"; fi
}

# probe_pending_handlers FILE: handlers an earlier run promised but did not get to run.
probe_pending_handlers() {
  if [ -f "$1" ]; then
    while IFS= read -r name; do
      if [ -n "$name" ]; then printf '@pending %s\n' "$name"; fi
    done < "$1"
  fi
}

# Facts: the versions of the programs the roles configure. Each fact_NAME prints the program's own
# version output (nothing when it is not installed); probe_fact prints it as one `@fact NAME ...` line,
# `@fact NAME -` when there is nothing. System paths are tried too: a non-root PATH lacks /usr/sbin.
first_command() {
  for candidate in "$@"; do
    if command -v "$candidate" >/dev/null 2>&1; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  return 1
}
fact_apache() { c=$(first_command apache2 /usr/sbin/apache2 httpd /usr/sbin/httpd) && "$c" -v 2>/dev/null; }
fact_postfix() { c=$(first_command postconf /usr/sbin/postconf) && "$c" -d -h mail_version 2>/dev/null; }
fact_dovecot() { c=$(first_command dovecot /usr/sbin/dovecot) && "$c" --version 2>/dev/null; }
fact_openssl() { c=$(first_command openssl /usr/bin/openssl) && "$c" version 2>/dev/null; }

# probe_fact NAME: NAME is one of apache, postfix, dovecot, openssl.
probe_fact() {
  out=$("fact_$1" | head -n 3 | tr '\n' ' ')
  printf '@fact %s %s\n' "$1" "${out:--}"
}
