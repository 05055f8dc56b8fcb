# shellcheck shell=sh
# Functions of the probe script (src/probe/probe-script.ts appends the calls). Each prints
# `@<id> <state> ...` lines about one managed thing and changes nothing. A file's content is sent back
# (base64) only when its hash differs from the desired one and it is not secret, so a no-change run
# moves hashes only.
#
# Starting a program costs far more than the shell's own work, so the script first asks each program
# once for every path or name (probe_*_all) and keeps the answers; the per-thing functions look there
# and start the program for one path or name only when the answer is not there (a name the batch could
# not match, such as a path with a newline): the result is the same either way, only slower.

nl='
'
probe_stats=''
probe_sums=''
probe_links=''
probe_passwd=''
probe_group=''
probe_passwd_whole=0
probe_group_whole=0

# drop_line: takes the first line out of probe_rest.
drop_line() {
  case $probe_rest in *"$nl"*) probe_rest=${probe_rest#*"$nl"} ;; *) probe_rest='' ;; esac
}

# probe_line_of LINES PREFIX: sets probe_found to the first of LINES starting with PREFIX.
probe_line_of() {
  probe_rest=$1
  while [ -n "$probe_rest" ]; do
    probe_found=${probe_rest%%"$nl"*}
    case $probe_found in "$2"*) return 0 ;; esac
    drop_line
  done
  probe_found=''
  return 1
}

