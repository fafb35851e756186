#!/bin/sh
# Installs what the Windows cross-build and its wine smoke test need on
# Debian or Ubuntu (only what is missing):
#   scripts/windows/deps.sh build   mingw-w64 C compiler, wixl (MSI), zip
#   scripts/windows/deps.sh test    build + wine, Xvfb, ImageMagick, python3-icalendar
set -eu
what=${1:-build}
pkgs="gcc-mingw-w64-x86-64 wixl zip"
[ "$what" = test ] && pkgs="$pkgs wine wine64 xvfb xauth imagemagick python3-icalendar python3-vobject locales"
command -v apt-get >/dev/null 2>&1 || {
	echo "scripts/windows: needs Debian/Ubuntu packages: $pkgs (install them by hand elsewhere)" >&2
	command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || exit 1
	exit 0
}
sudo_cmd() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
# The test runs wine in Swiss German (wine takes the Windows display language
# from the Unix locale), which needs the locale generated.
need_locale() {
	[ "$what" = test ] || return 0
	locale -a 2>/dev/null | grep -qix 'de_CH.utf8' && return 0
	sudo_cmd localedef -i de_CH -f UTF-8 de_CH.UTF-8
}
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && { need_locale; exit 0; }
echo "installing:$missing"
tries=0
until sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq; do
	tries=$((tries + 1))
	[ "$tries" -ge 60 ] && { echo "apt-get update kept failing (is another apt holding its lock?)" >&2; exit 1; }
	sleep 10
done
# shellcheck disable=SC2086
sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $missing >/dev/null
need_locale
