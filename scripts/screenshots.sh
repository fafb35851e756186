#!/usr/bin/env bash
# Takes the README's screenshots from the real window under Xvfb, walking
# the screens with xdotool. The database is copied, never changed; the
# preferences start empty (the table sorted by name, cards off).
#
#   scripts/screenshots.sh BINARY DB OUTDIR [SIZE [LANG [SUFFIX]]]
#
# SIZE is 1200x800 (default) or 1024x700; LANG de_DE.UTF-8 (default) or
# en_US.UTF-8; SUFFIX is added to every file name ("-1024", "-en"). The
# click positions are those of the German window at these two sizes; in
# English only the screens reached by fixed positions are taken.
# Needs xvfb, xdotool and imagemagick. Look at every picture afterwards.
set -euo pipefail
bin=$1 db=$2 out=$3 size=${4:-1200x800} lng=${5:-de_DE.UTF-8} sfx=${6:-}
disp=:${SCREENSHOT_DISPLAY:-96}
work=$(mktemp -d)
app= xvfb=
trap 'kill $app $xvfb 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$db" "$work/k.db"
mkdir -p "$work/config" "$out"
Xvfb "$disp" -screen 0 "${size}x24" >/dev/null 2>&1 & xvfb=$!
sleep 1
export DISPLAY=$disp
XDG_CONFIG_HOME=$work/config LANG=$lng LC_ALL=$lng "$bin" -db "$work/k.db" >"$work/app.log" 2>&1 & app=$!
for _ in $(seq 60); do xdotool search --name Kundenkartei >/dev/null 2>&1 && break; sleep 0.5; done
sleep 8

shot() { sleep "${2:-2}"; import -window root "$out/$1$sfx.png"; echo "$out/$1$sfx.png"; }
click() { xdotool mousemove "$1" "$2" click 1; }
tab() { # the navigation on the left, top to bottom
	case $1 in
	today) click 56 70 ;; customers) click 56 155 ;; loyalty) click 56 240 ;; fair) click 56 320 ;;
	wishes) click 56 405 ;; sync) click 56 490 ;; settings) click 56 570 ;;
	esac
	sleep 1
}
esc() { xdotool key Escape; sleep 0.7; }
# The customer's action bar and its tabs, by window width (German).
if [ "${size%x*}" -ge 1200 ]; then
	note=777 followup=919 gesture=1055 more=1155 details=873 done=475 erase=1130
else
	note=605 followup=746 gesture=880 more=983 details=700 done=387 erase=934
fi

shot heute
tab customers
shot kunden
click 300 48
xdotool type --delay 60 "mueller zuerich"
shot kunden-suche 3
xdotool key Down Return
shot kunde
case $lng in
de*) ;;
*) # other languages: what needs no language-dependent position
	xdotool key ctrl+shift+n
	shot kunde-notiz 1
	esc
	for t in loyalty:treue fair:messe wishes:wuensche settings:einstellungen; do
		tab "${t%:*}"
		shot "${t#*:}" 3
	done
	exit 0
	;;
esac
click "$more" 150
shot kunde-mehr 1
click "$erase" 387 # Endgültig löschen
shot kunde-endgueltig-loeschen 1
esc
click "$note" 150
shot kunde-notiz 1
esc
click "$followup" 150
shot kunde-wiedervorlage 1
esc
click "$gesture" 150
shot kunde-treuegeste 1
esc
click "$details" 190
shot kunde-stammdaten
tab loyalty
shot treue 3
click 660 53
shot treue-diagramme 4
tab fair
shot messe
tab wishes
shot wuensche 3
tab sync
shot abgleich
click 396 527
shot abgleich-duplikate 4
tab settings
shot einstellungen
click 240 14
sleep 0.7
click 265 45
shot tastenkuerzel 1
esc
click 33 14
sleep 0.7
click 60 84
shot export 1
esc
tab today
click "$done" 151
shot heute-rueckgaengig 1