# probe_field_of LINES FIELDS PATH: sets probe_found to the first of LINES that is FIELDS space-separated
# words and then PATH, without ` PATH`.
probe_field_of() {
  probe_rest=$1
  while [ -n "$probe_rest" ]; do
    probe_found=${probe_rest%%"$nl"*}
    probe_path=$probe_found
    probe_n=0
    while [ "$probe_n" -lt "$2" ]; do probe_path=${probe_path#* }; probe_n=$((probe_n + 1)); done
    if [ "$probe_path" = "$3" ]; then probe_found=${probe_found%" $3"}; return 0; fi
    drop_line
  done
  probe_found=''
  return 1
}

# probe_stat_all PATH...: mode, owner and group (names, then ids) of every PATH in one stat, a link
# described, not followed (a missing one is left out). Lines read `MODE USER GROUP UID GID PATH`.
probe_stat_all() { probe_stats=$(stat -c '%a %U %G %u %g %n' -- "$@" 2>/dev/null) || :; }

# probe_sum_all PATH...: the hashes of those PATHs that are regular files (not links: reading a link
# could reach a pipe or device), in one sha256sum. Lines read `HASH  PATH`.
probe_sum_all() {
  for probe_p do
    shift
    if [ -f "$probe_p" ] && [ ! -L "$probe_p" ]; then set -- "$@" "$probe_p"; fi
  done
  if [ $# -gt 0 ]; then probe_sums=$(sha256sum -- "$@" 2>/dev/null) || :; fi
}

# probe_link_all PATH...: the targets of those PATHs that are links, in one readlink, kept as a PATH
# line then a TARGET line each; kept only when there is one line per link (a target with a newline is
# not).
probe_link_all() {
  for probe_p do
    shift
    if [ -L "$probe_p" ]; then set -- "$@" "$probe_p"; fi
  done
  [ $# -gt 0 ] || return 0
  probe_rest=$(readlink -- "$@" 2>/dev/null) || return 0
  probe_links=''
  while [ $# -gt 0 ] && [ -n "$probe_rest" ]; do
    probe_links="$probe_links$1$nl${probe_rest%%"$nl"*}$nl"
    shift
    drop_line
  done
  if [ $# -gt 0 ] || [ -n "$probe_rest" ]; then probe_links=''; fi
}

# probe_getent_all passwd|group NAME...: the entries of every NAME in one getent (getent leaves a
# missing one out and exits 2). The answer counts as whole, a NAME not in it as missing, only when each
# line is the entry of a NAME asked for: getent also answers a number with the entry of that id.
probe_getent_all() {
  probe_db=$1
  shift
  probe_status=0
  probe_entries=$(getent "$probe_db" "$@") || probe_status=$?
  probe_n=0
  for probe_p do
    if probe_line_of "$probe_entries" "$probe_p:"; then probe_n=$((probe_n + 1)); fi
  done
  probe_whole=0
  if [ "$probe_status" = 0 ] || [ "$probe_status" = 2 ]; then
    probe_rest=$probe_entries
    while [ -n "$probe_rest" ]; do
      probe_n=$((probe_n - 1))
      drop_line
    done
    if [ "$probe_n" = 0 ]; then probe_whole=1; fi
  fi
  if [ "$probe_db" = passwd ]; then
    probe_passwd=$probe_entries
    probe_passwd_whole=$probe_whole
  else
    probe_group=$probe_entries
    probe_group_whole=$probe_whole
  fi
}

# getent_line passwd|group NAME: prints NAME's entry; fails when NAME does not resolve.
getent_line() {
  if [ "$1" = passwd ]; then
    probe_line_of "$probe_passwd" "$2:" && { printf '%s\n' "$probe_found"; return 0; }
    [ "$probe_passwd_whole" = 0 ] || return 2
  else
    probe_line_of "$probe_group" "$2:" && { printf '%s\n' "$probe_found"; return 0; }
    [ "$probe_group_whole" = 0 ] || return 2
  fi
  getent "$1" "$2"
}

# attrs PATH: sets attributes to PATH's mode, owner and group. (Setting a variable instead of printing
# spares the subshell a command substitution would start.)
attrs() {
  if probe_field_of "$probe_stats" 5 "$1"; then attributes=${probe_found% * *}; else attributes=$(stat -c '%a %U %G' -- "$1"); fi
}

# file_sum PATH: sets sum to the hash of PATH's content; fails when it cannot be read.
file_sum() {
  if probe_field_of "$probe_sums" 2 "$1"; then sum=${probe_found%% *}; return 0; fi
  sum=$(sha256sum < "$1") || return 1
  sum=${sum%% *}
}

# link_target PATH: sets target to the target of the link PATH.
link_target() {
  probe_rest=$probe_links
  while [ -n "$probe_rest" ]; do
    probe_path=${probe_rest%%"$nl"*}
    drop_line
    target=${probe_rest%%"$nl"*}
    drop_line
    if [ "$probe_path" = "$1" ]; then return 0; fi
  done
  target=$(readlink -- "$1")
}

# san_lines: sets san to the line after each line of $out naming Subject Alternative Name (as
# sed '/Subject Alternative Name/{n;p;}' prints them), spaces taken out, joined by newlines.
san_lines() {
  san=''
  probe_rest=$out
  while :; do
    case $probe_rest in *'Subject Alternative Name'*"$nl"*) ;; *) break ;; esac
    probe_rest=${probe_rest#*Subject Alternative Name}
    probe_rest=${probe_rest#*"$nl"}
    probe_line=${probe_rest%%"$nl"*}
    while :; do
      case $probe_line in *' '*) probe_line=${probe_line%%' '*}${probe_line#*' '} ;; *) break ;; esac
    done
    san="$san${san:+$nl}$probe_line"
    drop_line
  done
}

# probe_file ID PATH SHA256 SEND: what is at PATH; its content (base64) too when SEND is 1 and its hash
# is not SHA256.
probe_file() {
  if [ -L "$2" ]; then printf '@%s other symlink\n' "$1"; return; fi
  if [ ! -e "$2" ]; then printf '@%s missing\n' "$1"; return; fi
  if [ ! -f "$2" ]; then printf '@%s other not-a-file\n' "$1"; return; fi
  file_sum "$2" || { printf '@%s other unreadable\n' "$1"; return; }
  attrs "$2"
  printf '@%s file %s %s\n' "$1" "$attributes" "$sum"
  if [ "$4" = 1 ] && [ "$sum" != "$3" ]; then
    printf '@%s content\n' "$1"
    base64 < "$2"
    printf '@%s end\n' "$1"
  fi
}

# probe_dir ID PATH
probe_dir() {
  if [ -L "$2" ]; then link_target "$2"; printf '@%s other symlink %s\n' "$1" "$target"
  elif [ -d "$2" ]; then attrs "$2"; printf '@%s directory %s\n' "$1" "$attributes"
  elif [ -e "$2" ]; then printf '@%s other not-a-directory\n' "$1"
  else printf '@%s missing\n' "$1"; fi
}

# probe_link ID PATH: the target of the link at PATH.
probe_link() {
  if [ -L "$2" ]; then link_target "$2"; printf '@%s symlink %s\n' "$1" "$target"
  elif [ -e "$2" ]; then printf '@%s other not-a-symlink\n' "$1"
  else printf '@%s missing\n' "$1"; fi
}

# key_type KEY: rsa2048 ... ec384 (the role's key types), other, or unknown when KEY cannot be read (a
# probe without root). Told from the DER of the public half's SubjectPublicKeyInfo, whose first bytes
# are fixed for each type (sequence length, algorithm OID, curve OID), never from -text output, whose
# wording OpenSSL 4.0 changed. Nothing of the key is printed.
key_type() {
  kt_der=$(openssl pkey -in "$1" -pubout -outform DER 2>/dev/null | od -An -v -tx1 | tr -d ' \n') || kt_der=''
  case $kt_der in
    '') echo unknown ;;
    30820122300d06092a864886f70d0101010500*) echo rsa2048 ;;
    308201a2300d06092a864886f70d0101010500*) echo rsa3072 ;;
    30820222300d06092a864886f70d0101010500*) echo rsa4096 ;;
    3059301306072a8648ce3d020106082a8648ce3d030107*) echo ec256 ;;
    3076301006072a8648ce3d020106052b81040022*) echo ec384 ;;
    *) echo other ;;
  esac
}

