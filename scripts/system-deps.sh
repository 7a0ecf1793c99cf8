#!/usr/bin/env bash
# system-deps.sh: install the system packages the tests and the hiredis build
# need (redis-server, redis-tools, redis-sentinel, pkg-config, a C compiler),
# with apt, and only those that are missing, so that a second run is quick.
set -euo pipefail

PACKAGES=(redis-server redis-tools redis-sentinel pkg-config gcc libc6-dev ca-certificates)

say() { printf 'system-deps: %s\n' "$*"; }
die() { printf 'system-deps: ERROR: %s\n' "$*" >&2; exit 1; }

if ! command -v apt-get >/dev/null 2>&1; then
	# Not a Debian-like system: check, and say what to install.
	missing=()
	for cmd in redis-server redis-cli redis-sentinel redis-benchmark pkg-config cc; do
		command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		die "no apt-get here; install these with your package manager: ${missing[*]}"
	fi
	say "no apt-get; redis, pkg-config and a C compiler are present"
	exit 0
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
	status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
	[ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
	say "already installed: ${PACKAGES[*]}"
	exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || die "not root and no sudo: cannot install ${missing[*]}"
	SUDO=(sudo)
fi

# Without systemd (a container) and without a policy-rc.d, redis-server's
# postinst would start a redis on port 6379 through its init script, and a
# failure to start would fail the install. The tests start their own servers,
# so for the time of this install a policy-rc.d refuses service starts (exit
# 101, Debian's documented "action forbidden"). An existing policy-rc.d, or a
# running systemd, is left alone.
POLICY=/usr/sbin/policy-rc.d
made_policy=
cleanup() {
	if [ -n "$made_policy" ]; then "${SUDO[@]}" rm -f "$POLICY"; fi
}
trap cleanup EXIT
if [ ! -e "$POLICY" ] && [ ! -d /run/systemd/system ]; then
	printf '#!/bin/sh\n# temporary, from scripts/system-deps.sh\nexit 101\n' |
		"${SUDO[@]}" tee "$POLICY" >/dev/null
	"${SUDO[@]}" chmod 755 "$POLICY"
	made_policy=1
fi

say "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q || die "apt-get update failed"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null ||
	die "apt-get install ${missing[*]} failed"

for cmd in redis-server redis-cli redis-sentinel redis-benchmark pkg-config gcc; do
	command -v "$cmd" >/dev/null 2>&1 || die "$cmd is still missing after the install"
done
say "installed: ${missing[*]} ($(redis-server --version | head -n1))"
