# shellcheck shell=sh
# Functions of the apply script (src/apply/apply-script.ts appends the calls). Files are staged as temp
# files beside their destination, given their mode and owner, validated, and only then renamed into
# place, all of them after all have passed: a failure leaves every old file as it was. Reports go to
# stdout as `@ok ID`, `@fail ID MESSAGE`, `@detail TEXT`, `@handler NAME ok|fail`.

STAGED=''
FAILED=0
TMP=''

# A signal's trap runs between two commands, so it can fall after `TMP=$(mktemp ...)` and before TMP
# joins STAGED: the newest temp file is removed too (once renamed into place, its name is gone).
cleanup() {
  printf '%s\n%s\n' "$STAGED" "$TMP" | while IFS= read -r staged; do
    if [ -n "$staged" ]; then rm -rf -- "$staged"; fi
  done
  STAGED=''
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT TERM HUP

ok() { printf '@ok %s\n' "$1"; }

# fail ID MESSAGE [DETAIL]: report a failure; DETAIL (command output) is passed on line by line.
fail() {
  FAILED=1
  printf '@fail %s %s\n' "$1" "$2"
  if [ -n "${3:-}" ]; then printf '%s\n' "$3" | sed 's/^/@detail /'; fi
}

# own PATH MODE OWNER GROUP: empty MODE/OWNER/GROUP leave that attribute alone. A link is refused,
# never followed: chmod would act on its target. (The plan refused every path whose directory another
# account can write, so what this test sees is what chown and chmod act on.)
own() {
  if [ -L "$1" ]; then printf '%s is a symbolic link: not followed\n' "$1" >&2; return 1; fi
  if [ -n "$3" ]; then chown -h -- "$3" "$1" || return 1; fi
  if [ -n "$4" ]; then chgrp -h -- "$4" "$1" || return 1; fi
  if [ -n "$2" ]; then chmod -- "$2" "$1" || return 1; fi
}

# sweep DIR: remove temp files left by runs that were killed before their clean-up ran. Temp names
# carry the PID of the script that made them; a file whose script is gone is stale.
SWEPT=''
sweep() {
  case "
$SWEPT
" in *"
$1
"*) return ;; esac
  SWEPT=$(printf '%s\n%s' "$SWEPT" "$1")
  for stale in "$1"/.provision-*-*; do
    if [ ! -e "$stale" ] && [ ! -L "$stale" ]; then continue; fi
    pid=${stale##*/.provision-}
    pid=${pid%%-*}
    case $pid in '' | *[!0-9]*) continue ;; esac
    if [ "$pid" != "$$" ] && ! alive "$pid"; then rm -f -- "$stale"; fi
  done
}

# alive PID: the process exists and is not a zombie (a killed script can wait a while to be reaped).
alive() {
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  state=${stat##*) }
  [ "${state%% *}" != Z ]
}

# A directory that could not be made safe (a link where it belongs...): nothing below it is touched in
# this run, since what is below may be another account's.
FAILED_DIRS=''

# refuse_inside_failed ID PATH: fails (reporting ID) when PATH is inside a directory that failed.
refuse_inside_failed() {
  printf '%s\n' "$FAILED_DIRS" | {
    while IFS= read -r failed_dir; do
      if [ -n "$failed_dir" ]; then case $2 in "$failed_dir"/*) exit 1 ;; esac; fi
    done
    exit 0
  } && return 0
  fail "$1" "not touched: a directory above $2 failed"
  return 1
}

# safe_below ID TOP PATH: every directory from TOP down to PATH's own is a real directory (not a link)
# that only root (or this script's account) owns and can write, so nothing on the way to PATH can be
# swapped any more. For paths under a directory another account could write when the probe looked.
safe_below() {
  refuse_inside_failed "$1" "$3" || return 1
  case $3 in "$2"/*) ;; *) fail "$1" "$3 is not below $2"; return 1 ;; esac
  sb_dir=${3%/*}
  set -- "$1" "$2" "$3"
  while :; do
    set -- "$@" "$sb_dir"
    [ "$sb_dir" = "$2" ] && break
    if [ -z "$sb_dir" ]; then fail "$1" "$3 is not below $2"; return 1; fi
    sb_dir=${sb_dir%/*}
  done
  sb_id=$1 sb_path=$3
  shift 3
  sb_me=$(id -u)
  for sb_dir do
    if [ -L "$sb_dir" ] || [ ! -d "$sb_dir" ]; then fail "$sb_id" "$sb_dir is not a real directory any more (a symbolic link?): $sb_path is not touched"; return 1; fi
  done
  if ! sb_stats=$(stat -c '%u %a' -- "$@" 2>&1); then fail "$sb_id" "cannot look at the directories above $sb_path" "$sb_stats"; return 1; fi
  printf '%s\n' "$sb_stats" | while read -r sb_uid sb_mode; do
    case $sb_uid in 0 | "$sb_me") ;; *) exit 1 ;; esac
    sb_bits=$((0$sb_mode & 022))
    [ "$sb_bits" = 0 ] || exit 1
  done && return 0
  fail "$sb_id" "a directory above $sb_path is owned or writable by another account: $sb_path is not touched"
  return 1
}

# temp_beside ID PATH: a new temp file in PATH's directory (so the rename is atomic), in TMP. Only in
# a real directory: one that is a link (swapped in since the probe) is not written through.
temp_beside() {
  refuse_inside_failed "$1" "$2" || return 1
  dir=$(dirname -- "$2")
  if ! mkdir -p -- "$dir"; then fail "$1" "cannot create directory $dir"; return 1; fi
  if [ -L "$dir" ] || [ ! -d "$dir" ]; then fail "$1" "$dir is not a real directory (a symbolic link?): nothing is written through it"; return 1; fi
  sweep "$dir"
  if ! TMP=$(mktemp "$dir/.provision-$$-XXXXXX"); then fail "$1" "cannot create a temp file in $dir"; return 1; fi
  STAGED=$(printf '%s\n%s' "$STAGED" "$TMP")
}

# ensure_group ID NAME SYSTEM: the group (a system group when SYSTEM is set), unless it exists.
ensure_group() {
  if getent group "$2" >/dev/null; then ok "$1"; return; fi
  if out=$(groupadd ${3:+--system} -- "$2" 2>&1); then ok "$1"; else fail "$1" "groupadd failed" "$out"; fi
}

# ensure_user ID NAME SYSTEM HOME SHELL GROUP GROUPS(comma separated): creates the account and records
# it in CREATED_ACCOUNTS; changes home, shell and groups only of an account in that record (the plan
# checked this too: this re-check covers an account made since the probe), never one with uid 0.
ensure_user() {
  if getent passwd "$2" >/dev/null; then
    if [ "$(id -u -- "$2")" = 0 ]; then fail "$1" "user $2 has uid 0: provision never changes it"; return; fi
    if ! created_account "$2"; then fail "$1" "user $2 exists and provision did not create it (not in $CREATED_ACCOUNTS): left unchanged"; return; fi
    if out=$(usermod ${4:+--home "$4"} ${5:+--shell "$5"} ${7:+--append --groups "$7"} -- "$2" 2>&1); then ok "$1"; else fail "$1" "usermod failed" "$out"; fi
    return
  fi
  if [ -n "$6" ] && ! getent group "$6" >/dev/null; then
    if ! out=$(groupadd ${3:+--system} -- "$6" 2>&1); then fail "$1" "groupadd $6 failed" "$out"; return; fi
  fi
  if [ -n "$6" ]; then primary="--gid=$6"; else primary=--user-group; fi
  if ! out=$(useradd ${3:+--system} --no-create-home ${4:+--home-dir "$4"} ${5:+--shell "$5"} "$primary" ${7:+--groups "$7"} -- "$2" 2>&1); then
    fail "$1" "useradd failed" "$out"
    return
  fi
  if record_account "$2"; then ok "$1"; else fail "$1" "user $2 was created but could not be recorded in $CREATED_ACCOUNTS"; fi
}

# CREATED_ACCOUNTS (the file, one name a line) is set by the generated script when it manages users.
CREATED_ACCOUNTS=''

# created_account NAME: NAME is in the record (read by the shell: a root-owned file, never a link).
created_account() {
  [ -f "$CREATED_ACCOUNTS" ] && [ ! -L "$CREATED_ACCOUNTS" ] || return 1
  while IFS= read -r recorded; do
    if [ "$recorded" = "$1" ]; then return 0; fi
  done < "$CREATED_ACCOUNTS"
  return 1
}

# record_account NAME: adds NAME to the record, replaced whole by a rename.
record_account() {
  created_account "$1" && return 0
  mkdir -p -- "${CREATED_ACCOUNTS%/*}" || return 1
  {
    if [ -f "$CREATED_ACCOUNTS" ] && [ ! -L "$CREATED_ACCOUNTS" ]; then cat -- "$CREATED_ACCOUNTS"; fi
    printf '%s\n' "$1"
  } > "$CREATED_ACCOUNTS.$$" && mv -f -- "$CREATED_ACCOUNTS.$$" "$CREATED_ACCOUNTS"
}

# ensure_dir ID PATH MODE OWNER GROUP [OLD-TARGET]: a link at PATH is never followed; only a link to
# exactly OLD-TARGET (an older layout the plan saw) is removed to make way for the directory.
ensure_dir() {
  if ! refuse_inside_failed "$1" "$2"; then FAILED_DIRS="$FAILED_DIRS$2$nl"; return; fi
  if make_dir "$@"; then ok "$1"; else FAILED_DIRS="$FAILED_DIRS$2$nl"; fi
}
nl='
'

make_dir() {
  if [ -L "$2" ]; then
    if [ -z "${6:-}" ] || [ "$(readlink -- "$2")" != "$6" ]; then fail "$1" "$2 is a symbolic link: not followed"; return 1; fi
    if ! out=$(rm -f -- "$2" 2>&1); then fail "$1" "cannot remove the old link $2" "$out"; return 1; fi
  fi
  if [ ! -d "$2" ] && ! out=$(mkdir -p -- "$2" 2>&1); then fail "$1" "mkdir failed" "$out"; return 1; fi
  if ! out=$(own "$2" "$3" "$4" "$5" 2>&1); then fail "$1" "cannot set mode/owner" "$out"; return 1; fi
}

# gen_key ID PATH MODE OWNER GROUP OPENSSL-ARGS...: a new private key, written only when none exists.
gen_key() {
  id=$1 path=$2 mode=$3 owner=$4 group=$5
  shift 5
  if [ -e "$path" ]; then ok "$id"; return; fi
  temp_beside "$id" "$path" || return
  if ! out=$( (umask 077 && openssl genpkey "$@" -out "$TMP") 2>&1 ); then fail "$id" "key generation failed" "$out"; return; fi
  if ! out=$(own "$TMP" "$mode" "$owner" "$group" 2>&1); then fail "$id" "cannot set mode/owner" "$out"; return; fi
  if mv -f -- "$TMP" "$path"; then ok "$id"; else fail "$id" "cannot move the key into place"; fi
}

# gen_next_key ID PATH MODE OWNER GROUP OPENSSL-ARGS...: a key rotation's next key, always made anew
# (one already there is of another type than wanted): a new temporary file renamed over PATH, so a
# link at PATH is replaced, never followed.
gen_next_key() {
  id=$1 path=$2 mode=$3 owner=$4 group=$5
  shift 5
  temp_beside "$id" "$path" || return
  if ! out=$( (umask 077 && openssl genpkey "$@" -out "$TMP") 2>&1 ); then fail "$id" "key generation failed" "$out"; return; fi
  if ! out=$(own "$TMP" "$mode" "$owner" "$group" 2>&1); then fail "$id" "cannot set mode/owner" "$out"; return; fi
  if mv -f -- "$TMP" "$path"; then ok "$id"; else fail "$id" "cannot move the key into place"; fi
}

# make_csr ID PATH KEY SUBJECT SAN MODE OWNER GROUP
make_csr() {
  temp_beside "$1" "$2" || return
  if ! out=$(openssl req -new -sha256 -key "$3" -subj "$4" -addext "subjectAltName=$5" -out "$TMP" 2>&1); then fail "$1" "CSR generation failed" "$out"; return; fi
  if ! out=$(own "$TMP" "$6" "$7" "$8" 2>&1); then fail "$1" "cannot set mode/owner" "$out"; return; fi
  if mv -f -- "$TMP" "$2"; then ok "$1"; else fail "$1" "cannot move the CSR into place"; fi
}

# placeholder_cert ID DIR KEY SUBJECT SAN DAYS MODE OWNER GROUP: unless DIR/fullchain.pem is a
# certificate of KEY, a self-signed certificate made from KEY becomes DIR/signed.crt and
# DIR/fullchain.pem, with an empty DIR/chain.pem (a self-signed certificate has no chain);
# fullchain.pem, which the services read, is renamed in last. A certificate of KEY, placeholder or
# issued, is never replaced; one of another key is (mod_ssl refuses a key and certificate that do not
# match). Decided here, not only in the plan: the key may be new in this very apply. KEY is only read.
placeholder_cert() {
  if [ ! -f "$3" ]; then fail "$1" "the key $3 does not exist"; return; fi
  if cert_of_key "$2/fullchain.pem" "$3"; then ok "$1"; return; fi
  temp_beside "$1" "$2/fullchain.pem" || return
  pfull=$TMP
  if ! out=$(openssl req -x509 -new -sha256 -key "$3" -subj "$4" -addext "subjectAltName=$5" -addext 'basicConstraints=critical,CA:FALSE' -days "$6" -out "$pfull" 2>&1); then
    fail "$1" "making the placeholder certificate failed" "$out"
    return
  fi
  temp_beside "$1" "$2/signed.crt" || return
  psigned=$TMP
  temp_beside "$1" "$2/chain.pem" || return
  pchain=$TMP
  if ! cat -- "$pfull" >"$psigned"; then fail "$1" "cannot write $psigned"; return; fi
  for pfile in "$pfull" "$psigned" "$pchain"; do
    if ! out=$(own "$pfile" "$7" "$8" "$9" 2>&1); then fail "$1" "cannot set mode/owner" "$out"; return; fi
  done
  if mv -f -- "$pchain" "$2/chain.pem" && mv -f -- "$psigned" "$2/signed.crt" && mv -f -- "$pfull" "$2/fullchain.pem"; then
    ok "$1"
  else
    fail "$1" "cannot move the placeholder certificate into place"
  fi
}

# cert_of_key CERT KEY: CERT exists and holds KEY's public key.
cert_of_key() {
  [ -e "$1" ] || return 1
  cert_pub=$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null) || return 1
  [ -n "$cert_pub" ] && [ "$cert_pub" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}

# stage ID PATH MODE OWNER GROUP < base64: the new content in a temp file beside PATH, in TMP.
stage() {
  temp_beside "$1" "$2" || return 1
  if ! base64 -d > "$TMP"; then fail "$1" "cannot write $TMP"; return 1; fi
  if ! out=$(own "$TMP" "$3" "$4" "$5" 2>&1); then fail "$1" "cannot set mode/owner" "$out"; return 1; fi
}

# stage_private ID < base64: check mode's staging: the candidate goes to a private temp directory, so
# nothing at all is written beside the managed files (not even a directory), in TMP.
PRIVATE=''
stage_private() {
  if [ -z "$PRIVATE" ]; then
    if ! PRIVATE=$(mktemp -d); then fail "$1" "cannot create a temp directory"; return 1; fi
    STAGED=$(printf '%s\n%s' "$STAGED" "$PRIVATE")
  fi
  if ! TMP=$(mktemp "$PRIVATE/candidate-XXXXXX"); then fail "$1" "cannot create a temp file"; return 1; fi
  if ! base64 -d > "$TMP"; then fail "$1" "cannot write $TMP"; return 1; fi
}

# whole_check ID LABEL ROOT COMMAND [f TEMP DEST | l TARGET PATH | d - PATH]...: run COMMAND (a
# whole-configuration check a role declares) against ROOT as it will be after the change: in a private
# mount namespace, a copy of ROOT holding every candidate file and link, without the files and links
# the apply removes (d), is mounted over ROOT. Nothing the
# host's daemons see changes; the copy is removed with the other temp files.
whole_check() {
  id=$1 label=$2 root=$3 cmd=$4
  shift 4
  if [ -n "$R" ]; then
    printf '@note %s\n' "$label not run: a --root tree is not what the host's programs read"
    return 0
  fi
  if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null 2>&1; then
    printf '@note %s\n' "$label not run before the change: it needs root and unshare(1)"
    return 0
  fi
  if [ ! -d "$root" ]; then
    printf '@note %s\n' "$label not run: $root does not exist yet"
    return 0
  fi
  if ! copy=$(mktemp -d); then fail "$id" "cannot create a temp directory"; return 1; fi
  STAGED=$(printf '%s\n%s' "$STAGED" "$copy")
  if ! cp -a -- "$root/." "$copy/"; then fail "$id" "cannot copy $root"; return 1; fi
  while [ $# -ge 3 ]; do
    rel=${3#"$root"/}
    mkdir -p -- "$copy/$(dirname -- "$rel")"
    rm -f -- "$copy/$rel"
    case $1 in
      f) cp -p -- "$2" "$copy/$rel" ;;
      l) ln -s -- "$2" "$copy/$rel" ;;
      d) ;;
    esac
    shift 3
  done
  # shellcheck disable=SC2016 # expanded by the inner shell
  if ! out=$(unshare --mount --propagation private sh -c 'mount --bind "$1" "$2" && sh -c "$3"' whole-check "$copy" "$root" "$cmd" 2>&1); then
    fail "$id" "$label fails with the new files in place" "$out"
    return 1
  fi
}

# check ID COMMAND...: a validate command, run on the staged file.
check() {
  id=$1
  shift
  if ! out=$("$@" 2>&1); then fail "$id" "validation failed: $*" "$out"; return 1; fi
}

# commit ID TEMP PATH BACKUP: rename the staged file into place, keeping the old one when asked.
commit() {
  if [ "$4" = 1 ] && [ -f "$3" ] && [ ! -L "$3" ]; then
    if ! cp -p -- "$3" "$3.$$.$(date +%Y-%m-%d@%H:%M:%S)~"; then fail "$1" "cannot back up $3"; return 1; fi
  fi
  # -T: a directory swapped in at PATH is not moved into.
  if mv -fT -- "$2" "$3"; then ok "$1"; else fail "$1" "cannot move $2 into place"; return 1; fi
}

# set_attrs ID PATH MODE OWNER GROUP: only the attributes of what is at PATH, as own sets them.
set_attrs() {
  refuse_inside_failed "$1" "$2" || return
  if out=$(own "$2" "$3" "$4" "$5" 2>&1); then ok "$1"; else fail "$1" "cannot set mode/owner" "$out"; fi
}

# link ID PATH TARGET: point PATH at TARGET, replacing an old link in one rename.
link() {
  temp_beside "$1" "$2" || return
  rm -f -- "$TMP"
  if ! ln -s -- "$3" "$TMP"; then fail "$1" "cannot create the link"; return; fi
  if mv -fT -- "$TMP" "$2"; then ok "$1"; else fail "$1" "cannot move the link into place"; fi
}

# ---- the record of what provision manages (src/model/managed-record.ts) and removals

# write_record ID FILE < base64: the record, replaced whole by a rename, in a directory only root can
# enter (made 0700; one that is a link or another account's is refused, never written through).
write_record() {
  rec_dir=${2%/*}
  if [ ! -e "$rec_dir" ] && ! out=$( (umask 077 && mkdir -p -- "$rec_dir") 2>&1); then fail "$1" "cannot create $rec_dir" "$out"; return 1; fi
  if [ -L "$rec_dir" ] || [ ! -d "$rec_dir" ] || [ "$(stat -c %u -- "$rec_dir")" != 0 ]; then
    fail "$1" "$rec_dir is not a directory of root's: the record of what provision manages is not written"
    return 1
  fi
  if ! out=$(chmod 0700 -- "$rec_dir" 2>&1); then fail "$1" "cannot make $rec_dir root's only" "$out"; return 1; fi
  sweep "$rec_dir"
  if ! TMP=$(mktemp "$rec_dir/.provision-$$-XXXXXX"); then fail "$1" "cannot create a temp file in $rec_dir"; return 1; fi
  STAGED=$(printf '%s\n%s' "$STAGED" "$TMP")
  if ! base64 -d > "$TMP"; then fail "$1" "cannot write $TMP"; return 1; fi
  if ! mv -fT -- "$TMP" "$2"; then fail "$1" "cannot move the record into place"; return 1; fi
}

# safe_parents ID PATH: every directory above PATH is a real directory (not a link) of root's (or this
# script's account) that no other account can write (a sticky one such as /tmp aside: there no other
# account can rename or remove root's entries), so what is removed is what the probe saw.
safe_parents() {
  sp_id=$1 sp_path=$2
  sp_dir=${sp_path%/*}
  set -- /
  while [ -n "$sp_dir" ]; do
    set -- "$@" "$sp_dir"
    sp_dir=${sp_dir%/*}
  done
  for sp_d do
    if [ -L "$sp_d" ] || [ ! -d "$sp_d" ]; then fail "$sp_id" "$sp_d is not a real directory any more (a symbolic link?): $sp_path is not removed"; return 1; fi
  done
  if ! sp_stats=$(stat -c '%u %a' -- "$@" 2>&1); then fail "$sp_id" "cannot look at the directories above $sp_path" "$sp_stats"; return 1; fi
  sp_me=$(id -u)
  printf '%s\n' "$sp_stats" | while read -r sp_uid sp_mode; do
    case $sp_uid in 0 | "$sp_me") ;; *) exit 1 ;; esac
    [ $((0$sp_mode & 022)) = 0 ] || [ $((0$sp_mode & 01000)) != 0 ] || exit 1
  done && return 0
  fail "$sp_id" "a directory above $sp_path is owned or writable by another account: $sp_path is not removed"
  return 1
}

# remove_link ID PATH: the link provision made at PATH goes (a link is never followed; anything else
# found there now is left alone).
remove_link() {
  safe_parents "$1" "$2" || return
  if [ ! -L "$2" ]; then
    if [ -e "$2" ]; then printf '@note %s\n' "$2 is not a link any more: left in place"; fi
    ok "$1"
    return
  fi
  if out=$(rm -f -- "$2" 2>&1); then ok "$1"; else fail "$1" "cannot remove the link $2" "$out"; fi
}

# ARCHIVE_DIR (set by the generated script): where archive keeps what it removes, one directory per run.
ARCHIVE_DIR=''
ARCHIVE=''

# archive ID PATH...: each PATH that is a regular file (never a link) moves to ARCHIVE_DIR/DATE.PID/PATH,
# in directories only root can enter (keys stay private); the PATHs share one directory.
archive() {
  ar_id=$1
  shift
  safe_parents "$ar_id" "$1" || return
  if [ -L "$ARCHIVE_DIR" ]; then fail "$ar_id" "$ARCHIVE_DIR is a symbolic link: nothing is archived through it"; return; fi
  if [ -z "$ARCHIVE" ]; then ARCHIVE=$ARCHIVE_DIR/$(date -u +%Y-%m-%dT%H:%M:%SZ).$$; fi
  for ar_path do
    if [ ! -e "$ar_path" ] && [ ! -L "$ar_path" ]; then continue; fi
    if [ -L "$ar_path" ] || [ ! -f "$ar_path" ]; then printf '@note %s\n' "$ar_path is not a regular file any more: left in place"; continue; fi
    ar_dest=$ARCHIVE$ar_path
    if ! out=$( (umask 077 && mkdir -p -- "${ar_dest%/*}") 2>&1); then fail "$ar_id" "cannot create ${ar_dest%/*}" "$out"; return; fi
    if ! out=$(mv -f -- "$ar_path" "$ar_dest" 2>&1); then fail "$ar_id" "cannot move $ar_path to the archive" "$out"; return; fi
    printf '@note %s\n' "archived $ar_path as $ar_dest"
  done
  ok "$ar_id"
}

# remove_dir ID PATH: the directory provision made at PATH, only when it is empty; one that holds
# anything is left in place (with a note), one that is a link now is not touched.
remove_dir() {
  safe_parents "$1" "$2" || return
  if [ ! -L "$2" ] && [ -d "$2" ] && ! rmdir -- "$2" 2>/dev/null; then printf '@note %s\n' "$2 is not empty: left in place, no longer managed"; fi
  ok "$1"
}

# ---- a certificate replaced by another (src/plan/renames.ts): the old one goes once the new is issued

# issued DIR KEY NAME...: DIR/fullchain.pem is a certificate the CA issued (not the self-signed
# placeholder) for KEY and for exactly these names. Only read (a link is read, never written through).
issued() {
  is_cert=$1/fullchain.pem
  shift
  cert_of_key "$is_cert" "$1" || return 1
  shift
  is_subject=$(openssl x509 -in "$is_cert" -noout -subject -nameopt RFC2253 2>/dev/null) || return 1
  is_issuer=$(openssl x509 -in "$is_cert" -noout -issuer -nameopt RFC2253 2>/dev/null) || return 1
  [ "${is_subject#subject=}" != "${is_issuer#issuer=}" ] || return 1
  is_names=$(openssl x509 -in "$is_cert" -noout -ext subjectAltName 2>/dev/null | tr ',' '\n' | sed -n 's/^ *DNS://p' | tr '[:upper:]' '[:lower:]' | sort -u)
  [ -n "$is_names" ] && [ "$is_names" = "$(printf '%s\n' "$@" | tr '[:upper:]' '[:lower:]' | sort -u)" ]
}

# begin_part: the steps up to end_part are one part, whose failure end_part tells.
PART_FAILED_BEFORE=0
begin_part() {
  PART_FAILED_BEFORE=$FAILED
  FAILED=0
}

# end_part: succeeds when no step since begin_part failed; FAILED still says, for the exit status,
# whether anything of the whole run failed.
end_part() {
  part_failed=$FAILED
  if [ "$PART_FAILED_BEFORE" = 1 ]; then FAILED=1; fi
  [ "$part_failed" = 0 ]
}

# warn TEXT: a warning of the host's run that is not a failure.
warn() {
  printf '@warn %s\n' "$1"
}

# Handlers a run has promised are written down before anything is renamed into place and crossed off
# only once they succeed, so a run that fails or dies in between leaves them for the next run (a
# changed file is never left un-reloaded; Ansible loses them: ansible#4766).
# PENDING_HANDLERS (the file) is set by the generated script.
STILL_PENDING=''

# promise_handlers NAME...
promise_handlers() {
  mkdir -p -- "${PENDING_HANDLERS%/*}" &&
    printf '%s\n' "$@" > "$PENDING_HANDLERS.tmp" &&
    mv -f -- "$PENDING_HANDLERS.tmp" "$PENDING_HANDLERS"
}

# handler NAME [command TEXT | reload UNIT]...: runs the steps in order until one fails. A command runs
# in sh -c; a reload uses reload_service (templates/reload-service.sh, the renewal script's too). On
# failure the step's stderr (its stdout when stderr is empty) follows as @detail lines, tail-bounded
# so a chatty command cannot flood the report. A service that is not running is a @note, not a failure.
HANDLER_ERR=''
handler() {
  name=$1
  shift
  if [ -z "$HANDLER_ERR" ]; then
    if ! HANDLER_ERR=$(mktemp); then handler_failed "$name" 'cannot create a temp file'; return; fi
    STAGED=$(printf '%s\n%s' "$STAGED" "$HANDLER_ERR")
  fi
  while [ $# -ge 2 ]; do
    step=$1 arg=$2
    shift 2
    if [ "$step" = reload ]; then
      out=$(reload_service "$arg" 2>"$HANDLER_ERR")
      code=$?
      if [ "$code" = 3 ]; then
        printf '@note %s\n' "$arg is not running, so it was not reloaded (handler $name): it reads the new files when it starts"
        continue
      fi
    else
      out=$(sh -c "$arg" 2>"$HANDLER_ERR")
      code=$?
    fi
    if [ "$code" != 0 ]; then
      detail=$(tail -n 20 -- "$HANDLER_ERR")
      if [ -z "$detail" ]; then detail=$(printf '%s\n' "$out" | tail -n 20); fi
      if [ -z "$detail" ]; then detail="exit status $code"; fi
      handler_failed "$name" "$detail"
      return
    fi
  done
  printf '@handler %s ok\n' "$name"
}

# handler_failed NAME DETAIL: the handler stays pending for the next run.
handler_failed() {
  FAILED=1
  STILL_PENDING=$(printf '%s\n%s' "$STILL_PENDING" "$1")
  printf '@handler %s fail\n' "$1"
  printf '%s\n' "$2" | sed 's/^/@detail /'
}

# settle_handlers: keep only the handlers that failed for the next run.
settle_handlers() {
  if [ -z "$STILL_PENDING" ]; then
    rm -f -- "$PENDING_HANDLERS"
  else
    printf '%s\n' "$STILL_PENDING" | sed '/^$/d' > "$PENDING_HANDLERS.tmp" && mv -f -- "$PENDING_HANDLERS.tmp" "$PENDING_HANDLERS"
  fi
}

# abort_if_failed: after staging, stop before anything is renamed into place.
abort_if_failed() {
  if [ "$FAILED" = 1 ]; then
    cleanup
    exit 1
  fi
}

# finish: the last call of every script; the exit status says whether anything failed.
finish() {
  printf '@done\n'
  exit "$FAILED"
}
