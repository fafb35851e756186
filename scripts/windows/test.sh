#!/usr/bin/env bash
# Smoke test of the Windows build under wine (make test-windows).
#   scripts/windows/test.sh [DIST]     (default: dist/windows, made by make windows)
# Runs kundenkartei-cli.exe and kundenkartei.exe from DIST the way a shop owner
# would: data in C:\users\Jörg Müller\AppData\Roaming\Kundenkartei, files in
# a folder whose path has spaces and umlauts, then checks the results with
# independent tools (python3-icalendar, python3-vobject, the Linux build).
# Ends with "N passed, N failed"; exit status 1 when anything failed.
# WINEPREFIX (default ~/.cache/kundenkartei/wine) is made once and reused.
# SCREENSHOT=FILE also saves the window's screenshot there.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
dist=$(cd "${1:-dist/windows}" && pwd)
scripts/windows/deps.sh test || exit 1

export WINEPREFIX=${WINEPREFIX:-$HOME/.cache/kundenkartei/wine}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# wine turns arguments, environment and file names into UTF-16 by the Unix
# locale, so umlauts need a UTF-8 one, and takes Windows' display language
# from it: a Swiss German Windows (deps.sh generates the locale).
export LC_ALL=de_CH.UTF-8 LANG=de_CH.UTF-8
# The Windows user is Jörg Müller: wine names the profile after USER, so
# %AppData% is C:\users\Jörg Müller\AppData\Roaming.
export USER="Jörg Müller" LOGNAME="Jörg Müller"
# No Go installation on a shop's PC: the time zones must come from the exe.
# (Without -trimpath the exe knows the build's GOROOT, and wine resolves
# /usr/local/go/lib/time/zoneinfo.zip: a GOROOT that does not exist hides it.)
unset ZONEINFO TZ
win() { GOROOT='C:\kein Go' wine "$@"; }

passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $*"; }
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }
check() { # check NAME COMMAND...: ok when COMMAND succeeds
	local name=$1
	shift
	if "$@"; then ok "$name"; else fail "$name"; fi
}