# probe_key ID PATH [CSR]: a private key's attributes and type (key_type); its content is never
# printed. With CSR (a certificate's key), also what a key rotation left beside them: PATH.next and
# CSR.next (probe_next).
probe_key() {
  if [ -f "$2" ] && [ ! -L "$2" ]; then attrs "$2"; printf '@%s private_key %s %s\n' "$1" "$attributes" "$(key_type "$2")"
  elif [ -e "$2" ] || [ -L "$2" ]; then printf '@%s other not-a-file\n' "$1"
  else printf '@%s missing\n' "$1"; fi
  if [ -n "${3:-}" ]; then probe_next "$1" "$2.next" "$3.next"; fi
}

# probe_next ID KEY CSR: `next missing`, `next other` (not a regular file, or a link), or `next MODE
# OWNER GROUP TYPE CSR-MATCHES CSR-MODE CSR-OWNER CSR-GROUP SAN`: the next key waiting for its
# certificate, and whether CSR (a regular file; its attributes `- - -` otherwise) was made from it,
# with its names.
probe_next() {
  if [ ! -e "$2" ] && [ ! -L "$2" ]; then printf '@%s next missing\n' "$1"; return; fi
  if [ -L "$2" ] || [ ! -f "$2" ]; then printf '@%s next other\n' "$1"; return; fi
  attrs "$2"
  next_attributes=$attributes
  next_type=$(key_type "$2")
  match=0
  san=''
  csr_attributes='- - -'
  if [ -f "$3" ] && [ ! -L "$3" ]; then
    attrs "$3"
    csr_attributes=$attributes
    out=$(openssl req -in "$3" -noout -pubkey -text 2>/dev/null) || out=''
    pub=''
    case $out in
      *'-----BEGIN PUBLIC KEY-----'*'-----END PUBLIC KEY-----'*)
        pub=-----BEGIN\ PUBLIC\ KEY-----${out#*'-----BEGIN PUBLIC KEY-----'}
        pub=${pub%%'-----END PUBLIC KEY-----'*}-----END\ PUBLIC\ KEY----- ;;
    esac
    [ -n "$pub" ] && [ "$pub" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ] && match=1
    san_lines
  fi
  printf '@%s next %s %s %s %s %s\n' "$1" "$next_attributes" "$next_type" "$match" "$csr_attributes" "${san:--}"
}

