#!/bin/sh
# Cross-builds Kundenkartei for 64-bit Windows with Debian's mingw-w64.
#   scripts/windows/build.sh [OUTDIR]     (default: dist/windows)
# Makes in OUTDIR:
#   kundenkartei.exe        the app (GUI subsystem: no console window)
#   kundenkartei-cli.exe    the same program for cmd.exe and scripts (console subsystem)
#   Kundenkartei-VERSION-windows-amd64.zip   both exes and a README
#   Kundenkartei-VERSION-windows-amd64.msi   installer: Program Files, Start menu, uninstall
# Icon, version and manifest come from FyneApp.toml and scripts/windows/winres.json
# (go-winres, pinned below, writes them into a .syso that go build links in).
set -eu
cd "$(dirname "$0")/../.."
out=${1:-dist/windows}
GO=${GO:-go}
WINRES=github.com/tc-hib/go-winres@v0.3.3

scripts/windows/deps.sh build

version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' FyneApp.toml)
build=$(sed -n 's/^ *Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
[ -n "$version" ] && [ -n "$build" ] || { echo "no Version/Build in FyneApp.toml" >&2; exit 1; }
mkdir -p "$out"

# The .syso must lie in the main package's folder; its _windows_amd64
# suffix keeps it out of every other build. It is made anew each time.
syso=rsrc_windows_amd64.syso
trap 'rm -f "$syso"' EXIT
$GO run $WINRES make --in scripts/windows/winres.json --arch amd64 --out rsrc \
	--product-version "$version" --file-version "$version.$build"

export CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=${CC:-x86_64-w64-mingw32-gcc}
ldflags="-s -w -X main.version=$version"
$GO build -ldflags "$ldflags -H=windowsgui" -o "$out/kundenkartei.exe" .
$GO build -ldflags "$ldflags" -o "$out/kundenkartei-cli.exe" .
rm -f "$syso"

name=Kundenkartei-$version-windows-amd64
stage=$(mktemp -d)
trap 'rm -rf "$stage" "$syso"' EXIT
mkdir "$stage/Kundenkartei"
cp "$out/kundenkartei.exe" "$out/kundenkartei-cli.exe" "$stage/Kundenkartei/"
# Notepad reads CRLF; the note says what a shop owner needs to know.
sed 's/$/\r/' scripts/windows/LIESMICH.txt >"$stage/Kundenkartei/LIESMICH.txt"
rm -f "$out/$name.zip"
(cd "$stage" && zip -qr -X "$OLDPWD/$out/$name.zip" Kundenkartei)

# MSI product versions have three numbers of at most 255.255.65535.
# (wixl reads the files relative to the current folder, never absolute.)
wxs=$PWD/scripts/windows/kundenkartei.wxs
(cd "$out" && wixl -a x64 -D Version="$version" -D SourceDir=. -o "$name.msi" "$wxs")
ls -l "$out"
