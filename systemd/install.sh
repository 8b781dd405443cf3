#!/usr/bin/env bash
# Install calmkit as a boot-time service on a Raspberry Pi (Raspberry Pi OS Bookworm or later).
#
#   sudo systemd/install.sh              from a checkout; safe to run again (it upgrades)
#   sudo systemd/install.sh --wheelhouse DIR   Python packages from DIR only (a Pi offline;
#                                        make DIR elsewhere with systemd/wheelhouse.sh)
#   systemd/install.sh --root DIR        lay out the unit and config under DIR only (tests)
#   systemd/install.sh --dry-run         print every step, change nothing
#
# An image build runs this script INSIDE the image's tree (chroot or systemd-nspawn, no running
# systemd): it then enables the unit for the first boot. `make systemtest` does exactly that and
# boots the result. --root DIR does NOT make a bootable tree (no user, venv or packages).
#
# What it does, each step skipped when already done:
#   1. apt: python3-venv, alsa-utils (libasound, which SDL's sound needs, and aplay),
#      espeak-ng (reads the person's own safety plan aloud, and renders voice packs in other
#      languages: `calmkit voices render`; the English prompts ship as WAVs), and
#      python3-lgpio where the package lists have it (the Raspberry Pi archive; its PyPI wheel
#      is a broken placeholder on newer Pythons). apt-get update only when a package is missing
#      and cannot be installed without.
#   2. a system user `calmkit` (no login shell, home /var/lib/calmkit) in the groups gpio, audio
#      and i2c; the I2C bus turned on where it can be (a wearable's haptic driver and battery
#      gauge are on it): raspi-config nonint do_i2c 0, else dtparam=i2c_arm=on in config.txt
#   3. a venv /opt/calmkit/venv with --system-site-packages, and calmkit from this checkout in it,
#      with the versions pinned in systemd/constraints.txt (what was tested)
#   4. /etc/calmkit/calmkit.yaml (0640 root:calmkit: it can hold personal words) from
#      config/calmkit.yaml, only when there is none yet
#   5. /etc/systemd/system/calmkit.service; daemon-reload, enable, (re)start
#
# Undo it with systemd/uninstall.sh (the journal in /var/lib/calmkit is kept unless --purge).
set -euo pipefail

readonly NAME=calmkit
readonly PREFIX=/opt/calmkit
readonly VENV=$PREFIX/venv
readonly CONFIG_DIR=/etc/calmkit
readonly UNIT_DIR=/etc/systemd/system
readonly STATE_DIR=/var/lib/calmkit
readonly GROUPS_NEEDED=(gpio audio i2c)
# The I2C bus 1 device, and the Raspberry Pi's boot config that turns it on.
readonly I2C_DEVICE=/dev/i2c-1
readonly BOOT_CONFIG=/boot/firmware/config.txt
readonly APT_PACKAGES=(python3-venv alsa-utils espeak-ng)
# Installed when the package lists know it; without it calmkit runs on mock pins.
readonly APT_OPTIONAL=(python3-lgpio)
# pyproject.toml's requires-python (tests/system/test_install.py holds the two together).
readonly PYTHON_MIN=3.11

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly SRC
readonly CONSTRAINTS=$SRC/systemd/constraints.txt
ROOT=${DESTDIR:-}
WHEELHOUSE=""
ROOT_GIVEN=0
DRY_RUN=0
SYSTEMCTL=1
APT=1

usage() {
  cat <<EOF
Usage: sudo $0 [--wheelhouse DIR] [--root DIR] [--dry-run] [--no-systemctl] [--no-apt]

Installs calmkit from this checkout ($SRC) as the systemd service calmkit.service.

  --wheelhouse DIR  install the Python packages from the wheels in DIR only, no network
                  (make DIR on a machine with network: systemd/wheelhouse.sh DIR)
  --root DIR      lay out only the files (unit, config) under DIR, not a bootable install: the
                  steps that act on a machine (apt, the user, the venv, systemctl start) are
                  printed and skipped, and the unit is enabled with systemctl --root. For an
                  image, run this script inside the image's tree instead. \$DESTDIR works too.
                  DIR may not be empty or /.
  --dry-run       print what would be done, change nothing
  --no-systemctl  install everything but do not reload, enable or start the service
  --no-apt        do not run apt-get (the packages are already there)
  -h, --help      this text

Then:  systemctl status calmkit      journalctl -u calmkit -f
EOF
}

