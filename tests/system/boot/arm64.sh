#!/usr/bin/env bash
# The arm64 part of the system test (a Raspberry Pi runs arm64), as far as this machine allows.
#
#   sudo tests/system/boot/arm64.sh
#
# 1. the pinned Python packages resolve as arm64 wheels for Python 3.11 (systemd/wheelhouse.sh);
# 2. the Debian packages install.sh needs resolve for arm64 (debootstrap's first stage, which
#    downloads and unpacks without running anything);
# 3. only with a binfmt_misc handler for aarch64 (qemu-user-static): debootstrap's second stage,
#    install.sh, `calmkit doctor` and `calmkit play box --fast` in the tree. Without one it says
#    SKIP: nothing is pretended.
# Exit status: 0 all that could run passed, 1 a failure, 3 no network.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
work=$(mktemp -d /var/tmp/calmkit-arm64.XXXXXX)
trap 'rm -rf "$work"' EXIT
status=0
# The version of a package debootstrap fetched: name_VERSION_arm64.deb in the apt cache.
fetched() {
  local debs=("$work/tree/var/cache/apt/archives/$1"_*_arm64.deb)
  local name=${debs[0]##*/}
  name=${name#"$1"_}
  printf '%s' "${name%_arm64.deb}"
}

if PYTHON=$PYTHON "$REPO/systemd/wheelhouse.sh" --arch arm64 "$work/wheels" >"$work/wheels.log" 2>&1; then
  wheels=("$work"/wheels/*.whl)
  echo "PASS arm64 wheels resolve: ${wheels[*]##*/}"
else
  tail -5 "$work/wheels.log"
  echo "FAIL arm64 wheels do not resolve (or PyPI cannot be reached)"
  exit 3
fi

mirror=()
[[ -n ${DEBIAN_MIRROR:-} ]] && mirror=("$DEBIAN_MIRROR")
t0=$SECONDS
if debootstrap --foreign --arch=arm64 --variant=minbase \
    --include=systemd,systemd-sysv,dbus,python3,python3-venv,alsa-utils,espeak-ng bookworm "$work/tree" \
    "${mirror[@]}" >"$work/debootstrap.log" 2>&1; then
  echo "PASS arm64 Debian packages resolve and unpack (first stage, $((SECONDS - t0)) s):" \
    "python3.11 $(fetched python3.11), alsa-utils $(fetched alsa-utils), espeak-ng $(fetched espeak-ng)," \
    "python3-venv $(fetched python3-venv), systemd $(fetched systemd)"
else
  tail -5 "$work/debootstrap.log"
  echo "FAIL arm64 Debian packages (debootstrap's first stage)"
  exit 3
fi

if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
  reason="no binfmt_misc handler for aarch64 here"
  grep -qs binfmt_misc /proc/mounts || reason="binfmt_misc is not even mounted here"
  echo "SKIP arm64 install.sh, calmkit doctor, calmkit play box --fast: $reason (qemu-user-static)"
  exit $status
fi
cp "$(command -v qemu-aarch64-static)" "$work/tree/usr/bin/" 2>/dev/null || true
chroot "$work/tree" /debootstrap/debootstrap --second-stage >"$work/second.log" 2>&1 \
  || { tail -5 "$work/second.log"; echo "FAIL arm64 debootstrap second stage"; exit 1; }
nspawn=(systemd-nspawn --quiet --register=no --keep-unit -D "$work/tree")
if "${nspawn[@]}" --bind-ro="$REPO:/src/calmkit" --bind-ro="$work/wheels:/src/wheelhouse" \
    bash /src/calmkit/systemd/install.sh --wheelhouse /src/wheelhouse >"$work/install.log" 2>&1; then
  echo "PASS arm64 install.sh --wheelhouse"
else
  tail -10 "$work/install.log"; echo "FAIL arm64 install.sh"; exit 1
fi
for cmd in "doctor" "play box --fast"; do
  # shellcheck disable=SC2086 # the words of the command
  if "${nspawn[@]}" /opt/calmkit/venv/bin/calmkit $cmd >"$work/run.log" 2>&1; then
    echo "PASS arm64 calmkit $cmd"
  else
    tail -5 "$work/run.log"; echo "FAIL arm64 calmkit $cmd"; status=1
  fi
done
exit $status
