# The one way provision reloads a service, shared by the apply script's handlers (src/apply) and the
# renewal script (the letsencrypt role's file resource appends this file verbatim, `source:`). Plain
# POSIX sh without template syntax, so a template may also include it.

# reload_service UNIT: reloads (never restarts) UNIT with the host's own service manager: systemctl
# where systemd runs (/run/systemd/system exists), else the init script, through service(8) when it is
# installed (containers, many VPS images, WSL). Status 0: reloaded; 3: UNIT is not running, which is
# not an error (a stopped service reads the new files when it starts) and nothing is started; any
# other: the reload failed, or UNIT cannot be reloaded on this host, with the reason on stderr. The
# service manager's own messages go to stdout and stderr.
reload_service() {
	if [ -d /run/systemd/system ]; then
		systemctl is-active --quiet "$1" || return 3
		systemctl reload "$1" || return 1
		return 0
	fi
	if [ ! -x "/etc/init.d/$1" ]; then
		echo "cannot reload $1: systemd is not running and there is no init script /etc/init.d/$1" >&2
		return 1
	fi
	if command -v service >/dev/null 2>&1; then
		set -- service "$1"
	else
		set -- "/etc/init.d/$1"
	fi
	# LSB status codes: 0 running, 1-3 not running (dead with a pid file, dead with a lock, stopped).
	# (Written to hold under `set -e`: the renewal script runs with it.)
	init_status=0
	"$@" status >/dev/null 2>&1 || init_status=$?
	case $init_status in
	1 | 2 | 3) return 3 ;;
	*) ;; # running, or an unknown status: the reload's own result then tells
	esac
	"$@" reload || return 1
}
