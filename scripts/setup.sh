#!/bin/sh
# Installs what scanbridge needs on a Debian/Ubuntu machine, then the npm
# dependencies, then builds. Safe to run again.
#   scripts/setup.sh          runtime packages (service)
#   scripts/setup.sh --test   runtime + test tools (independent checkers, Chromium, Firefox ESR)
set -eu
cd "$(dirname "$0")/.."

RUNTIME_PKGS="libsane1 sane-utils libssl3 fonts-dejavu-core ca-certificates libjpeg-turbo-progs libnss3-tools ffmpeg v4l-utils tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-por tesseract-ocr-nld"
TEST_PKGS="poppler-utils qpdf libtiff-tools zbar-tools netpbm chromium firefox-esr img2pdf unzip sane-airscan iproute2 fonts-liberation2 libxml2-utils openssl dbus avahi-daemon avahi-utils"

pkgs="$RUNTIME_PKGS"
[ "${1:-}" = "--test" ] && pkgs="$pkgs $TEST_PKGS"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "scanbridge setup: please install these packages with your system's package manager:$missing" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "scanbridge setup: installing$missing"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npm run build
