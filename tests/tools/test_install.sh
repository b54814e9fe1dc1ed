#!/bin/bash
# make install, then the installed hsyncd run as a service (issue #17):
# `make install DESTDIR=...` puts programs, man pages, the example
# configuration, the systemd unit, tmpfiles.d and sysusers.d files in the
# usual places; the installed hsyncd, started as root like the unit does
# (-f, Type=notify with a NOTIFY_SOCKET of this test's), with username:
# set to a system user made here, listens on port 53 of a loopback address
# of its own while running as that user with no capability left, with
# the pidfile and the control socket where the unit and hsyncctl expect
# them; READY, RELOADING and STOPPING reach the notify socket; it stops
# cleanly. Needs root (77 otherwise), useradd, python3, ss.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "skip: needs root (privilege drop and port 53)"; exit 77; }
for t in useradd userdel python3 ss; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
TMP=$(mktemp -d)
chmod 0755 "$TMP"
D=$TMP/root
U=hsynct$$
PID=""
LPID=""
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && sleep 0.5 && kill -KILL "$PID" 2>/dev/null
	[ -n "$LPID" ] && kill "$LPID" 2>/dev/null
	userdel "$U" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
finish() {
	echo "checks: $checks"
	[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
	exit 0
}

# 1. make install into a DESTDIR (PREFIX=/usr: the usual Debian places)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u HSYNC_STAGE make -C "$SRC" --no-print-directory install \
	DESTDIR="$D" PREFIX=/usr SAN="${SAN:-0}" >"$TMP/install.log" 2>&1 ||
	{ bad "make install failed: $(tail -5 "$TMP/install.log")"; finish; }
ok "make install DESTDIR=... PREFIX=/usr"
for f in usr/sbin/hsyncd usr/sbin/hsyncctl usr/bin/hsdig usr/bin/hsync-keygen \
	usr/share/man/man8/hsyncd.8 usr/share/man/man8/hsyncctl.8 usr/share/man/man5/hsyncd.conf.5 \
	usr/share/man/man1/hsdig.1 usr/lib/systemd/system/hsyncd.service usr/lib/tmpfiles.d/hsync.conf \
	usr/lib/sysusers.d/hsync.conf etc/hsync/hsyncd.conf.example; do
	[ -f "$D/$f" ] || bad "not installed: /$f"
done
ok "programs, man pages, unit, tmpfiles.d, sysusers.d, example in place"
for b in "$SRC/${BUILD:-build}"/bin/*; do
	n=$(basename "$b")
	[ -x "$D/usr/sbin/$n" ] || [ -x "$D/usr/bin/$n" ] || bad "program $n not installed"
	[ -f "$D/usr/share/man/man1/$n.1" ] || [ -f "$D/usr/share/man/man8/$n.8" ] || bad "no man page for $n"
done
ok "every program and its man page installed"

UNIT=$D/usr/lib/systemd/system/hsyncd.service
val() { sed -n "s/^$1=//p" "$UNIT" | head -1; }
[ "$(val Type)" = notify ] && ok "unit: Type=notify" || bad "unit: Type=$(val Type)"
exe=$(val ExecStart | cut -d' ' -f1)
[ -x "$D$exe" ] && ok "unit: ExecStart $exe is the installed hsyncd" || bad "unit: ExecStart '$exe'"
conf=$(val ExecStart | sed 's/.* -c \([^ ]*\).*/\1/')
[ "$conf" = /etc/hsync/hsyncd.conf ] && ok "unit: configuration $conf" || bad "unit: -c '$conf'"
val ExecReload | grep -q "hsyncctl -c /etc/hsync/hsyncd.conf reload" && ok "unit: reload through hsyncctl" ||
	bad "unit: ExecReload $(val ExecReload)"
PIDFILE=$(val PIDFile)
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify --man=no "$UNIT" 2>&1 | grep -v "is not executable" >"$TMP/verify"
	[ ! -s "$TMP/verify" ] && ok "systemd-analyze verify: no complaint" || bad "verify: $(cat "$TMP/verify")"
fi
grep -q '^u hsync - .* /var/lib/hsync ' "$D/usr/lib/sysusers.d/hsync.conf" && ok "sysusers.d: user hsync" ||
	bad "sysusers.d: $(cat "$D/usr/lib/sysusers.d/hsync.conf")"
RUNDIR=$(awk '$1 == "d" && $2 ~ /run/ {print $2}' "$D/usr/lib/tmpfiles.d/hsync.conf")
STATEDIR=$(awk '$1 == "d" && $2 ~ /lib/ {print $2}' "$D/usr/lib/tmpfiles.d/hsync.conf")
[ "$RUNDIR" = /run/hsync ] && [ "$STATEDIR" = /var/lib/hsync ] && ok "tmpfiles.d: $RUNDIR and $STATEDIR" ||
	bad "tmpfiles.d: '$RUNDIR' '$STATEDIR'"
[ "$(dirname "$PIDFILE")" = "$RUNDIR" ] && ok "unit: PIDFile $PIDFILE in $RUNDIR" || bad "PIDFile '$PIDFILE'"

# 2. a system user, and its directories as the tmpfiles.d rule makes them
useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$U" ||
	{ bad "useradd"; finish; }
UID_U=$(id -u "$U")
GID_U=$(id -g "$U")
while read -r type path mode user group _; do
	[ "$type" = d ] || continue
	[ "$user" = hsync ] && [ "$group" = hsync ] || bad "tmpfiles.d: $path owned by $user:$group"
	mkdir -p "$D$path" && chmod "$mode" "$D$path" && chown "$U:$U" "$D$path"
done < <(grep -v '^#' "$D/usr/lib/tmpfiles.d/hsync.conf")
ok "directories made as the tmpfiles.d rule says (user $U, uid $UID_U)"

# 3. keys readable by the group only, a configuration from the example
"$D/usr/bin/hsync-keygen" sig0 --name dns.solo.test. --dir "$D/etc/hsync" >"$TMP/sig0.out" || bad keygen
"$D/usr/bin/hsync-keygen" hpke --name solo.test --dir "$D/etc/hsync" >/dev/null 2>&1 || bad keygen
KEY="$D/etc/hsync/$(sed -n 2p "$TMP/sig0.out").private"
chown "root:$U" "$KEY" "$D/etc/hsync/solo.test.hpke"
chmod 0640 "$KEY" "$D/etc/hsync/solo.test.hpke"
# a loopback address of our own, port 53
ADDR=""
for _ in 1 2 3 4 5; do
	a="127.53.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
	if python3 - "$a" <<'PY'; then
import socket, sys
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind((sys.argv[1], 53))
    s.close()
PY
		ADDR=$a
		break
	fi
done
[ -n "$ADDR" ] || { echo "skip: no free port 53 on 127.53/16"; exit 77; }
python3 - "$D/etc/hsync/hsyncd.conf.example" "$D/etc/hsync/hsyncd.conf" "$D" "$ADDR" "$U" "$KEY" <<'PY'
import sys
src, dst, root, addr, user, key = sys.argv[1:]
set_ = {"identity": "solo.test.", "listen": addr + "@53", "username": user,
        "sig0-key": key, "hpke-key": root + "/etc/hsync/solo.test.hpke",
        "insecure": "yes", "resolver": "127.0.0.1@9"}
out, section = [], None
for line in open(src):
    s = line.strip()
    if line[:1] not in (" ", "\t", "#", "\n") and s.endswith(":"):
        section = s[:-1]
    if section in ("zone", "identity-zone", "combiner"):
        continue
    if line.startswith("    ") and ":" in s and not s.startswith("#"):
        k, v = s.split(":", 1)
        if k == "trust-anchor":
            continue
        v = v.strip()
        if k in set_:
            v = set_[k]
        elif v.startswith(("/run/hsync/", "/var/lib/hsync/", "/etc/hsync/")):
            v = root + v
        line = "    %s: %s\n" % (k, v)
    out.append(line)
open(dst, "w").write("".join(out))
PY
# the log in a file of its own, in the user's directory
sed -i "s|^    username: .*|&\n    log-file: $D$STATEDIR/hsyncd.log|" "$D/etc/hsync/hsyncd.conf"
chown "root:$U" "$D/etc/hsync/hsyncd.conf"
chmod 0640 "$D/etc/hsync/hsyncd.conf"
CONF=$D/etc/hsync/hsyncd.conf
SOCK=$(sed -n 's/^ *control-socket: //p' "$CONF")
PF=$(sed -n 's/^ *pidfile: //p' "$CONF")
[ "$SOCK" = "$D$RUNDIR/hsyncd.sock" ] && ok "the example's control-socket is hsyncctl's default ($RUNDIR/hsyncd.sock)" ||
	bad "control-socket '$SOCK'"
[ "$PF" = "$D$PIDFILE" ] && ok "the example's pidfile is the unit's PIDFile" || bad "pidfile '$PF' vs '$PIDFILE'"
"$D/usr/sbin/hsyncd" -c "$CONF" --check-config >"$TMP/check" 2>&1 && ok "ExecStartPre: $(cat "$TMP/check")" ||
	bad "check-config: $(cat "$TMP/check")"

# 4. start as the unit does: root, -f, a notify socket of ours
python3 - "$TMP/notify.sock" "$TMP/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
PY
LPID=$!
for _ in $(seq 1 50); do [ -S "$TMP/notify.sock" ] && break; sleep 0.1; done
chmod 0777 "$TMP/notify.sock" # as systemd's own: hsyncd no longer runs as root when it is ready
NOTIFY_SOCKET=$TMP/notify.sock "$D/usr/sbin/hsyncd" -c "$CONF" -f >"$TMP/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do grep -q READY=1 "$TMP/notify.log" 2>/dev/null && break; sleep 0.1; done
grep -q "^READY=1 STATUS=agent 'solo.test.' running" "$TMP/notify.log" && ok "READY=1 sent to NOTIFY_SOCKET" ||
	{ bad "no READY: $(cat "$TMP/notify.log" "$TMP/log" "$D$STATEDIR/hsyncd.log")"; finish; }
status() { sed -n "s/^$1:[[:space:]]*//p" "/proc/$PID/status" | tr -s '\t ' ' '; }
[ "$(status Uid)" = "$UID_U $UID_U $UID_U $UID_U" ] && ok "runs as uid $UID_U (real, effective, saved, fs)" ||
	bad "Uid: $(status Uid)"
[ "$(status Gid)" = "$GID_U $GID_U $GID_U $GID_U" ] && ok "gid $GID_U" || bad "Gid: $(status Gid)"
[ "$(status CapEff)" = 0000000000000000 ] && [ "$(status CapPrm)" = 0000000000000000 ] &&
	ok "no capability left (CapEff, CapPrm 0)" || bad "CapEff $(status CapEff) CapPrm $(status CapPrm)"
[ "$(ps -o user= -p "$PID" | tr -d ' ')" = "$U" ] && ok "ps: user $U" || bad "ps: $(ps -o user= -p "$PID")"
ss -lnup | grep -q "$ADDR:53 .*pid=$PID," && ss -lntp | grep -q "$ADDR:53 .*pid=$PID," &&
	ok "listening on $ADDR:53, UDP and TCP" || bad "not listening on $ADDR:53: $(ss -lnup | grep ":53 ")"
[ "$(cat "$PF" 2>/dev/null)" = "$PID" ] && [ "$(stat -c %U "$PF")" = "$U" ] &&
	ok "pidfile $PIDFILE holds $PID" || bad "pidfile: '$(cat "$PF" 2>/dev/null)'"
[ -S "$SOCK" ] && [ "$(stat -c '%U %a' "$SOCK")" = "$U 600" ] && ok "control socket $RUNDIR/hsyncd.sock ($U, 0600)" ||
	bad "socket: $(stat -c '%U %a' "$SOCK" 2>&1)"
ST=$(sed -n 's/^ *store: //p' "$CONF")
[ "$(stat -c %U "$ST")" = "$U" ] && [ "$(stat -c %U "$ST.lock")" = "$U" ] && ok "store and its lock belong to $U" ||
	bad "store owner $(stat -c %U "$ST" 2>&1)"
"$D/usr/sbin/hsyncctl" -c "$CONF" status >"$TMP/status" 2>&1 && grep -q "identity: *solo.test." "$TMP/status" &&
	ok "hsyncctl -c CONFIG status (as root)" || bad "hsyncctl: $(cat "$TMP/status")"
LOGF=$D$STATEDIR/hsyncd.log
grep -q "running as user '$U'" "$LOGF" && ok "the log file says which user" || bad "no user line in the log"
[ "$(stat -c %U "$LOGF")" = "$U" ] && ok "the log file belongs to $U (reopened after rotation by it)" ||
	bad "log file owner $(stat -c %U "$LOGF")"

# 5. reload and stop, as systemctl would
"$D/usr/sbin/hsyncctl" -c "$CONF" reload >/dev/null 2>&1 && ok "reload (ExecReload)" || bad "reload"
for _ in $(seq 1 50); do [ "$(grep -c READY=1 "$TMP/notify.log")" -ge 2 ] && break; sleep 0.1; done
grep -q "^RELOADING=1" "$TMP/notify.log" && [ "$(grep -c READY=1 "$TMP/notify.log")" -ge 2 ] &&
	ok "RELOADING=1 then READY=1" || bad "notify after reload: $(cat "$TMP/notify.log")"
kill -TERM "$PID"
wait "$PID"
rc=$?
PID=""
[ $rc -eq 0 ] && ok "SIGTERM: exit 0" || bad "SIGTERM: exit $rc"
grep -q "^STOPPING=1" "$TMP/notify.log" && ok "STOPPING=1" || bad "no STOPPING"
[ ! -e "$PF" ] && [ ! -e "$SOCK" ] && ok "pidfile and socket removed" || bad "pidfile or socket left"

# 6. make uninstall
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u HSYNC_STAGE make -C "$SRC" --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr \
	>"$TMP/uninstall.log" 2>&1 && [ ! -e "$D/usr/sbin/hsyncd" ] && [ ! -e "$UNIT" ] && [ -e "$CONF" ] &&
	ok "make uninstall: programs and unit gone, configuration kept" || bad "uninstall: $(tail -3 "$TMP/uninstall.log")"
finish
