#!/usr/bin/env bash
# Unpack a Debian bookworm tree for the system test into DEST, building it with debootstrap on
# the first run and keeping it as a tarball, so that a rerun takes seconds.
#
#   tests/system/boot/tree.sh DEST [ARCH]       (as root; ARCH defaults to this machine's)
#
# The cache is $CALMKIT_SYSTEMTEST_CACHE (default ~/.cache/calmkit-systemtest). debootstrap uses
# its default mirror of Debian's package archive unless $DEBIAN_MIRROR names another.
# Exit status 3: the archive could not be reached (the caller skips the system test then).
set -euo pipefail

DEST=${1:?usage: tree.sh DEST [ARCH]}
ARCH=${2:-$(dpkg --print-architecture)}
CACHE=${CALMKIT_SYSTEMTEST_CACHE:-${HOME:-/root}/.cache/calmkit-systemtest}
# Everything the booted tree needs that install.sh does not bring itself.
readonly INCLUDE=systemd,systemd-sysv,dbus,python3,python3-venv
# What install.sh will ask apt for: downloaded into the tree's apt cache while the archive is
# reachable, so that installing into the tree later needs no network.
readonly PREFETCH=(alsa-utils espeak-ng)
TARBALL=$CACHE/bookworm-$ARCH-$(printf '%s' "$INCLUDE ${PREFETCH[*]}" | md5sum | cut -c1-8).tar

if [[ ! -f $TARBALL ]]; then
  command -v debootstrap >/dev/null || { echo "tree.sh: no debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  mkdir -p "$CACHE"
  build=$(mktemp -d "$CACHE/build.XXXXXX")
  trap 'rm -rf "$build"' EXIT
  mirror=()
  [[ -n ${DEBIAN_MIRROR:-} ]] && mirror=("$DEBIAN_MIRROR")
  if ! debootstrap --variant=minbase --arch="$ARCH" --include="$INCLUDE" bookworm \
      "$build/tree" "${mirror[@]}" >"$build/log" 2>&1; then
    tail -n 20 "$build/log" >&2
    if grep -qiE 'Failed getting release file|unable to fetch|could not resolve|temporary failure' "$build/log"; then
      echo "tree.sh: Debian's package archive could not be reached" >&2
      exit 3
    fi
    exit 1
  fi
  # Only the prefetched packages stay in the apt cache (debootstrap leaves its own there too).
  chroot "$build/tree" apt-get clean
  chroot "$build/tree" apt-get install -y -qq --download-only --no-install-recommends \
    "${PREFETCH[@]}" >/dev/null
  tar -C "$build/tree" --numeric-owner -cf "$TARBALL.part" .
  mv "$TARBALL.part" "$TARBALL"
fi
mkdir -p "$DEST"
tar -C "$DEST" --numeric-owner -xf "$TARBALL"
