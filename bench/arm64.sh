#!/bin/bash
# calmkit on a Pi's userland without a Pi: Debian bookworm for arm64, run under qemu-user, gets
# this checkout's wheel with the pinned versions (systemd/constraints.txt), imports the chip
# drivers, plays a program on the wearable profile, runs doctor and the device tests.
#
#   sudo bash bench/arm64.sh [ROOT]     (ROOT: where the arm64 tree goes, /var/tmp/calmkit-arm64)
#
# Needs root, debootstrap, qemu-user-static and binfmt-support, with qemu-aarch64 enabled
# (update-binfmts --enable qemu-aarch64). The tree is kept and reused on the next run.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=${1:-/var/tmp/calmkit-arm64}
if [ ! -x "$root/usr/bin/python3" ]; then
  debootstrap --arch=arm64 --variant=minbase \
    --include=python3,python3-venv,python3-pip,ca-certificates bookworm "$root" \
    http://deb.debian.org/debian
fi
# this machine's certificate authorities (a proxy's among them) for pip inside the tree
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root/tmp/ck" && mkdir -p "$root/tmp/ck"
"$here/.venv/bin/python" -m pip wheel --quiet --no-deps -w "$root/tmp/ck" "$here"
cp "$here/systemd/constraints.txt" "$here/pyproject.toml" "$root/tmp/ck/"
cp -r "$here/tests" "$root/tmp/ck/tests"
inside() { chroot "$root" env HOME=/root SDL_AUDIODRIVER=dummy SDL_VIDEODRIVER=dummy "$@"; }
echo "-- $(inside uname -m), $(inside python3 --version)"
inside python3 -m venv --clear /opt/calmkit
wheel=$(cd "$root/tmp/ck" && ls calmkit-*.whl)
time inside /opt/calmkit/bin/pip install --quiet -c /tmp/ck/constraints.txt \
  "/tmp/ck/$wheel" pytest hypothesis
inside /opt/calmkit/bin/python -c '
import platform, drv2605, qwiic_max1704x, smbus2, gpiozero, pygame
print(platform.machine(), "imports: drv2605, qwiic_max1704x, smbus2", smbus2.__version__)'
inside /opt/calmkit/bin/calmkit play box --fast --config wearable | tail -3
inside /opt/calmkit/bin/calmkit doctor --config wearable
# the device tests, the wakes and the haptic patterns, on the installed wheel
inside sh -c 'cd /tmp/ck && /opt/calmkit/bin/python -m pytest -p no:cacheprovider \
  tests/devices tests/shell/test_wakes.py tests/core/test_haptics.py' | tail -4
