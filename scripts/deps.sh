#!/bin/sh
# Installs what building and testing Kundenkartei needs on this machine.
#   scripts/deps.sh build   C compiler and the X11/OpenGL headers Fyne's cgo build needs
#   scripts/deps.sh test    build + the outside tools the tests judge our files with
# It installs only what is missing, and says what to do where it cannot.
set -eu
what=${1:-build}

need_go() {
	if ! command -v go >/dev/null 2>&1; then
		echo "Go is missing: install Go 1.26 or newer from https://go.dev/dl/ (or your package manager) and run this again." >&2
		exit 1
	fi
}

sudo_cmd() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

debian_pkgs_build="gcc pkg-config libgl1-mesa-dev xorg-dev libxxf86vm-dev"
debian_pkgs_test="python3-icalendar python3-vobject khal rclone xvfb poppler-utils"

install_debian() {
	pkgs=$debian_pkgs_build
	[ "$what" = test ] && pkgs="$pkgs $debian_pkgs_test"
	missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	echo "installing:$missing"
	# Another apt (an unattended upgrade, a second terminal) may hold the
	# lock: wait for it up to ten minutes instead of failing at once.
	# (update takes the lists lock, which older apt does not wait for: retry.)
	tries=0
	until sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq; do
		tries=$((tries + 1))
		[ "$tries" -ge 60 ] && { echo "apt-get update kept failing (is another apt holding its lock?)" >&2; exit 1; }
		sleep 10
	done
	# shellcheck disable=SC2086
	sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null
}

install_fedora() {
	pkgs="gcc pkgconf-pkg-config libXcursor-devel libXrandr-devel mesa-libGL-devel libXi-devel libXinerama-devel libXxf86vm-devel"
	[ "$what" = test ] && pkgs="$pkgs python3-icalendar python3-vobject khal rclone xorg-x11-server-Xvfb poppler-utils"
	# shellcheck disable=SC2086
	sudo_cmd dnf install -y $pkgs
}

need_go
case "$(uname -s)" in
Linux)
	if command -v apt-get >/dev/null 2>&1; then
		install_debian
	elif command -v dnf >/dev/null 2>&1; then
		install_fedora
	else
		echo "Unknown Linux: install a C compiler and the X11/OpenGL development headers (see README)." >&2
	fi
	;;
Darwin)
	if ! xcode-select -p >/dev/null 2>&1; then
		echo "Install the Xcode command line tools first: xcode-select --install" >&2
		exit 1
	fi
	[ "$what" = test ] && echo "note: the calendar and vCard cross-checks need python3 with icalendar and vobject and khal (pip3 install icalendar vobject khal); they skip otherwise." >&2
	;;
MINGW* | MSYS* | CYGWIN*)
	command -v gcc >/dev/null 2>&1 || {
		echo "Install a C compiler for cgo, e.g. MSYS2 with: pacman -S mingw-w64-x86_64-toolchain, and add it to PATH." >&2
		exit 1
	}
	;;
esac