tmp=$(mktemp -d)
xvfb_pid=""
gui_pid=""
cleanup() {
	[ -n "$gui_pid" ] && kill "$gui_pid" 2>/dev/null
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
	wineserver -k 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- the wine prefix, with the ProcessPrng that Go needs and wine 8 lacks ---
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	mkdir -p "$WINEPREFIX"
	wineboot -i >/dev/null 2>&1 || { echo "wineboot failed" >&2; exit 1; }
	wineserver -w
fi
sys32=$WINEPREFIX/drive_c/windows/system32
x86_64-w64-mingw32-gcc -shared -O2 -s -o "$tmp/bcryptprimitives.dll" \
	scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -lbcrypt || exit 1
cmp -s "$tmp/bcryptprimitives.dll" "$sys32/bcryptprimitives.dll" || cp "$tmp/bcryptprimitives.dll" "$sys32/"

# --- the places: a user with umlauts in the name, a work folder with spaces ---
user_win='C:\users\Jörg Müller'
user_unix="$WINEPREFIX/drive_c/users/Jörg Müller"
[ -d "$user_unix" ] || { echo "the wine prefix $WINEPREFIX has no user Jörg Müller: remove it" >&2; exit 1; }
rm -rf "$user_unix/AppData/Roaming/Kundenkartei" "$user_unix/Documents"
mkdir -p "$user_unix/Documents"
db_unix="$user_unix/AppData/Roaming/Kundenkartei/kundenkartei.db"
work="$tmp/Kundenkartei Test Jörg Müller"
mkdir -p "$work"
work_win=$(winepath -w "$work")
docs_win="$user_win\\Documents"
docs_unix="$user_unix/Documents"

cli() { timeout 300 env GOROOT='C:\kein Go' wine "$dist/kundenkartei-cli.exe" "$@"; }

# --- demo, check ---
check "demo data loads" cli demo
check "the database is in %AppData%\\Kundenkartei" test -s "$db_unix"
out=$(cli check) && [[ $out == *"ok, 200 customers"* ]] && ok "check: $out" || fail "check: $out"

# --- import of a vCard with umlauts, from a path with spaces and umlauts ---
printf '%s\r\n' "BEGIN:VCARD" "VERSION:3.0" "FN:Jörg Müller-Lüdenscheidt" \
	"N:Müller-Lüdenscheidt;Jörg;;;" "ORG:Bäckerei Größe AG" "EMAIL;TYPE=WORK:joerg@baeckerei-groesse.ch" \
	"TEL;TYPE=CELL:+41 79 123 45 67" "ADR;TYPE=WORK:;;Schönbühlstrasse 3;Zürich;;8032;Schweiz" "END:VCARD" \
	>"$work/Adressbuch Müller.vcf"
out=$(cli import "$work_win\\Adressbuch Müller.vcf" 2>&1)
check "import of $work_win\\Adressbuch Müller.vcf ($out)" test $? = 0
out=$(cli check) && [[ $out == *"201 customers"* ]] && ok "201 customers after the import" || fail "after the import: $out"
out=$(cli import "$work_win\\Adressbuch Müller.vcf" 2>&1)
out=$(cli check) && [[ $out == *"201 customers"* ]] && ok "importing it again adds nothing" || fail "second import: $out"

# --- export of every format, into C:\users\Jörg Müller\Documents ---
crlf_only() { # every line of the file ends in CRLF
	/usr/bin/python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
sys.exit(0 if data and data.count(b"\n") == data.count(b"\r\n") else 1)
EOF
}
for f in vcard vcard4 outlook csv csv-rfc mailing ics; do
	file="Export $f Müller.$([ "$f" = ics ] && echo ics || { [[ $f == csv* || $f == mailing ]] && echo csv || echo vcf; })"
	out=$(cli export -format "$f" -all -o "$docs_win\\$file" 2>&1) || out="exit $?: $out"
	if [ -s "$docs_unix/$file" ]; then ok "export -format $f ($out)"; else fail "export -format $f: $out"; fi
done
for file in "$docs_unix"/Export*; do
	check "CRLF line ends (RFC 6350, 5545, 4180) in ${file##*/}" crlf_only "$file"
done
check "vCard export has the umlauts in UTF-8" grep -q "Müller-Lüdenscheidt" "$docs_unix/Export vcard Müller.vcf"
check "Outlook export is Windows-1252 (quoted-printable)" grep -q 'N;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller-L=FCdenscheidt;J=' "$docs_unix/Export outlook Müller.vcf"
check "python3-vobject reads the vCard export" /usr/bin/python3 - "$docs_unix/Export vcard Müller.vcf" <<'EOF'
import sys, vobject
cards = list(vobject.readComponents(open(sys.argv[1], encoding="utf-8").read()))
names = [c.fn.value for c in cards]
assert len(cards) == 201 and "Jörg Müller-Lüdenscheidt" in names, (len(cards), names[:3])
EOF

# --- the calendar: Europe/Zurich local times in summer and winter ---
# The Linux build, with Debian's full zone data, exports the same database:
# both calendars must give every event the same instant and wall time.
linux_bin=$tmp/kundenkartei-linux
(cd "$repo" && go build -o "$linux_bin" .) || { fail "go build of the Linux binary"; exit 1; }
lin() { "$linux_bin" "$@"; }
cp "$db_unix" "$tmp/copy.db"
lin -db "$tmp/copy.db" export -format ics -all -o "$tmp/linux.ics" >/dev/null
check "the ics export agrees with the Linux build's, summer and winter in Europe/Zurich" \
	/usr/bin/python3 - "$docs_unix/Export ics Müller.ics" "$tmp/linux.ics" <<'EOF'
import sys, datetime
from icalendar import Calendar
def events(path):
    cal = Calendar.from_ical(open(path, "rb").read())
    zones = {tz["TZID"]: tz.to_tz() for tz in cal.walk("VTIMEZONE")}
    assert "Europe/Zurich" in zones, "no VTIMEZONE for Europe/Zurich (times fell back to UTC?)"
    out = {}
    for ev in cal.walk("VEVENT"):
        start = ev["DTSTART"]
        dt = start.dt
        if isinstance(dt, datetime.datetime) and "TZID" in start.params:
            dt = dt.replace(tzinfo=None)
            tz = zones[start.params["TZID"]]
            out[str(ev["UID"])] = (dt, tz.utcoffset(dt), start.params["TZID"])
        else:
            out[str(ev["UID"])] = (dt, None, None)
    return out, zones["Europe/Zurich"]
win, zurich = events(sys.argv[1])
lin, _ = events(sys.argv[2])
assert win == lin, "calendars differ: %s" % sorted(set(win.items()) ^ set(lin.items()))[:4]
timed = [v for v in win.values() if v[2] == "Europe/Zurich"]
assert timed, "no follow-up with TZID=Europe/Zurich"
summer = [v for v in timed if 4 <= v[0].month <= 9]
winter = [v for v in timed if v[0].month in (11, 12, 1, 2)]
assert summer and winter, "want follow-ups in summer and in winter"
for wall, off, _ in summer:
    assert off == datetime.timedelta(hours=2), (wall, off)
for wall, off, _ in winter:
    assert off == datetime.timedelta(hours=1), (wall, off)
# The zone the calendar describes, in July and January of the covered years:
for y in {w.year for w, _, _ in timed}:
    for m, h in ((7, 2), (1, 1)):
        got = zurich.utcoffset(datetime.datetime(y, m, 15, 10, 0))
        assert got == datetime.timedelta(hours=h), (y, m, got)
print("ok: %d events, %d timed in Europe/Zurich (%d in summer at +02:00, %d in winter at +01:00)" % (len(win), len(timed), len(summer), len(winter)))
EOF

# --- sync between the Windows and the Linux build through one folder ---
sync_unix="$work/Sync Ordner Größe"
mkdir -p "$sync_unix"
sync_win=$(winepath -w "$sync_unix")
export KUNDENKARTEI_PASSPHRASE="Grüezi mitenand 2026"
out=$(cli sync init -folder "$sync_win" 2>&1) && ok "Windows: sync init -folder $sync_win" || fail "Windows: sync init: $out"
out=$(cli sync now 2>&1) && ok "Windows: sync now: $out" || fail "Windows: sync now: $out"
ldb="$tmp/linux side.db"
out=$(lin -db "$ldb" sync join -folder "$sync_unix" 2>&1) && ok "Linux: sync join" || fail "Linux: sync join: $out"
out=$(lin -db "$ldb" sync now 2>&1) && ok "Linux: sync now: $out" || fail "Linux: sync now: $out"
out=$(lin -db "$ldb" check 2>&1)
[[ $out == *"201 customers"* ]] && ok "Linux has Windows's 201 customers" || fail "Linux after sync: $out"
printf '%s\r\n' "BEGIN:VCARD" "VERSION:3.0" "FN:Åsa Ångström" "N:Ångström;Åsa;;;" "ORG:Linux GmbH" "END:VCARD" >"$work/linux.vcf"
lin -db "$ldb" import "$work/linux.vcf" >/dev/null 2>&1
out=$(lin -db "$ldb" sync now 2>&1) && ok "Linux: sync now after an import" || fail "Linux: sync now: $out"
out=$(cli sync now 2>&1) && ok "Windows: sync now" || fail "Windows: sync now: $out"
out=$(cli check 2>&1)
[[ $out == *"202 customers"* ]] && ok "Windows has Linux's new customer: $out" || fail "Windows after sync: $out"
cli export -format csv-rfc -all -o "$docs_win\\nach sync.csv" >/dev/null 2>&1
lin -db "$ldb" export -format csv-rfc -all -o "$tmp/linux after sync.csv" >/dev/null 2>&1
check "both sides hold the same customers" cmp -s <(sort "$docs_unix/nach sync.csv") <(sort "$tmp/linux after sync.csv")

# --- backup and restore ---
out=$(cli backup 2>&1)
backup_win=${out% (*}
check "backup: $out" test -n "$backup_win"
backup_unix=$(winepath -u "$backup_win" 2>/dev/null)
check "the backup file exists under %AppData%" test -s "$backup_unix"
printf '%s\r\n' "BEGIN:VCARD" "VERSION:3.0" "FN:Änne Öztürk" "N:Öztürk;Änne;;;" "END:VCARD" >"$work/Nachtrag.vcf"
cli import "$work_win\\Nachtrag.vcf" >/dev/null 2>&1
out=$(cli check) && [[ $out == *"203 customers"* ]] && ok "203 customers before the restore" || fail "before restore: $out"
out=$(cli restore "$backup_win" 2>&1)
check "restore $backup_win ($out)" test $? = 0
out=$(cli check) && [[ $out == *"202 customers"* ]] && ok "the restore brought back the 202 customers of the backup" || fail "after restore: $out"

# --- the window under Xvfb, and a second instance refused ---
# wine's virtual desktop draws a Windows title bar (Xvfb has no window manager).
disp=:$((90 + RANDOM % 9))
Xvfb "$disp" -screen 0 1440x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1
DISPLAY=$disp win explorer /desktop=Kundenkartei,1440x900 "$dist/kundenkartei.exe" >"$tmp/gui.log" 2>&1 &
gui_pid=$!
# The window holds the database while it is open: the CLI must say so.
for _ in $(seq 60); do
	out=$(cli check 2>&1) || break
	sleep 1
done
[[ $out == *"already open"* ]] && ok "the CLI is refused while the window is open: $out" || fail "CLI beside the window: $out $(cat "$tmp/gui.log")"
sleep 8 # let it draw
shot=$dist/screenshot.png
if DISPLAY=$disp /usr/bin/import -window root "$tmp/root.png"; then
	# Cut out the window: the box of what is not the desktop's colour.
	bg=$(/usr/bin/convert "$tmp/root.png" -format '%[pixel:p{1439,899}]' info:)
	box=$(/usr/bin/convert "$tmp/root.png" -bordercolor "$bg" -border 1 -fuzz 2% -format %@ info:)
	/usr/bin/convert "$tmp/root.png" -bordercolor "$bg" -border 1 -crop "$box" +repage "$shot"
	colours=$(/usr/bin/convert "$shot" -format %k info:)
	size=$(/usr/bin/identify -format %wx%h "$shot")
	[ "$colours" -gt 100 ] && ok "the window shows ($size, $colours colours): $shot" || fail "the window is blank ($size, $colours colours)"
	[ -n "${SCREENSHOT:-}" ] && cp "$shot" "$SCREENSHOT"
else
	fail "screenshot"
fi
DISPLAY=$disp timeout 60 env GOROOT='C:\kein Go' wine "$dist/kundenkartei.exe" >"$tmp/gui2.log" 2>&1 &
second=$!
for _ in $(seq 60); do grep -qs "already open" "$tmp/gui2.log" && break; sleep 1; done
grep -q "already open" "$tmp/gui2.log" && ok "a second window says: $(grep -m1 "already open" "$tmp/gui2.log")" || fail "second window: $(cat "$tmp/gui2.log")"
kill "$second" "$gui_pid" 2>/dev/null
gui_pid=""
wineserver -k 2>/dev/null # ends the Windows processes; the lock goes with them
wineserver -w
kill "$xvfb_pid" 2>/dev/null
xvfb_pid=""
out=$(cli check 2>&1) && ok "the database opens again after the window: $out" || fail "after the window: $out"

# --- the installer: install, run from Program Files, uninstall (data stays) ---
msi=$(ls "$dist"/Kundenkartei-*-windows-amd64.msi 2>/dev/null | head -1)
pf="$WINEPREFIX/drive_c/Program Files/Kundenkartei"
if [ -n "$msi" ] && win msiexec /i "$(winepath -w "$msi")" /qn; then
	ok "msiexec /i $(basename "$msi")"
	check "kundenkartei.exe and kundenkartei-cli.exe in C:\\Program Files\\Kundenkartei" test -s "$pf/kundenkartei.exe" -a -s "$pf/kundenkartei-cli.exe"
	lnk=$(find "$WINEPREFIX/drive_c" -name Kundenkartei.lnk -path '*Start Menu*' | head -1)
	check "a Start menu entry: ${lnk#"$WINEPREFIX"/}" test -n "$lnk"
	out=$(timeout 120 env GOROOT='C:\kein Go' wine 'C:\Program Files\Kundenkartei\kundenkartei-cli.exe' check 2>&1)
	[[ $out == *"202 customers"* ]] && ok "the installed CLI opens the data: $out" || fail "installed CLI: $out"
	win msiexec /x "$(winepath -w "$msi")" /qn && ok "msiexec /x" || fail "msiexec /x"
	check "uninstalled: no program files, no Start menu entry" test ! -e "$pf/kundenkartei.exe" -a ! -e "$lnk"
	check "uninstalled: the data in %AppData% stays" test -s "$db_unix"
else
	fail "msiexec /i ${msi:-(no MSI in $dist)}"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
