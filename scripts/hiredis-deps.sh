#!/usr/bin/env bash
# hiredis-deps.sh: make hiredis >= 1.0 (headers, static library, pkg-config file)
# available for `go build -tags hiredis`.
#
#   1. A hiredis >= 1.0 already known to pkg-config (Debian 13, Ubuntu 24.04,
#      Fedora, Homebrew, ...) is used as it is.
#   2. On an apt system whose own libhiredis-dev is >= 1.0 but not installed,
#      that package is installed.
#   3. Otherwise (Debian 12 ships 0.14.1, RESP2 only) cmd/duoredis-hiredis (the
#      tool that users of the module run too: see build_tags.md) downloads
#      Debian 13 (trixie)'s own libhiredis-dev package through a private apt
#      configuration (its own sources file, package lists and cache in a temp
#      dir; the system's sources, lists and installed packages are not
#      touched) and unpacks it with `dpkg-deb -x` into the git-ignored prefix
#      hiredis/.prefix/:
#
#        hiredis/.prefix/include/hiredis/*.h
#        hiredis/.prefix/lib/libhiredis.a       (static only: no .so at run time)
#        hiredis/.prefix/lib/pkgconfig/hiredis.pc  (relocatable: ${pcfiledir})
#
#      The Makefile puts hiredis/.prefix/lib/pkgconfig first on PKG_CONFIG_PATH.
#
# Running it again is quick and changes nothing. Any failure stops it with a
# message saying what went wrong.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/hiredis/.prefix"
PCDIR="$PREFIX/lib/pkgconfig"
MIN_VERSION=1.0
SUITE=trixie

say() { printf 'hiredis-deps: %s\n' "$*"; }
die() { printf 'hiredis-deps: ERROR: %s\n' "$*" >&2; exit 1; }

command -v pkg-config >/dev/null 2>&1 ||
	die "pkg-config is not installed (apt-get install pkg-config)"

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi

GO=go
command -v "$GO" >/dev/null 2>&1 || GO=/usr/local/go/bin/go
command -v "$GO" >/dev/null 2>&1 || [ -x "$GO" ] || die "go is not installed"

prefix_ok() {
	[ -f "$PREFIX/lib/libhiredis.a" ] && [ -f "$PREFIX/include/hiredis/read.h" ] &&
		PKG_CONFIG_PATH="$PCDIR" pkg-config --atleast-version="$MIN_VERSION" hiredis 2>/dev/null
}

# verify builds and runs a tiny cgo program against the hiredis that
# pkg-config finds with PKG_CONFIG_PATH as given: cmd/duoredis-hiredis -check
# (the same check the tool runs after it installs), with $GO's own bin
# directory first on PATH, as the tool builds with the go it finds there.
verify() {
	local goroot
	goroot="$("$GO" env GOROOT)" || return 1
	if ! (cd "$ROOT" && PATH="$goroot/bin:$PATH" CGO_ENABLED=0 GOFLAGS='' "$GO" run ./cmd/duoredis-hiredis -check); then
		printf 'hiredis-deps: ERROR: the cgo hiredis check failed (pkg-config: %s)\n' \
			"$(pkg-config --cflags --libs hiredis 2>&1)" >&2
		return 1
	fi
}

report() {
	say "pkg-config: hiredis $(pkg-config --modversion hiredis): $(pkg-config --cflags --libs hiredis)"
}

# --- 1. the prefix made by an earlier run -----------------------------------
if [ -d "$PREFIX" ]; then
	if prefix_ok; then
		say "hiredis $(PKG_CONFIG_PATH="$PCDIR" pkg-config --modversion hiredis) is already in $PREFIX; nothing to do"
		exit 0
	fi
	say "$PREFIX is incomplete; removing it and starting again"
	rm -rf "$PREFIX"
fi

# --- 2. a system hiredis >= 1.0 ---------------------------------------------
if pkg-config --atleast-version="$MIN_VERSION" hiredis 2>/dev/null; then
	say "system hiredis $(pkg-config --modversion hiredis) (>= $MIN_VERSION) found by pkg-config; nothing to do"
	exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
	die "hiredis >= $MIN_VERSION not found by pkg-config ($(pkg-config --modversion hiredis 2>/dev/null || echo none) found).
Install it with your package manager (dnf install hiredis-devel, brew install hiredis, ...)
or point PKG_CONFIG_PATH at a hiredis >= $MIN_VERSION build."

if pkg-config --exists hiredis 2>/dev/null; then
	say "system hiredis $(pkg-config --modversion hiredis) is too old (need >= $MIN_VERSION)"
fi

# The distribution's own libhiredis-dev, when it is new enough.
candidate="$(apt-cache policy libhiredis-dev 2>/dev/null | awk '/Candidate:/ {print $2}')"
if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] &&
	dpkg --compare-versions "$candidate" ge "$MIN_VERSION"; then
	say "installing the distribution's libhiredis-dev $candidate"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libhiredis-dev ||
		die "apt-get install libhiredis-dev failed"
	pkg-config --atleast-version="$MIN_VERSION" hiredis ||
		die "libhiredis-dev $candidate is installed but pkg-config does not report hiredis >= $MIN_VERSION"
	verify || exit 1
	report
	exit 0
fi

# --- 3. Debian trixie's libhiredis-dev into hiredis/.prefix ------------------
# cmd/duoredis-hiredis does it (the same tool that users of the module run
# from the module cache): apt with a private configuration, dpkg-deb -x, a
# relocatable hiredis.pc, and a cgo check build.
say "the distribution offers libhiredis-dev ${candidate:-(none)}; fetching Debian $SUITE's into $PREFIX"
(cd "$ROOT" && CGO_ENABLED=0 GOFLAGS='' "$GO" run ./cmd/duoredis-hiredis -suite "$SUITE" -prefix "$PREFIX" -force >/dev/null) ||
	die "could not install Debian $SUITE's hiredis into $PREFIX.
Install hiredis >= $MIN_VERSION another way and point PKG_CONFIG_PATH at it."
prefix_ok || {
	rm -rf "$PREFIX"
	die "pkg-config does not report hiredis >= $MIN_VERSION from $PCDIR"
}
export PKG_CONFIG_PATH="$PCDIR${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
report
say "done: hiredis $(pkg-config --modversion hiredis) in $PREFIX (PKG_CONFIG_PATH=$PCDIR)"
