#!/bin/bash
# The man pages (issue #17): every program's page is generated from its own
# --help text (--help-man; the same `make man` and `make install` use) and
# hsyncd.conf(5) from the configuration schema (--help-config-man). Each
# page renders with groff without a warning and with `man -l`; every
# option --help lists is in the page; hsyncd --help-config and
# hsyncd.conf(5) list the same sections and options. Needs groff and man.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${HSYNC_BIN:-$HERE/../../build/bin}
for t in groff man; do
	command -v $t >/dev/null || { echo "skip: $t is not installed"; exit 77; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
checks=0
fails=0
ok() { checks=$((checks + 1)); echo "ok   $*"; }
bad() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL $*"; }

for b in "$BIN"/*; do
	n=$(basename "$b")
	if ! "$b" --help-man >"$TMP/$n.man" 2>"$TMP/err" || [ ! -s "$TMP/$n.man" ]; then
		bad "$n --help-man: $(cat "$TMP/err")"
		continue
	fi
	w=$(groff -man -Tutf8 -ww -z "$TMP/$n.man" 2>&1)
	[ -z "$w" ] && ok "$n: groff without warnings" || bad "$n: groff: $w"
	MANWIDTH=80 man -l "$TMP/$n.man" 2>"$TMP/err" | col -bx >"$TMP/$n.txt"
	if grep -q "^NAME" "$TMP/$n.txt" && grep -q "^SYNOPSIS" "$TMP/$n.txt" &&
		grep -qE "^ +$n +- " "$TMP/$n.txt" && [ ! -s "$TMP/err" ]; then
		ok "$n: man -l renders NAME, SYNOPSIS ($(wc -l <"$TMP/$n.txt") lines)"
	else
		bad "$n: man -l: $(head -5 "$TMP/$n.txt") $(cat "$TMP/err")"
	fi
	# every long option of --help (and of each subcommand's) is in the page
	{
		"$b" --help 2>/dev/null
		for sub in $("$b" --help 2>/dev/null | sed -n '/^Commands:/,$p' | awk '/^  [a-z]/ {print $1}'); do
			"$b" "$sub" --help 2>/dev/null
		done
	} | grep -oE '(^|[ ,[])--[a-z][a-z0-9-]+' | sed 's/^[ ,[]//' | sort -u >"$TMP/$n.opts"
	missing=""
	while read -r o; do
		grep -qF -- "$o" "$TMP/$n.txt" || missing="$missing $o"
	done <"$TMP/$n.opts"
	[ -z "$missing" ] && ok "$n: all $(wc -l <"$TMP/$n.opts") long options of --help are in the page" ||
		bad "$n: not in the page:$missing"
done

# hsyncd.conf(5) and --help-config: the same sections and options
"$BIN/hsyncd" --help-config-man >"$TMP/hsyncd.conf.5"
w=$(groff -man -Tutf8 -ww -z "$TMP/hsyncd.conf.5" 2>&1)
[ -z "$w" ] && ok "hsyncd.conf.5: groff without warnings" || bad "hsyncd.conf.5: $w"
MANWIDTH=80 man -l "$TMP/hsyncd.conf.5" 2>/dev/null | col -bx >"$TMP/conf.txt"
grep -qE "^ +hsyncd.conf +- +configuration file of hsyncd" "$TMP/conf.txt" && ok "hsyncd.conf(5) renders" ||
	bad "hsyncd.conf(5): $(head -5 "$TMP/conf.txt")"
"$BIN/hsyncd" --help-config | awk '
	/^[a-z0-9-]+:/ { sec = $1; sub(":", "", sec); next }
	/^    [a-z0-9-]+:/ { opt = $1; sub(":", "", opt); print sec "." opt }' | sort >"$TMP/help.list"
awk '
	/^\.SS "/ { sec = $2; gsub(/[":]/, "", sec); gsub(/\\-/, "-", sec); next }
	/^\.B / { opt = $2; sub(/:$/, "", opt); gsub(/\\-/, "-", opt); print sec "." opt }' \
	"$TMP/hsyncd.conf.5" | sort >"$TMP/man.list"
if [ -s "$TMP/help.list" ] && cmp -s "$TMP/help.list" "$TMP/man.list"; then
	ok "--help-config and hsyncd.conf(5) list the same $(wc -l <"$TMP/help.list") options"
else
	bad "option lists differ: $(diff "$TMP/help.list" "$TMP/man.list" | head -10)"
fi
while read -r so; do
	grep -q "^       ${so#*.}:" "$TMP/conf.txt" || bad "rendered page lacks ${so}"
done <"$TMP/help.list"
ok "every option is in the rendered page"

echo "checks: $checks"
[ $fails -eq 0 ] || { echo "$fails failed"; exit 1; }
exit 0
