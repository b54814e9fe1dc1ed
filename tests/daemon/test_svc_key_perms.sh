#!/bin/bash
# Private keys that others may read are refused (issue #17, observation 4):
# a SIG(0) .private at 0644 or an .hpke at 0666 stops --check-config and the
# start, naming the file and its mode; 0600 and 0640 (a group, for a
# daemon that reads its keys through it) are accepted. hsync-keygen takes
# only DNS names ("-" wrote ./-.hpke before), and no key file is committed
# at the top of the tree.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib_svc.sh"
svc_init
svc_conf >"$TMP/hsyncd.conf"

expect_refused() { # FILE MODE
	chmod "$2" "$1"
	"$BIN/hsyncd" -c "$TMP/hsyncd.conf" --check-config >/dev/null 2>"$TMP/err"
	local rc=$?
	[ $rc -eq 3 ] && grep -q "private key file '$1' has mode $2" "$TMP/err" &&
		ok "$(basename "$1") at $2 refused: $(cat "$TMP/err")" ||
		bad "$(basename "$1") at $2: exit $rc, '$(cat "$TMP/err")'"
}
expect_accepted() { # FILE MODE
	chmod "$2" "$1"
	"$BIN/hsyncd" -c "$TMP/hsyncd.conf" --check-config >/dev/null 2>"$TMP/err" &&
		ok "$(basename "$1") at $2 accepted" || bad "$(basename "$1") at $2: $(cat "$TMP/err")"
}

expect_refused "$KEY" 0644
expect_refused "$KEY" 0604
expect_refused "$KEY" 0660
expect_accepted "$KEY" 0640
expect_accepted "$KEY" 0600
expect_refused "$HPKE" 0666
expect_refused "$HPKE" 0644
expect_accepted "$HPKE" 0640
expect_accepted "$HPKE" 0600

# the start refuses it too, before anything is opened
chmod 0644 "$KEY"
timeout 10 "$BIN/hsyncd" -c "$TMP/hsyncd.conf" -f >/dev/null 2>"$TMP/err" # bounded: it must not start
rc=$?
[ $rc -eq 3 ] && grep -q "has mode 0644" "$TMP/err" && [ ! -e "$TMP/store.db" ] &&
	ok "start refused, no store created" || bad "start: exit $rc, $(cat "$TMP/err")"
chmod 0600 "$KEY"

# hsync-keygen: names that are not DNS names
cd "$TMP" || exit 1
for name in - -x.test "a..b" "a b" "../x" "-"; do
	"$BIN/hsync-keygen" hpke --name "$name" >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] && ok "hpke --name '$name': exit 2" || bad "hpke --name '$name': exit $rc"
	"$BIN/hsync-keygen" sig0 --name "$name" >/dev/null 2>&1
	rc=$?
	[ $rc -eq 2 ] && ok "sig0 --name '$name': exit 2" || bad "sig0 --name '$name': exit $rc"
done
ls -a "$TMP" | grep -q '^-' && bad "a file named '-...' was written" || ok "no '-*' file written"
"$BIN/hsync-keygen" hpke --name ok-name_1.test >/dev/null 2>&1 && [ "$(stat -c %a ok-name_1.test.hpke)" = 600 ] &&
	ok "a good name still works (0600)" || bad "good name refused"
cd "$SVC_ROOT" || exit 1
if git -C "$SVC_ROOT" rev-parse >/dev/null 2>&1; then
	[ -z "$(git -C "$SVC_ROOT" ls-files -- '*.hpke' '*.private' ':!tests/*')" ] &&
		ok "no private key committed outside tests/" ||
		bad "committed keys: $(git -C "$SVC_ROOT" ls-files -- '*.hpke' '*.private' ':!tests/*')"
fi
svc_finish
