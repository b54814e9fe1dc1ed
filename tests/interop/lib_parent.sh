# lib_parent.sh -- the parent role's interop tests (sourced, not run):
# keys, the parent zone lab. on a real primary (BIND or Knot) that takes
# TSIG UPDATEs, hsyncd with role parent in front, hsync-update as the
# children, and the checks every such test makes (draft-hsync-parent).
#
#   par_init                 TMP, BIN, checks; keys of the receiver
#                            (update.lab.), the children example.lab. and
#                            ample.lab., the TSIG key; the zone file lab.zone
#   par_bind_start           named as the primary of lab. (allow-update key)
#   par_knot_start           knotd as the primary of lab. (ACL update key)
#                            both set PRI_PORT and PRI_PID
#   par_hsyncd_start [BOOTSTRAP]   hsyncd role parent, backend forward
#   upd SUBCOMMAND ARGS...   hsync-update against the lab (DSYNC found
#                            through the primary, KEY at update.lab. --insecure)
#   axfr                     the parent zone as the primary serves it,
#                            sorted, SOA left out
#   ctl ARGS...              hsyncctl against the daemon
set -u
PAR_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$PAR_HERE/lib_servers.sh"
BIN=${HSYNC_BIN:-$PAR_HERE/../../build/bin}
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }
PAR_PIDS=""

par_cleanup() {
	local p
	for p in $PAR_PIDS; do kill "$p" 2>/dev/null; done
	for p in $PAR_PIDS; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "${KEEP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}

par_finish() {
	echo "checks: $checks"
	[ "$fails" -eq 0 ] && exit 0
	echo "$fails failed; logs:"
	tail -40 "$TMP/hsyncd.log" 2>/dev/null
	exit 1
}

# key NAME: a SIG(0) key pair for NAME in $TMP; prints the base path
key() {
	local out
	out=$("$BIN/hsync-keygen" sig0 --name "$1" --dir "$TMP") || return 1
	echo "$TMP/$(sed -n 2p <<<"$out")"
}

par_init() {
	local t
	for t in hsyncd hsyncctl hsync-keygen hsync-update; do
		[ -x "$BIN/$t" ] || { echo "$t not built at '$BIN'"; exit 1; }
	done
	command -v dig >/dev/null || { echo "skip: dig is not installed"; exit 77; }
	command -v tsig-keygen >/dev/null || { echo "skip: tsig-keygen is not installed"; exit 77; }
	TMP=$(mktemp -d)
	chmod 0755 "$TMP"
	trap par_cleanup EXIT
	NODE=$(key dns.parent.lab.) || exit 1
	"$BIN/hsync-keygen" hpke --name parent.lab --dir "$TMP" >/dev/null 2>&1 || exit 1
	RECV=$(key update.lab.) || exit 1
	KEX=$(key example.lab.) || exit 1
	KAMP=$(key ample.lab.) || exit 1
	TSIG_SECRET=$(tsig-keygen -a hmac-sha256 hsync-parent | sed -nE 's/.*secret "([^"]+)".*/\1/p')
	[ -n "$TSIG_SECRET" ] || { echo "no TSIG secret"; exit 1; }
	PH_PORT=$(free_port)
	cat >"$TMP/lab.zone" <<EOF
\$ORIGIN lab.
\$TTL 300
@	IN SOA ns.lab. hostmaster.lab. 1 3600 600 86400 300
@	IN NS ns.lab.
ns	IN A 127.0.0.1
example	IN NS ns1.example.lab.
ns1.example	IN A 127.0.0.11
ample	IN NS ns1.ample.lab.
ns1.ample	IN A 127.0.0.21
EOF
}

par_bind_start() {
	command -v named >/dev/null || { echo "skip: named is not installed (apt-get install bind9)"; exit 77; }
	. "$PAR_HERE/lib_named.sh"
	PRI_PORT=$(free_port)
	cp "$TMP/lab.zone" "$TMP/lab.db"
	named_start "$TMP/named" 127.0.0.1 "$PRI_PORT" "key \"hsync-parent\" {
	algorithm hmac-sha256;
	secret \"$TSIG_SECRET\";
};
zone \"lab\" {
	type primary;
	file \"$TMP/lab.db\";
	allow-update { key hsync-parent; };
	allow-transfer { 127.0.0.1; };
};" || { echo "FAIL named start"; exit 1; }
	PRI_PID=$NAMED_PID
	PAR_PIDS="$PAR_PIDS $PRI_PID"
}

