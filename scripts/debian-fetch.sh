#!/usr/bin/env bash
# debian-fetch.sh SUITE DESTDIR PACKAGE...: download the .deb files of
# PACKAGEs from Debian's SUITE (trixie, bookworm-backports, ...) into DESTDIR,
# through a private apt configuration: its own sources file, package lists
# and cache in a temp dir. The system's sources, lists and installed packages
# are not touched, and nothing is installed. The Release files are verified
# with debian-archive-keyring, as apt always does. Dependencies are not
# fetched: the callers unpack what they need with `dpkg-deb -x`.
set -euo pipefail

say() { printf 'debian-fetch: %s\n' "$*"; }
die() { printf 'debian-fetch: ERROR: %s\n' "$*" >&2; exit 1; }

[ $# -ge 3 ] || die "usage: debian-fetch.sh SUITE DESTDIR PACKAGE..."
SUITE="$1"
DEST="$2"
shift 2
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

command -v apt-get >/dev/null 2>&1 || die "apt-get is needed"
command -v dpkg-deb >/dev/null 2>&1 || die "dpkg-deb is needed to unpack Debian packages"
# bookworm's debian-archive-keyring (2023.3+deb12u1 and later) holds the
# trixie archive keys too, so every suite used here is verified as usual.
[ -r "$KEYRING" ] || die "$KEYRING is missing; it is needed to verify Debian $SUITE's packages"

APTDIR="$(mktemp -d "${TMPDIR:-/tmp}/debian-fetch.XXXXXX")"
trap 'rm -rf "$APTDIR"' EXIT
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$DEST"
cat >"$APTDIR/$SUITE.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $SUITE
Components: main
Targets: Packages
Signed-By: $KEYRING
SOURCES

APT_OPTS=(
	-o "Dir::Etc::SourceList=$APTDIR/$SUITE.sources"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$APTDIR/lists"
	-o "Dir::Cache=$APTDIR/cache"
	-o "Dir::Cache::pkgcache=$APTDIR/cache/pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=$APTDIR/cache/srcpkgcache.bin"
	-o "Acquire::Languages=none"
)
# As root, apt downloads as the _apt user, who cannot write into our private
# 0700 temp dir: keep the download as the current user.
if [ "$(id -u)" -eq 0 ]; then
	APT_OPTS+=(-o "APT::Sandbox::User=root")
fi

say "apt-get update (private $SUITE lists in $APTDIR)"
apt-get "${APT_OPTS[@]}" -q update >"$APTDIR/update.log" 2>&1 || {
	cat "$APTDIR/update.log" >&2
	die "apt-get update for Debian $SUITE failed"
}
if grep -E '^(W|E): ' "$APTDIR/update.log" >&2; then
	die "apt-get update for Debian $SUITE reported the problems above"
fi

for pkg in "$@"; do
	version="$(apt-cache "${APT_OPTS[@]}" policy "$pkg" | awk '/Candidate:/ {print $2}')"
	if [ -z "$version" ] || [ "$version" = "(none)" ]; then
		die "Debian $SUITE's package lists have no $pkg"
	fi
	say "downloading $pkg $version ($SUITE)"
done
(cd "$DEST" && apt-get "${APT_OPTS[@]}" -q download "$@" >"$APTDIR/download.log" 2>&1) || {
	cat "$APTDIR/download.log" >&2
	die "apt-get download $* ($SUITE) failed"
}