# probe_csr ID CSR KEY: names in the request and whether it was made from KEY.
probe_csr() {
  if [ -L "$2" ] || { [ -e "$2" ] && [ ! -f "$2" ]; }; then printf '@%s other not-a-file\n' "$1"; return; fi
  if [ ! -e "$2" ]; then printf '@%s missing\n' "$1"; return; fi
  # One openssl for the request: its public key (PEM), its text (the names are on the line after the
  # one naming Subject Alternative Name) and its subject line, in that order. Read with parameter
  # expansion: `read` takes a byte per system call.
  out=$(openssl req -in "$2" -noout -pubkey -text -subject -nameopt RFC2253 2>/dev/null) || out=''
  probe_line_of "$out" subject= && subject=$probe_found || subject=unreadable
  pub=''
  case $out in
    *'-----BEGIN PUBLIC KEY-----'*)
      pub=-----BEGIN\ PUBLIC\ KEY-----${out#*'-----BEGIN PUBLIC KEY-----'}
      case $pub in *'-----END PUBLIC KEY-----'*) pub=${pub%%'-----END PUBLIC KEY-----'*}-----END\ PUBLIC\ KEY----- ;; esac ;;
  esac
  san_lines
  match=0
  if [ -f "$3" ]; then
    [ "$pub" = "$(openssl pkey -in "$3" -pubout 2>/dev/null)" ] && match=1
  fi
  attrs "$2"
  printf '@%s csr %s %s %s\n' "$1" "$attributes" "$match" "${san:--}"
  printf '@%s subject %s\n' "$1" "$subject"
}

# probe_cert ID CERT KEY: does the certificate exist, is it self-signed (a placeholder), and does it
# hold KEY's public key (1/0; 0 also when KEY is missing)? A link to a certificate counts as one.
probe_cert() {
  if [ -e "$2" ] && [ ! -f "$2" ]; then printf '@%s other not-a-file\n' "$1"; return; fi
  if [ ! -e "$2" ]; then printf '@%s missing\n' "$1"; return; fi
  subject=unreadable
  issuer=unreadable
  pub=''
  if out=$(openssl x509 -in "$2" -noout -subject -issuer -nameopt RFC2253 -pubkey 2>/dev/null); then
    probe_line_of "$out" subject= && subject=$probe_found
    probe_line_of "$out" issuer= && issuer=$probe_found
    case $out in
      *'-----BEGIN PUBLIC KEY-----'*'-----END PUBLIC KEY-----'*)
        pub=-----BEGIN\ PUBLIC\ KEY-----${out#*'-----BEGIN PUBLIC KEY-----'}
        pub=${pub%%'-----END PUBLIC KEY-----'*}-----END\ PUBLIC\ KEY----- ;;
    esac
  fi
  match=0
  if [ -f "$3" ] && [ ! -r "$3" ]; then
    match=1 # a probe without root cannot read the key: never a reason to replace the certificate
  elif [ -n "$pub" ] && [ -f "$3" ] && [ "$pub" = "$(openssl pkey -in "$3" -pubout 2>/dev/null)" ]; then
    match=1
  fi
  if [ "${subject#subject=}" = "${issuer#issuer=}" ]; then
    printf '@%s certificate self-signed %s\n' "$1" "$match"
  else
    printf '@%s certificate issued %s\n' "$1" "$match"
  fi
}

