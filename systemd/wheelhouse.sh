#!/usr/bin/env bash
# Make a wheelhouse: calmkit's Python packages as wheels in one directory, at the versions pinned
# in systemd/constraints.txt, for `install.sh --wheelhouse DIR` on a machine with no network.
#
#   systemd/wheelhouse.sh DIR                 wheels for this machine
#   systemd/wheelhouse.sh --arch arm64 DIR    wheels for a Raspberry Pi (64-bit) from any machine
#
# Needs network (PyPI) and a python3 with pip; the target's Python must be 3.11 (Bookworm's),
# as wheels are made per Python version.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly SRC
readonly CONSTRAINTS=$SRC/systemd/constraints.txt
ARCH=""
PYTHON=${PYTHON:-python3}

usage() { echo "Usage: $0 [--arch amd64|arm64] DIR" >&2; }
while (($#)); do
  case $1 in
    --arch) [[ $# -ge 2 ]] || { usage; exit 2; }; ARCH=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "wheelhouse.sh: unknown option '$1'" >&2; usage; exit 2 ;;
    *) break ;;
  esac
done
[[ $# -eq 1 ]] || { usage; exit 2; }
DIR=$1
mkdir -p "$DIR"

# Every pinned package (the constraints file lists exactly what is needed, build tool included).
mapfile -t pins < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$CONSTRAINTS")
platform=()
case $ARCH in
  "") ;;
  amd64) platform=(--platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64) ;;
  arm64) platform=(--platform manylinux2014_aarch64 --platform manylinux_2_17_aarch64) ;;
  *) echo "wheelhouse.sh: --arch amd64 or arm64, not '$ARCH'" >&2; exit 2 ;;
esac
if ((${#platform[@]})); then
  platform+=(--python-version 3.11 --implementation cp --only-binary=:all:)
fi
"$PYTHON" -m pip download --quiet --disable-pip-version-check --dest "$DIR" \
  "${platform[@]}" --constraint "$CONSTRAINTS" "${pins[@]}"
echo "wheelhouse.sh: $(find "$DIR" -name '*.whl' | wc -l) wheels in $DIR"