while (($#)); do
  case $1 in
    --root)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      ROOT=$2
      ROOT_GIVEN=1
      shift 2
      ;;
    --root=*) ROOT=${1#--root=}; ROOT_GIVEN=1; shift ;;
    --wheelhouse)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      WHEELHOUSE=$2
      shift 2
      ;;
    --wheelhouse=*) WHEELHOUSE=${1#--wheelhouse=}; shift ;;
    --dry-run|-n) DRY_RUN=1; shift ;;
    --no-systemctl) SYSTEMCTL=0; shift ;;
    --no-apt) APT=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

# An empty --root or / would be the machine itself with its steps skipped: refuse both.
if ((ROOT_GIVEN)) || [[ -n $ROOT ]]; then
  [[ -n $ROOT ]] || { echo "install.sh: --root needs a directory; for this machine leave it out" >&2; exit 2; }
  # Resolved (.., symlinks): --root /tmp/.. is / as well.
  ROOT=$(realpath -m -- "$ROOT")
  [[ $ROOT != / ]] || { echo "install.sh: --root / is this machine: leave --root out" >&2; exit 2; }
fi
if [[ -n $WHEELHOUSE ]]; then
  [[ $WHEELHOUSE == /* ]] || WHEELHOUSE=$PWD/$WHEELHOUSE
  [[ -d $WHEELHOUSE ]] || { echo "install.sh: --wheelhouse $WHEELHOUSE: no such directory" >&2; exit 2; }
fi

say() { printf '%s\n' "$*"; }
warn() { printf 'install.sh: warning: %s\n' "$*" >&2; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

# Run a command that changes something; under --dry-run only show it.
run() {
  printf '  +'
  printf ' %q' "$@"
  printf '\n'
  ((DRY_RUN)) || "$@"
}

# Run a command that changes this machine itself (packages, users, services): never under --root.
host() {
  if [[ -n $ROOT ]]; then
    printf '  - skipped under --root:'
    printf ' %q' "$@"
    printf '\n'
  else
    run "$@"
  fi
}

# ---- checks -----------------------------------------------------------------------------------
[[ -f $SRC/pyproject.toml && -f $SRC/systemd/calmkit.service && -f $SRC/config/calmkit.yaml ]] \
  || die "run me from a calmkit checkout (no pyproject.toml, systemd/ or config/ under $SRC)"
if [[ -z $ROOT ]] && ((!DRY_RUN)) && ((EUID != 0)); then
  die "run me as root:  sudo $0   (or try --dry-run, or --root DIR)"
fi

# ---- 1. Debian packages -----------------------------------------------------------------------
say "1/5 Debian packages: ${APT_PACKAGES[*]} (and ${APT_OPTIONAL[*]} where available)"
installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }
# Whether the package lists (as they are now, no update) offer a version of the package.
known() { apt-cache policy "$1" 2>/dev/null | grep -q '^ *Candidate: [^(]'; }
if ((!APT)); then
  say "  - skipped (--no-apt)"
elif [[ -n $ROOT ]]; then
  host apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}" "${APT_OPTIONAL[@]}"
elif ! command -v apt-get >/dev/null; then
  warn "no apt-get here: install ${APT_PACKAGES[*]} (and ${APT_OPTIONAL[*]}) yourself"
else
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
  optional=()
  for pkg in "${APT_OPTIONAL[@]}"; do installed "$pkg" || optional+=("$pkg"); done
  export DEBIAN_FRONTEND=noninteractive
  updated=0
  if ((${#missing[@]})); then
    # Try without a (slow) index update first; update once and retry only if that fails.
    if ! run apt-get install -y --no-install-recommends "${missing[@]}"; then
      run apt-get update
      updated=1
      run apt-get install -y --no-install-recommends "${missing[@]}" \
        || die "could not install ${missing[*]}"
    fi
  fi
  # An optional package is never a reason to update: python3-lgpio is in the Raspberry Pi
  # archive only, and elsewhere it would cost an update on every run.
  for pkg in "${optional[@]}"; do
    if known "$pkg"; then
      run apt-get install -y --no-install-recommends "$pkg" \
        || warn "could not install $pkg: calmkit will use mock pins"
    else
      warn "no $pkg in the package lists$( ((updated)) || echo ' (not updated)'): calmkit will use mock pins"
    fi
  done
  ((${#missing[@]} + ${#optional[@]})) || say "  already installed"
fi

# ---- 2. the service user ----------------------------------------------------------------------
say "2/5 system user '$NAME' in groups ${GROUPS_NEEDED[*]}"
for group in "${GROUPS_NEEDED[@]}"; do
  if [[ -z $ROOT ]] && ! getent group "$group" >/dev/null; then
    # Raspberry Pi OS has both. Without the group the unit's SupplementaryGroups= would stop it
    # from starting at all (status 216/GROUP), so create an empty one.
    warn "there is no '$group' group (not Raspberry Pi OS?): creating it"
    host groupadd --system "$group"
  fi
done
groups_csv=$(IFS=,; echo "${GROUPS_NEEDED[*]}")
if [[ -z $ROOT ]] && id -u "$NAME" >/dev/null 2>&1; then
  missing_groups=()
  for group in "${GROUPS_NEEDED[@]}"; do
    id -nG "$NAME" | tr ' ' '\n' | grep -qx "$group" || missing_groups+=("$group")
  done
  if ((${#missing_groups[@]})); then
    host usermod --append --groups "$(IFS=,; echo "${missing_groups[*]}")" "$NAME"
  else
    say "  already there"
  fi
else
  nologin=/usr/sbin/nologin
  [[ -x $nologin ]] || nologin=/sbin/nologin
  host useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
    --shell "$nologin" --groups "$groups_csv" --comment "calmkit bedside appliance" "$NAME"
fi

# ---- 2b. the I2C bus ---------------------------------------------------------------------------
# A wearable's DRV2605L and MAX17048 are on I2C bus 1, which Raspberry Pi OS leaves off.
if [[ -n $ROOT ]]; then
  say "  - I2C: not turned on under --root"
elif [[ -e $I2C_DEVICE ]]; then
  say "  I2C: on already ($I2C_DEVICE)"
elif command -v raspi-config >/dev/null; then
  host raspi-config nonint do_i2c 0
  say "  I2C: turned on with raspi-config (for a wearable's haptic driver and battery gauge)"
elif [[ -f $BOOT_CONFIG ]]; then
  if grep -qx 'dtparam=i2c_arm=on' "$BOOT_CONFIG"; then
    say "  I2C: dtparam=i2c_arm=on is in $BOOT_CONFIG already: on after the next reboot"
  else
    run sh -c "printf '%s\\n' dtparam=i2c_arm=on >> '$BOOT_CONFIG'"
    say "  I2C: dtparam=i2c_arm=on added to $BOOT_CONFIG: on after the next reboot"
  fi
else
  say "  I2C: no raspi-config and no $BOOT_CONFIG (not a Raspberry Pi?): left as it is"
fi

# ---- 3. the venv and calmkit in it ------------------------------------------------------------
say "3/5 venv $VENV with calmkit from $SRC"
# Pinned versions (what was tested); PIP_CONSTRAINT reaches pip's isolated build step too.
pip_args=(--disable-pip-version-check --no-cache-dir --constraint "$CONSTRAINTS")
if [[ -n $WHEELHOUSE ]]; then
  pip_args+=(--no-index --find-links "$WHEELHOUSE")
  say "  Python packages from $WHEELHOUSE only"
fi
if [[ -n $ROOT ]]; then
  # A venv is not relocatable: one built under a scratch root would point into it.
  host python3 -m venv --system-site-packages "$VENV"
  host "$VENV/bin/python" -m pip install "${pip_args[@]}" --upgrade "$SRC"
else
  python3 -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$PYTHON_MIN'.split('.'))))" \
    || die "calmkit needs Python $PYTHON_MIN or newer; python3 here is $(python3 -V 2>&1)"
  if [[ -x $VENV/bin/python ]]; then
    say "  venv already there"
  else
    run mkdir -p "$PREFIX"
    run python3 -m venv --system-site-packages "$VENV"
  fi
  # Build from a clean copy, so that pip (as root) leaves no build/ or root-owned egg-info behind
  # in the checkout. The copy includes uncommitted changes, unlike git archive.
  if ((DRY_RUN)); then
    build=/tmp/calmkit-build.XXXXXX
  else
    build=$(mktemp -d)
    trap 'rm -rf "$build"' EXIT
  fi
  run tar -C "$SRC" --exclude=.git --exclude=.venv --exclude=build --exclude='*.egg-info' \
    --exclude=__pycache__ --exclude=.pytest_cache --exclude=.ruff_cache -cf "$build/src.tar" .
  run tar -C "$build" -xf "$build/src.tar"
  # A local directory is always reinstalled, so a second run upgrades calmkit to this checkout.
  run env PIP_CONSTRAINT="$CONSTRAINTS" "$VENV/bin/python" -m pip install --quiet \
    "${pip_args[@]}" --upgrade "$build"
fi

# `calmkit doctor` and the other commands on PATH: a link to the venv's calmkit, made only where
# nothing else is (a calmkit of another install is never replaced).
readonly LINK=/usr/local/bin/calmkit
if [[ -L $ROOT$LINK && $(readlink -- "$ROOT$LINK") == "$VENV/bin/calmkit" ]]; then
  say "  $LINK already links to the venv"
elif [[ -e $ROOT$LINK || -L $ROOT$LINK ]]; then
  warn "$LINK is something else: kept; run $VENV/bin/calmkit instead"
else
  host ln -s "$VENV/bin/calmkit" "$LINK"
fi

# ---- 4. the config ----------------------------------------------------------------------------
# 0640 root:calmkit: the service reads it, other users do not (a reach-out message is personal).
say "4/5 config $CONFIG_DIR/calmkit.yaml"
owner=(-o root -g "$NAME")
# Under --root (files for a test, often not as root) the owner is left to the caller.
[[ -z $ROOT ]] || owner=()
if [[ -e $ROOT$CONFIG_DIR/calmkit.yaml ]]; then
  say "  kept the one already there (the packaged defaults are in $SRC/config/calmkit.yaml)"
  if (($(stat -c '0%a' "$ROOT$CONFIG_DIR/calmkit.yaml") & 07)); then
    # One from an earlier install (0644): other users may no longer read it; the service's group
    # may (on the machine: under --root the owner is left to the caller, as above).
    [[ -n $ROOT ]] || run chgrp "$NAME" "$CONFIG_DIR/calmkit.yaml"
    run chmod o= "$ROOT$CONFIG_DIR/calmkit.yaml"
  fi
else
  run install -d -m 0755 "$ROOT$CONFIG_DIR"
  run install -m 0640 "${owner[@]}" "$SRC/config/calmkit.yaml" "$ROOT$CONFIG_DIR/calmkit.yaml"
fi

# ---- 5. the unit ------------------------------------------------------------------------------
say "5/5 unit $UNIT_DIR/calmkit.service"
run install -d -m 0755 "$ROOT$UNIT_DIR"
run install -m 0644 "$SRC/systemd/calmkit.service" "$ROOT$UNIT_DIR/calmkit.service"
# A growing wait between restarts needs systemd 254 or newer (Bookworm has 252).
systemd_version=$(systemctl --version 2>/dev/null | sed -n '1s/^systemd \([0-9]*\).*/\1/p' || true)
if ((${systemd_version:-0} >= 254)); then
  run install -d -m 0755 "$ROOT$UNIT_DIR/calmkit.service.d"
  run install -m 0644 "$SRC/systemd/backoff.conf" "$ROOT$UNIT_DIR/calmkit.service.d/backoff.conf"
fi
if ((!SYSTEMCTL)); then
  say "  - not reloading, enabling or starting it (--no-systemctl)"
elif [[ -n $ROOT ]]; then
  if command -v systemctl >/dev/null; then
    run systemctl --root="$ROOT" --quiet enable calmkit.service
  else
    say "  - no systemctl here: not enabling calmkit.service under $ROOT"
  fi
elif [[ ! -d /run/systemd/system ]]; then
  # A chroot (an image build) or a container: enable for the next boot, start nothing.
  run systemctl enable calmkit.service
  say "  systemd is not running here: calmkit starts at the next boot"
else
  run systemctl daemon-reload
  run systemctl enable calmkit.service
  # restart, not start: a second run must pick up the new code. Type=notify: this waits for
  # READY=1, so a calmkit that cannot start is reported here.
  if ! run systemctl restart calmkit.service; then
    say ""
    systemctl --no-pager status calmkit.service || true
    die "calmkit did not start. Look at:  journalctl -u calmkit -b"
  fi
fi

say ""
if [[ -n $ROOT ]]; then
  say "calmkit's files are laid out under $ROOT."
elif ((DRY_RUN)); then
  say "Dry run: nothing was changed."
else
  say "calmkit is installed and starts at boot. Check it with:"
  say "  systemctl status calmkit         is it running? (its status line says what it is doing)"
  say "  journalctl -u calmkit -f         its log, as it happens"
  say "Settings: $CONFIG_DIR/calmkit.yaml (then: sudo systemctl restart calmkit)"
fi