par_knot_start() {
	command -v knotd >/dev/null || { echo "skip: knotd is not installed (apt-get install knot)"; exit 77; }
	local attempt
	mkdir -p "$TMP/knot"
	cp "$TMP/lab.zone" "$TMP/knot/lab.zone"
	for attempt in 1 2 3; do
		PRI_PORT=$(free_port)
		cat >"$TMP/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$PRI_PORT
    rundir: "$TMP/knot"
    pidfile: "$TMP/knot/knot.pid"
database:
    storage: "$TMP/knot"
control:
    listen: "$TMP/knot/knot.sock"
log:
  - target: "$TMP/knot.log"
    any: info
key:
  - id: hsync-parent
    algorithm: hmac-sha256
    secret: $TSIG_SECRET
acl:
  - id: update
    key: hsync-parent
    action: update
  - id: transfer
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$TMP/knot"
    zonefile-sync: -1
zone:
  - domain: lab.
    file: "$TMP/knot/lab.zone"
    acl: [update, transfer]
EOF
		knotd -c "$TMP/knot.conf" >>"$TMP/knot.out" 2>&1 &
		PRI_PID=$!
		if wait_ready "$PRI_PORT" lab. "$PRI_PID"; then
			PAR_PIDS="$PAR_PIDS $PRI_PID"
			return 0
		fi
		kill "$PRI_PID" 2>/dev/null
		wait "$PRI_PID" 2>/dev/null
	done
	echo "FAIL knotd start:"
	cat "$TMP/knot.out" "$TMP/knot.log" 2>/dev/null
	exit 1
}

# par_hsyncd_start [BOOTSTRAP [EXTRA-PARENT-LINES]]
par_hsyncd_start() {
	cat >"$TMP/hsyncd.conf" <<EOF
server:
    identity: parent.lab.
    role: parent
    listen: 127.0.0.1@$PH_PORT
    control-socket: $TMP/ctl.sock
    store: $TMP/store.db
    sig0-key: $NODE.private
    hpke-key: $TMP/parent.lab.hpke
    log-level: info
    log-file: $TMP/hsyncd.log
dnssec:
    insecure: yes
    resolver: 127.0.0.1@$PRI_PORT
key:
    name: hsync-parent
    algorithm: hmac-sha256
    secret: $TSIG_SECRET
parent:
    zone: lab.
    key: $RECV.private
    backend: forward
    primary: 127.0.0.1@$PRI_PORT
    primary-key: hsync-parent
    bootstrap: ${1:-manual}
${2:-}
EOF
	"$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >"$TMP/hsyncd.out" 2>&1 &
	PH_PID=$!
	PAR_PIDS="$PAR_PIDS $PH_PID"
	for _ in $(seq 1 100); do
		ctl status >/dev/null 2>&1 && break
		kill -0 "$PH_PID" 2>/dev/null || break
		sleep 0.1
	done
	ctl status >/dev/null 2>&1 || {
		echo "FAIL hsyncd did not start:"
		cat "$TMP/hsyncd.out" "$TMP/hsyncd.log" 2>/dev/null
		exit 1
	}
}

ctl() { "$BIN/hsyncctl" -s "$TMP/ctl.sock" --timeout 10 "$@"; }

# upd SUBCOMMAND ARGS...: as a child does it, DSYNC through the primary
upd() {
	local sub=$1
	shift
	"$BIN/hsync-update" "$sub" -r "127.0.0.1@$PRI_PORT" --insecure -T 1 -w 5 "$@"
}

axfr() {
	dig @127.0.0.1 -p "$PRI_PORT" +nocmd +nostats +noall +answer lab. AXFR |
		awk '$4 != "SOA"' | sort -u
}

