#!/usr/bin/env bash
# valkey-deps.sh: make a Valkey 8 server available for `make test-valkey`,
# which runs the client's tests against it as well as against redis-server.
#
#   1. A valkey-server on PATH is used as it is.
#   2. Otherwise, on an apt system, Debian's valkey-server, valkey-sentinel
#      and valkey-tools packages from bookworm-backports (Valkey 8.0) are
#      downloaded through a
#      private apt configuration (scripts/debian-fetch.sh: the system's
#      sources and packages are not touched) and unpacked into the
#      git-ignored .valkey/ at the repository root; the binary is
#      .valkey/usr/bin/valkey-server (and valkey-sentinel, and valkey-cli for
#      the cluster tests). It uses the same shared libraries as
#      Debian 12's redis-server (installed by system-deps.sh).
#
# It prints the path of the server binary last. Running it again is quick.
# Where neither works (no apt, not Debian, no network), it says so and ends
# without error, so that `make deps` still succeeds for the other targets:
# `make test-valkey` then skips its tests (and fails them under CI=true).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.valkey"
BIN="$PREFIX/usr/bin/valkey-server"
SUITE=bookworm-backports

say() { printf 'valkey-deps: %s\n' "$*"; }
die() { printf 'valkey-deps: ERROR: %s\n' "$*" >&2; exit 1; }
# giveup: no Valkey here, which only test-valkey needs.
giveup() {
	printf 'valkey-deps: WARNING: %s\n' "$*" >&2
	printf 'valkey-deps: no Valkey: make test-valkey will skip its tests (and fail them under CI=true)\n' >&2
	exit 0
}

runs() { "$1" --version >/dev/null 2>&1; }

if command -v valkey-server >/dev/null 2>&1; then
	say "using $(command -v valkey-server): $(valkey-server --version)"
	command -v valkey-server
	exit 0
fi
if [ -x "$BIN" ] && [ -x "$PREFIX/usr/bin/valkey-sentinel" ] && [ -x "$PREFIX/usr/bin/valkey-cli" ] && runs "$BIN"; then
	say "already in $PREFIX: $("$BIN" --version)"
	echo "$BIN"
	exit 0
fi
command -v apt-get >/dev/null 2>&1 ||
	giveup "no valkey-server on PATH and no apt-get here: install Valkey (8.x) with your package manager"
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ||
	giveup "no valkey-server on PATH, and this is not Debian (no debian-archive-keyring): install Valkey (8.x) with your package manager"

TMP="$(mktemp -d "${TMPDIR:-/tmp}/valkey-deps.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
"$ROOT/scripts/debian-fetch.sh" "$SUITE" "$TMP/debs" valkey-server valkey-sentinel valkey-tools ||
	giveup "could not fetch Valkey from Debian $SUITE"
new="$PREFIX.new.$$"
rm -rf "$new"
for deb in "$TMP"/debs/*.deb; do
	dpkg-deb -x "$deb" "$new" || die "dpkg-deb -x $deb failed"
done
# valkey-server is a symlink to valkey-check-rdb (valkey-tools): one binary.
for b in valkey-server valkey-sentinel valkey-cli; do
	[ -x "$new/usr/bin/$b" ] || die "the packages have no usr/bin/$b"
done
runs "$new/usr/bin/valkey-server" || {
	msg="$("$new/usr/bin/valkey-server" --version 2>&1 | head -3)"
	rm -rf "$new"
	giveup "the unpacked valkey-server does not run here: $msg"
}
rm -rf "$PREFIX"
mv "$new" "$PREFIX"
say "done: $("$BIN" --version)"
echo "$BIN"
