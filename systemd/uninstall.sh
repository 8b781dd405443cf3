#!/usr/bin/env bash
# Remove what systemd/install.sh put in place.
#
#   sudo systemd/uninstall.sh            stop and disable the service; remove the unit, the venv
#                                        (/opt/calmkit) and the user; KEEP the journal
#                                        (/var/lib/calmkit) and the settings (/etc/calmkit)
#   sudo systemd/uninstall.sh --purge    remove those two as well
#   systemd/uninstall.sh --root DIR      the same on files laid out under DIR (tests)
#   systemd/uninstall.sh --dry-run       print every step, change nothing
#
# Safe to run again. The groups gpio and audio belong to the system and are left alone.
set -euo pipefail

readonly NAME=calmkit
readonly PREFIX=/opt/calmkit
readonly CONFIG_DIR=/etc/calmkit
readonly UNIT_DIR=/etc/systemd/system
readonly STATE_DIR=/var/lib/calmkit

ROOT=${DESTDIR:-}
ROOT_GIVEN=0
DRY_RUN=0
SYSTEMCTL=1
PURGE=0

usage() {
  cat <<EOF
Usage: sudo $0 [--purge] [--root DIR] [--dry-run] [--no-systemctl]

  --purge         also delete the session journal ($STATE_DIR) and the settings ($CONFIG_DIR)
  --root DIR      work on the files under DIR; the user is left alone (printed, skipped) and the
                  unit is disabled with systemctl --root. \$DESTDIR works too.
  --dry-run       print what would be done, change nothing
  --no-systemctl  do not stop, disable or reload through systemctl
  -h, --help      this text
EOF
}

while (($#)); do
  case $1 in
    --purge) PURGE=1; shift ;;
    --root)
      [[ $# -ge 2 ]] || { usage >&2; exit 2; }
      ROOT=$2
      ROOT_GIVEN=1
      shift 2
      ;;
    --root=*) ROOT=${1#--root=}; ROOT_GIVEN=1; shift ;;
    --dry-run|-n) DRY_RUN=1; shift ;;
    --no-systemctl) SYSTEMCTL=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "uninstall.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done

# An empty --root or / (also /tmp/.., or a link to /) would be the machine itself, with the user
# and systemctl skipped: refuse both.
if ((ROOT_GIVEN)) || [[ -n $ROOT ]]; then
  [[ -n $ROOT ]] || { echo "uninstall.sh: --root needs a directory; for this machine leave it out" >&2; exit 2; }
  ROOT=$(realpath -m -- "$ROOT")
  [[ $ROOT != / ]] || { echo "uninstall.sh: for the machine itself, leave --root out" >&2; exit 2; }
fi

say() { printf '%s\n' "$*"; }
die() { printf 'uninstall.sh: %s\n' "$*" >&2; exit 1; }

# Run a command that changes something; under --dry-run only show it.
run() {
  printf '  +'
  printf ' %q' "$@"
  printf '\n'
  ((DRY_RUN)) || "$@"
}

# Run a command that changes this machine itself (users, services): never under --root.
host() {
  if [[ -n $ROOT ]]; then
    printf '  - skipped under --root:'
    printf ' %q' "$@"
    printf '\n'
  else
    run "$@"
  fi
}

# Remove a path (a file, a link or a whole directory) under the root, if it is there.
remove() {
  local path=$ROOT$1
  if [[ -e $path || -L $path ]]; then
    run rm -rf -- "$path"
  fi
}

if [[ -z $ROOT ]] && ((!DRY_RUN)) && ((EUID != 0)); then
  die "run me as root:  sudo $0   (or try --dry-run)"
fi

say "1/4 stop and disable calmkit.service"
if ((!SYSTEMCTL)); then
  say "  - skipped (--no-systemctl)"
elif ! command -v systemctl >/dev/null; then
  say "  - no systemctl here"
elif [[ -n $ROOT ]]; then
  if [[ -e $ROOT$UNIT_DIR/calmkit.service ]]; then
    run systemctl --root="$ROOT" --quiet disable calmkit.service
  fi
elif [[ -d /run/systemd/system ]]; then
  # SIGTERM: the light fades out and a session in flight is journaled as stopped.
  run systemctl disable --now calmkit.service 2>/dev/null || true
else
  # A chroot or a container: nothing runs, only the boot-time link goes.
  run systemctl disable calmkit.service 2>/dev/null || true
fi

say "2/4 the unit and the venv"
remove "$UNIT_DIR/calmkit.service"
# Local changes made with `systemctl edit calmkit` go with the unit.
remove "$UNIT_DIR/calmkit.service.d"
remove "$PREFIX"
# The link install.sh made to the venv's calmkit (and only that link).
link=/usr/local/bin/calmkit
if [[ -L $ROOT$link && $(readlink -- "$ROOT$link") == "$PREFIX/venv/bin/calmkit" ]]; then
  remove "$link"
fi
if ((SYSTEMCTL)) && [[ -z $ROOT && -d /run/systemd/system ]]; then
  run systemctl daemon-reload
  run systemctl reset-failed calmkit.service 2>/dev/null || true
fi

say "3/4 the user '$NAME'"
if [[ -n $ROOT ]] || id -u "$NAME" >/dev/null 2>&1; then
  host userdel "$NAME"
else
  say "  already gone"
fi

say "4/4 the journal and the settings"
if ((PURGE)); then
  remove "$STATE_DIR"
  remove "$CONFIG_DIR"
else
  for dir in "$STATE_DIR" "$CONFIG_DIR"; do
    if [[ -e $ROOT$dir ]]; then
      say "  kept $ROOT$dir (remove it too with --purge)"
    fi
  done
fi
say ""
if ((DRY_RUN)); then
  say "Dry run: nothing was changed."
else
  say "calmkit is uninstalled."
fi