# wait_for CMD...: until CMD succeeds, at most ~10 s
wait_for() {
	for _ in $(seq 1 100); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# refused WHAT EDE CMD...: CMD (an hsync-update) exits 1 with that EDE
# and the parent zone is what it was before (PS-5: a refusal changes
# nothing)
refused() {
	local what=$1 ede=$2 out rc
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^;; ede: $ede " <<<"$out" && [ "$(axfr)" = "$BEFORE" ]; then
		ok "$what: refused (EDE $ede), parent zone unchanged"
	else
		bad "$what: exit $rc, zone $([ "$(axfr)" = "$BEFORE" ] && echo same || echo CHANGED): $out"
	fi
}

# The scenario every primary gets (draft-hsync-parent PS-2, PS-5, PS-10,
# PS-11, PS-13, PS-16, PS-17, PS-23, PS-25, PS-32, PS-38, PS-40); the
# children are hsync-update: the receiver found by DSYNC (PS-29), its KEY
# from the target (PS-31, --insecure: the lab's lab. is unsigned), the
# KeyState asked after the upload (PS-37).
par_scenario() {
	local out kt rc
	# PS-2: what the receiver publishes, through the backend
	if wait_for sh -c "dig @127.0.0.1 -p $PRI_PORT +short _dsync.lab. TYPE66 | grep -q ."; then
		ok "DSYNC published at _dsync.lab."
	else
		bad "no DSYNC: $(ctl parent status 2>&1 | grep -i publish)"
	fi
	kt=$(awk '{print $NF}' "$RECV.key")
	dig @127.0.0.1 -p "$PRI_PORT" +short update.lab. KEY | tr -d ' ' | grep -qF "$kt" &&
		ok "the receiver's KEY at update.lab." || bad "KEY at update.lab. missing"
	dig @127.0.0.1 -p "$PRI_PORT" +short update.lab. SVCB | grep -q 'key65282="manual"\|key65282=manual' &&
		ok "SVCB at update.lab. announces bootstrap=manual" ||
		bad "SVCB: $(dig @127.0.0.1 -p "$PRI_PORT" +short update.lab. SVCB)"
	ctl parent records | grep -q '_dsync.lab.' && ok "hsyncctl parent records" ||
		bad "parent records: $(ctl parent records 2>&1)"
	# the role's row of the daemon's role table: its status and commands
	out=$(ctl status 2>&1)
	grep -q '^role: *parent$' <<<"$out" && grep -q '^parent zone: *lab\.$' <<<"$out" &&
		ok "hsyncctl status: role parent, parent zone lab." || bad "status: $out"
	out=$(ctl help 2>&1)
	grep -q 'parent approve' <<<"$out" && ! grep -q 'peer list\|combiner purge' <<<"$out" &&
		ok "hsyncctl help: the parent's commands, not the agent's or the combiner's" ||
		bad "help: $out"

	# PS-16, PS-23, PS-25: bootstrap by upload and operator approval
	out=$(upd upload -k "$KEX" 2>&1)
	grep -q 'keystate: KEY_BOOTSTRAP_MANUAL' <<<"$out" && grep -q 'target update.lab. port' <<<"$out" &&
		ok "upload found the receiver by DSYNC, KEY_BOOTSTRAP_MANUAL" || bad "upload: $out"
	upd inquire -k "$KEX" >/dev/null 2>&1 && bad "trusted before approval" ||
		ok "not trusted before the operator approves"
	ctl parent approve example.lab. >/dev/null && ok "hsyncctl parent approve example.lab." ||
		bad "approve"
	upd upload -k "$KAMP" >/dev/null 2>&1
	ctl parent approve ample.lab. >/dev/null || bad "approve ample.lab."
	out=$(upd inquire -k "$KEX" 2>&1) && grep -q 'KEY_TRUSTED' <<<"$out" &&
		ok "KeyState inquiry: KEY_TRUSTED, signed by the receiver" || bad "inquire: $out"

	BEFORE=$(axfr)
	# PS-13, PS-32: an NS and its glue in one UPDATE, then removed
	out=$(upd send -k "$KEX" -A 'example.lab. 300 NS ns2.example.lab.' \
		-A 'ns2.example.lab. 300 A 127.0.0.12' 2>&1)
	rc=$?
	[ "$rc" -eq 0 ] && grep -q 'update: NOERROR' <<<"$out" && ok "NS + glue change: NOERROR" ||
		bad "NS + glue change: $rc $out"
	dig @127.0.0.1 -p "$PRI_PORT" +norec example.lab. NS | grep -q 'ns2.example.lab' &&
		ok "dig @parent: example.lab. NS has ns2" || bad "NS not at the primary"
	axfr | grep -qE '^ns2\.example\.lab\..*A[[:space:]]+127\.0\.0\.12$' &&
		ok "glue ns2.example.lab. A 127.0.0.12 at the primary" || bad "glue: $(axfr)"
	out=$(upd send -k "$KEX" -D 'example.lab. NS ns2.example.lab.' \
		-D 'ns2.example.lab. A 127.0.0.12' 2>&1) && [ "$(axfr)" = "$BEFORE" ] &&
		ok "removal: the zone is back as it was" || bad "removal: $out"

	# PS-1, PS-11: out of scope, each refused with the zone unchanged
	refused "ample.lab. changes example.lab." 18 \
		upd send -k "$KAMP" -A 'example.lab. NS ns.evil.test.'
	refused "example.lab. changes another child" 18 \
		upd send -k "$KEX" -A 'ample.lab. NS ns.evil.test.'
	refused "glue for a name outside the child" 18 \
		upd send -k "$KEX" -A 'ns9.ample.lab. A 127.0.0.66'
	refused "a record at the parent's apex" 18 \
		upd send -k "$KEX" -A 'lab. NS evil.test.'
	# signed by an untrusted key; a self-signed upload over a trusted key
	KNEW=$(key example.lab.)
	refused "signed by an untrusted key (BADKEY)" 514 \
		upd send -k "$KNEW" -A 'example.lab. NS ns.evil.test.'
	refused "self-signed upload over a trusted key" 65300 upd upload -k "$KNEW"
	out=$(ctl --json parent children example.lab.)
	tag_old=$(sed -nE 's/.*\+015\+0*([0-9]+)$/\1/p' <<<"$KEX")
	tag_new=$(sed -nE 's/.*\+015\+0*([0-9]+)$/\1/p' <<<"$KNEW")
	grep -q "\"$tag_old/15 trusted\"" <<<"$out" && ! grep -q "\"$tag_new/15 trusted\"" <<<"$out" &&
		ok "the trusted key stayed, the upload was not trusted" || bad "keys: $out"
	# unsigned (nsupdate without a key)
	if command -v nsupdate >/dev/null; then
		out=$(printf 'server 127.0.0.1 %s\nzone lab.\nupdate add evil.lab. 300 A 127.0.0.99\nsend\n' \
			"$PH_PORT" | nsupdate 2>&1)
		grep -q 'REFUSED' <<<"$out" && [ "$(axfr)" = "$BEFORE" ] &&
			ok "unsigned UPDATE refused, zone unchanged" || bad "unsigned: $out"
	fi
	# PS-10: an exact replay inside the window
	out=$(upd send -k "$KEX" --save "$TMP/m.bin" -A 'example.lab. 300 NS ns3.example.lab.' 2>&1) ||
		bad "send for the replay: $out"
	AFTER=$(axfr)
	out=$(/usr/bin/python3 "$PAR_HERE/../transport/dnsq.py" send --port "$PH_PORT" <"$TMP/m.bin")
	grep -q 'rcode=5 ede=65283 sig=1' <<<"$out" && [ "$(axfr)" = "$AFTER" ] &&
		ok "exact replay refused (EDE 65283, signed), zone unchanged" || bad "replay: $out"
	upd send -k "$KEX" -D 'example.lab. NS ns3.example.lab.' >/dev/null 2>&1 ||
		bad "undo ns3"

	# PS-38: every decision kept with who, what, why
	out=$(ctl parent decisions)
	for k in "update.*applied" "update.*refused" "upload.*refused" "approve.*trusted"; do
		grep -qE "$k" <<<"$out" && ok "decision kept: $k" || bad "no decision '$k': $out"
	done
	ctl --json parent decisions 1 | grep -q '"records":' && ok "decisions keep the records" ||
		bad "decisions json"
}

# par_signed_bind_start DIR PORT ZONE ZONEFILE SECRET: named as the primary
# of ZONE on 127.0.0.1@PORT, signed by BIND itself (dnssec-policy: one CSK,
# algorithm 13, short TTLs), UPDATEs with TSIG key hsync-parent (SECRET).
# Waits until the zone is signed; sets NAMED_PID and PAR_ANCHOR (a file
# with the zone's DNSKEY, for trust anchors).
par_signed_bind_start() {
	local dir=$1 port=$2 zone=$3 zf=$4 secret=$5 i
	command -v named >/dev/null || { echo "skip: named is not installed (apt-get install bind9)"; exit 77; }
	. "$PAR_HERE/lib_named.sh"
	mkdir -p "$dir/keys"
	cp "$zf" "$dir/zone.db"
	named_start "$dir" 127.0.0.1 "$port" "key \"hsync-parent\" {
	algorithm hmac-sha256;
	secret \"$secret\";
};
dnssec-policy \"lab\" {
	keys { csk key-directory lifetime unlimited algorithm 13; };
	dnskey-ttl 10;
	max-zone-ttl 300;
	zone-propagation-delay 1;
	publish-safety 1;
	retire-safety 1;
	parent-ds-ttl 5;
	parent-propagation-delay 1;
	signatures-refresh 5d;
	signatures-validity 14d;
	signatures-validity-dnskey 14d;
};
zone \"${zone%.}\" {
	type primary;
	file \"$dir/zone.db\";
	key-directory \"$dir/keys\";
	dnssec-policy \"lab\";
	allow-update { key hsync-parent; };
	allow-transfer { 127.0.0.0/8; };
};" || return 1
	PAR_ANCHOR="$dir/anchor"
	for i in $(seq 1 100); do
		dig @127.0.0.1 -p "$port" +norec +dnssec +time=1 +tries=1 "$zone" DNSKEY 2>/dev/null |
			awk '$4 == "DNSKEY" && $5 == 257' >"$PAR_ANCHOR"
		[ -s "$PAR_ANCHOR" ] && dig @127.0.0.1 -p "$port" +norec +dnssec +time=1 +tries=1 \
			"$zone" SOA 2>/dev/null | grep -q "RRSIG.*SOA" && return 0
		sleep 0.2
	done
	echo "named did not sign $zone:" >&2
	tail -20 "$dir/named.log" >&2
	return 1
}