# probe_user ID NAME: the passwd entry and groups of the account NAME.
probe_user() {
  if line=$(getent_line passwd "$2"); then
    printf '@%s user %s\n' "$1" "$line"
    printf '@%s groups %s\n' "$1" "$(id -nG "$2")"
  else
    printf '@%s missing\n' "$1"
  fi
}

# probe_group ID NAME
probe_group() {
  if getent_line group "$2" >/dev/null; then printf '@%s group\n' "$1"; else printf '@%s missing\n' "$1"; fi
}

# probe_account passwd|group NAME: does the name resolve (decides whether ownership can be applied)?
probe_account() {
  if getent_line "$1" "$2" >/dev/null; then printf '@account %s %s 1\n' "$1" "$2"; else printf '@account %s %s 0\n' "$1" "$2"; fi
}

# probe_uid: the effective user and group ids, from the kernel's status of this shell when it is there.
probe_uid() {
  if [ -r /proc/self/status ]; then
    while read -r key _real effective _rest; do
      case $key in
        Uid:) printf '@uid %s\n' "$effective" ;;
        Gid:) printf '@gid %s\n' "$effective"; return ;;
      esac
    done </proc/self/status
  fi
  printf '@uid %s\n@gid %s\n' "$(id -u)" "$(id -g)"
}

# probe_parent DIR: who can change entries in DIR, an ancestor of a managed path: `@parent MODE UID
# GID USER GROUP DIR` of the directory DIR resolves to (DIR/. is what probe_stat_all was given, so a
# link on the way is followed); nothing when DIR does not exist (root will create it). The plan refuses
# to manage a path under a directory another account can write.
probe_parent() {
  probe_p=${1%/}/.
  if probe_field_of "$probe_stats" 5 "$probe_p"; then
    # shellcheck disable=SC2086 # the five fields are split on purpose
    set -- "$1" $probe_found
    printf '@parent %s %s %s %s %s %s\n' "$2" "$5" "$6" "$3" "$4" "$1"
  fi
}

# probe_created_accounts FILE: the accounts an apply created (ensure_user records them, one name a
# line), as `@created NAME`; provision changes no other account. Read by the shell, no program started.
probe_created_accounts() {
  if [ -f "$1" ] && [ ! -L "$1" ]; then
    while IFS= read -r name; do
      if [ -n "$name" ]; then printf '@created %s\n' "$name"; fi
    done < "$1"
  fi
}

# probe_pending_handlers FILE: handlers an earlier run promised but did not get to run.
probe_pending_handlers() {
  if [ -f "$1" ]; then
    while IFS= read -r name; do
      if [ -n "$name" ]; then printf '@pending %s\n' "$name"; fi
    done < "$1"
  fi
}

# first_lines_joined: the first three lines of stdin, each followed by a space instead of its newline.
first_lines_joined() {
  probe_n=0
  while [ "$probe_n" -lt 3 ]; do
    if IFS= read -r line; then
      printf '%s ' "$line"
    else
      printf '%s' "$line"
      break
    fi
    probe_n=$((probe_n + 1))
  done
  # Read to the end, so the program is not stopped by a closed pipe.
  while IFS= read -r line; do :; done
}

