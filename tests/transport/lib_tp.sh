# lib_tp.sh -- shared helpers for the multi-process transport tests
# (sourced, not run). Makes keys and configurations for N parties on
# loopback with free ports, starts and stops hsync-tp processes and
# cleans everything up on exit.
#
#   . tests/transport/lib_tp.sh
#   tp_init                       # temp dir, trap, tool checks (exit 77 if missing)
#   tp_party alpha; tp_party beta # keys + a free port for each
#   tp_conf alpha "inline-limit: 600"   # write alpha.conf (extra transport lines)
#   tp_start alpha --record "$TP_DIR/alpha.rec"   # hsync-tp listen in background
#   tp_stop alpha                 # SIGTERM and wait; tp_kill alpha = SIGKILL
#
# Party names become identities <name>.example. and key owners
# dns.<name>.example.; files live in $TP_DIR/<name>/.

TP_BIN=${HSYNC_BIN:-build/bin}
TP_TOOL=$TP_BIN/hsync-tp
# the listening nodes may run another build (TP_LISTEN_TOOL=/old/hsync-tp:
# to show that an attack test fails on the code before the fix)
TP_LISTEN_TOOL=${TP_LISTEN_TOOL:-$TP_TOOL}
TP_PY=/usr/bin/python3
TP_PARTIES=()
declare -A TP_PORT TP_PID TP_ADDR_OVERRIDE
TP_EXTRA_PIDS=()
checks=0

tp_fail() {
	echo "FAIL: $*"
	if [ -n "${TP_DIR:-}" ]; then
		for f in "$TP_DIR"/*.log; do
			[ -f "$f" ] || continue
			echo "---- $f (last lines)"
			tail -n 15 "$f"
		done
	fi
	exit 1
}
tp_ok() { checks=$((checks + 1)); }

tp_cleanup() {
	local p
	for p in "${TP_PID[@]}" "${TP_EXTRA_PIDS[@]}"; do
		[ -n "$p" ] && kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	[ -n "${TP_DIR:-}" ] && [ -z "${TP_KEEP:-}" ] && rm -rf "$TP_DIR"
}

tp_init() {
	[ -x "$TP_TOOL" ] || { echo "no $TP_TOOL"; exit 77; }
	[ -x "$TP_BIN/hsync-keygen" ] || { echo "no hsync-keygen"; exit 77; }
	[ -x "$TP_PY" ] || { echo "no $TP_PY"; exit 77; }
	TP_DIR=$(mktemp -d /tmp/hsync-tp.XXXXXX)
	trap tp_cleanup EXIT
	trap 'exit 1' INT TERM
}

# A loopback port free for both UDP and TCP (below the ephemeral range).
tp_free_port() {
	"$TP_PY" "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lab/free_port.py"
}

# tp_party NAME: keys and a port for a new party.
tp_party() {
	local name=$1 d=$TP_DIR/$1 out
	mkdir -p "$d"
	out=$("$TP_BIN/hsync-keygen" sig0 --name "dns.$name.example" --dir "$d") ||
		tp_fail "keygen sig0 $name"
	sed -n 1p <<<"$out" >"$d/key.rr"
	echo "$d/$(sed -n 2p <<<"$out")" >"$d/key.base"
	"$TP_BIN/hsync-keygen" hpke --name "$name.example" --dir "$d" >"$d/hpkekey.rr" 2>/dev/null ||
		tp_fail "keygen hpke $name"
	TP_PORT[$name]=$(tp_free_port)
	[ -n "${TP_PORT[$name]}" ] || tp_fail "no free port"
	TP_PARTIES+=("$name")
}

# tp_peer_via NAME PEER ADDR@PORT -- NAME reaches PEER at ADDR@PORT (a relay).
tp_peer_via() { TP_ADDR_OVERRIDE["$1/$2"]=$3; }

# tp_conf NAME [extra transport lines...]: write $TP_DIR/NAME.conf with
# every other party as a peer (inline KEY and HPKEKEY records). Each extra
# line is "option: value" of the transport section.
tp_conf() {
	local name=$1 p f=$TP_DIR/$1.conf line
	shift
	{
		echo "# $name, made by lib_tp.sh"
		echo "server:"
		echo "    identity: $name.example."
		echo "    listen: 127.0.0.1@${TP_PORT[$name]}"
		echo "    store: $name/store.db"
		echo "    sig0-key: $(cat "$TP_DIR/$name/key.base").private"
		echo "    hpke-key: $name/$name.example.hpke"
		echo "transport:"
		# test defaults unless the caller sets them
		for line in "retry-min: 300ms" "retry-max: 1500ms" "timeout: 400ms" "fetch-timeout: 3s"; do
			[[ " $* " == *" ${line%%:*}:"* ]] || echo "    $line"
		done
		for line in "$@"; do echo "    $line"; done
		for p in "${TP_PARTIES[@]}"; do
			[ "$p" = "$name" ] && continue
			echo
			echo "peer:"
			echo "    identity: $p.example."
			echo "    address: ${TP_ADDR_OVERRIDE[$name/$p]:-127.0.0.1@${TP_PORT[$p]}}"
			echo "    key: \"$(cat "$TP_DIR/$p/key.rr")\""
			echo "    hpkekey: \"$(cat "$TP_DIR/$p/hpkekey.rr")\""
		done
	} >"$f"
}

# tp_start NAME [listen options...]: run "hsync-tp listen" in the background,
# output in $TP_DIR/NAME.log; waits until it serves.
tp_start() {
	local name=$1 i before
	shift
	before=$(tp_count "$TP_DIR/$name.log" "^listening on ")
	"$TP_LISTEN_TOOL" listen -c "$TP_DIR/$name.conf" "$@" >>"$TP_DIR/$name.out" 2>>"$TP_DIR/$name.log" &
	TP_PID[$name]=$!
	for i in $(seq 1 200); do
		[ "$(tp_count "$TP_DIR/$name.log" "^listening on ")" -gt "$before" ] && return 0
		kill -0 "${TP_PID[$name]}" 2>/dev/null || tp_fail "$name exited at start"
		sleep 0.05
	done
	tp_fail "$name did not start"
}

# tp_wait_exit NAME SECONDS: wait for a process started with tp_start to end
# by itself; its exit status in TP_RC.
tp_wait_exit() {
	local name=$1 limit=$2 i pid=${TP_PID[$1]}
	for i in $(seq 1 $((limit * 20))); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			TP_RC=$?
			TP_PID[$name]=
			return 0
		fi
		sleep 0.05
	done
	tp_fail "$name still running after ${limit}s"
}

tp_stop() {
	local pid=${TP_PID[$1]}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	TP_PID[$1]=
}

tp_kill() {
	local pid=${TP_PID[$1]}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	TP_PID[$1]=
}

# tp_wait_grep FILE PATTERN SECONDS: until a line of FILE matches.
tp_wait_grep() {
	local i
	for i in $(seq 1 $(($3 * 50))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# tp_count FILE PATTERN: lines matching (0 when the file is missing).
tp_count() {
	local n
	n=$(grep -c -- "$2" "$1" 2>/dev/null)
	echo "${n:-0}"
}
