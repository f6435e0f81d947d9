#!/usr/bin/env bash
# Debian/Ubuntu packages vmes-audit needs: "runtime" (the PDF report) or "test" (runtime + what the
# test suite runs: poppler, Wine for the collector, a Samba AD DC for the directory tests).
# As root with apt-get: installs what is missing (refreshing the package lists when a fresh container
# has none, or when they are too old to install from), with service starts forbidden (Debian's policy-rc.d
# hook answering 101, so that installing samba never starts smbd/nmbd/samba on this machine's
# network; an existing hook is put back). Otherwise: says what to install, and fails for "test".
set -euo pipefail
kind="${1:-runtime}"
runtime="python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core"
test_extra="poppler-utils wine samba samba-ad-dc samba-ad-provision ldb-tools iproute2 util-linux"
wanted="$runtime"
[ "$kind" = test ] && wanted="$runtime $test_extra"

missing=""
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Paquets système manquants :$missing"
  echo "Installez-les avec : sudo apt-get install$missing"
  [ "$kind" = test ] && exit 1
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
POLICY=/usr/sbin/policy-rc.d
BACKUP=""
if [ -e "$POLICY" ]; then BACKUP="$(mktemp)"; cp -p "$POLICY" "$BACKUP"; fi
restore() {
  if [ -n "$BACKUP" ]; then cp -p "$BACKUP" "$POLICY"; rm -f "$BACKUP"; else rm -f "$POLICY"; fi
}
trap restore EXIT
printf '#!/bin/sh\nexit 101\n' > "$POLICY"
chmod 755 "$POLICY"
# A fresh container has no package lists (apt-get would answer "Unable to locate package"), and old
# lists name versions the mirror no longer has: refresh them first when empty, and once on failure.
lists_present() { compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null; }
install() {
  # shellcheck disable=SC2086 # one word per package
  apt-get install -y -q --no-install-recommends $missing >/dev/null
}
if ! lists_present; then
  echo "Listes de paquets absentes : apt-get update…"
  apt-get update -q >/dev/null
fi
if ! install; then
  echo "Installation impossible avec les listes de paquets actuelles : apt-get update, puis nouvel essai…"
  apt-get update -q >/dev/null
  install
fi
