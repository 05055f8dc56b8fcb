# shellcheck shell=sh
# foreign_links, shared by the probe script (plan and apply warn, src/plan/foreign-links.ts) and the
# status script (status warns alike): the same leftovers, found the same way by both. Self-contained:
# its variables are its own.

# foreign_links N DIR USES DESIRED: the links in DIR that provision does not manage (not one of
# DESIRED, the desired paths one a line) and that lead to a regular file using a path under USES, as
# `@foreign N NAME LINK`: NAME is the path component after USES (a certificate's directory), N the
# role's foreign_links entry. Read through a link only when it leads to a regular file; nothing changes.
foreign_links() {
  [ -d "$2" ] || return 0
  foreign_nl='
'
  for foreign_f in "$2"/*; do
    [ -L "$foreign_f" ] || continue
    case "$foreign_nl$4$foreign_nl" in *"$foreign_nl$foreign_f$foreign_nl"*) continue ;; esac
    [ -f "$foreign_f" ] || continue
    foreign_rest=$(grep -F -- "$3" "$foreign_f" 2>/dev/null) || continue
    while [ -n "$foreign_rest" ]; do
      foreign_line=${foreign_rest%%"$foreign_nl"*}
      case $foreign_rest in *"$foreign_nl"*) foreign_rest=${foreign_rest#*"$foreign_nl"} ;; *) foreign_rest='' ;; esac
      while :; do
        case $foreign_line in *"$3"*) ;; *) break ;; esac
        foreign_line=${foreign_line#*"$3"}
        foreign_name=${foreign_line%%[\"\'/\ \;]*}
        if [ -n "$foreign_name" ]; then printf '@foreign %s %s %s\n' "$1" "$foreign_name" "$foreign_f"; fi
      done
    done
  done
}