# probe_fact NAME stdout|both CANDIDATES ARG...: a version of a program a role configures (the roles'
# `facts:`): runs the first of the `:`-separated CANDIDATES found (on PATH, or at an absolute path: a
# non-root PATH lacks /usr/sbin) with the ARGs, its stderr dropped unless `both` (some programs print their
# version there), and prints the first lines of its output as one `@fact NAME ...` line;
# `@fact NAME -` when none is installed or it says nothing.
probe_fact() {
  probe_name=$1 probe_output=$2 probe_candidates=$3
  shift 3
  probe_c=''
  probe_rest=$probe_candidates
  while [ -n "$probe_rest" ]; do
    probe_try=${probe_rest%%:*}
    case $probe_rest in *:*) probe_rest=${probe_rest#*:} ;; *) probe_rest='' ;; esac
    if [ -z "$probe_c" ] && [ -n "$probe_try" ] && command -v "$probe_try" >/dev/null 2>&1; then probe_c=$probe_try; fi
  done
  out=''
  if [ -n "$probe_c" ]; then
    if [ "$probe_output" = both ]; then out=$("$probe_c" "$@" 2>&1 | first_lines_joined); else out=$("$probe_c" "$@" 2>/dev/null | first_lines_joined); fi
  fi
  printf '@fact %s %s\n' "$probe_name" "${out:--}"
}

# probe_record FILE DESIRED: the record of what provision manages on this host
# (src/model/managed-record.ts), read by the shell, as `@record LINE` lines; after each `path` line
# whose path is not one of DESIRED (the desired paths, one a line), what is there now, as `@was`
# lines: what the plan would remove. Only root's regular file in a directory only root can write is
# read (`@record_unsafe` otherwise); without root the directory cannot be entered and nothing is said.
probe_record() {
  [ -e "$1" ] || [ -L "$1" ] || return 0
  if [ -L "$1" ] || [ ! -f "$1" ] || [ -L "${1%/*}" ]; then printf '@record_unsafe\n'; return 0; fi
  probe_owners=$(stat -c '%u %a' -- "$1" "${1%/*}") || { printf '@record_unsafe\n'; return 0; }
  for probe_p in $probe_owners; do :; done
  case $probe_owners in "0 "*"$nl""0 "*) ;; *) printf '@record_unsafe\n'; return 0 ;; esac
  if [ $((0$probe_p & 022)) != 0 ]; then printf '@record_unsafe\n'; return 0; fi
  while IFS= read -r probe_line || [ -n "$probe_line" ]; do
    printf '@record %s\n' "$probe_line"
    case $probe_line in 'path '*) ;; *) continue ;; esac
    probe_p=$probe_line
    probe_n=0
    while [ "$probe_n" -lt 6 ]; do probe_p=${probe_p#* }; probe_n=$((probe_n + 1)); done
    case "$nl$2$nl" in *"$nl$probe_p$nl"*) continue ;; esac
    probe_was "$probe_line" "$probe_p"
  done < "$1"
}

# probe_was LINE PATH: what is at PATH, a recorded path (LINE its record line) the desired state no
# longer has. A link is described, never followed; a file's content is sent only for a `file` entry
# that is not secret (never a key, a CSR or a certificate); of a CSR, only its names.
probe_was() {
  probe_kind=${1#path }
  probe_flags=${probe_kind#* }
  probe_kind=${probe_kind%% *}
  probe_flags=${probe_flags%% *}
  if [ -L "$2" ]; then
    link_target "$2"
    printf '@was symlink %s\n' "$target"
  elif [ -d "$2" ]; then
    if [ -z "$(ls -A -- "$2" 2>/dev/null)" ]; then printf '@was directory 1\n'; else printf '@was directory 0\n'; fi
  elif [ -f "$2" ]; then
    case $probe_kind/$probe_flags in
      file/c | file/t)
        file_sum "$2" || sum=-
        printf '@was file %s\n' "$sum"
        printf '@was content\n'
        base64 < "$2"
        printf '@was end\n'
        ;;
      csr/*)
        # Its names: a certificate this apply creates for them replaces it (src/plan/renames.ts).
        printf '@was file -\n'
        out=$(openssl req -in "$2" -noout -text 2>/dev/null) || out=''
        san_lines
        printf '@was names %s\n' "${san:--}"
        ;;
      *) printf '@was file -\n' ;;
    esac
  elif [ -e "$2" ]; then
    printf '@was other not-a-file\n'
  else
    printf '@was missing\n'
  fi
}
