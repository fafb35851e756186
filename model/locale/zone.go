package locale

import (
	"strings"
	"time"
)

// SystemZone finds the IANA name of the system's time zone, which
// time.Local does not tell (its name is "Local"), so that follow-ups carry
// a zone calendars on other devices can read. It tries, in order: the TZ
// variable (tzEnv), the target of /etc/localtime (localtimeTarget, "" when
// there is none), the name of local, and then the first of candidates
// whose offsets equal local's over the year of now. The last is how it
// works on Windows, where Go reads the zone from the system but keeps only
// its rules: with the locale's own zone first among the candidates, a
// German Windows gets Europe/Berlin, not the first zone of equal rules.
// It returns "" when nothing matches.
func SystemZone(tzEnv, localtimeTarget string, local *time.Location, candidates []string, now time.Time) string {
	if tz := strings.TrimPrefix(tzEnv, ":"); tz != "" && !strings.HasPrefix(tz, "/") {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if i := strings.Index(localtimeTarget, "zoneinfo/"); i >= 0 {
		name := localtimeTarget[i+len("zoneinfo/"):]
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
	}
	if local == nil {
		return ""
	}
	if name := local.String(); name != "Local" && name != "" {
		if _, err := time.LoadLocation(name); err == nil {
			return name
		}
	}
	for _, c := range candidates {
		if loc, err := time.LoadLocation(c); err == nil && sameRules(loc, local, now) {
			return c
		}
	}
	return ""
}

// sameRules compares the offsets of a and b at every month's start of
// now's year and around the usual switch days, which tells daylight
// saving rules apart as well as base offsets.
func sameRules(a, b *time.Location, now time.Time) bool {
	y := now.Year()
	for m := time.January; m <= time.December; m++ {
		for _, d := range []int{1, 15, 28} {
			t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
			_, oa := t.In(a).Zone()
			_, ob := t.In(b).Zone()
			if oa != ob {
				return false
			}
		}
	}
	return true
}

// IsUTC reports whether name is a spelling of UTC. Desktops in the
// supported countries almost never run on UTC; containers and fresh
// virtual machines do, so a system zone of UTC says nothing about where
// the business is.
func IsUTC(name string) bool {
	switch strings.TrimPrefix(name, "Etc/") {
	case "UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "Universal", "Zulu", "Greenwich":
		return true
	}
	return false
}

// PlanningZone is the zone new follow-ups and events are planned in: the
// setting when it is a valid zone, else the system's zone unless that is
// UTC, else the locale's own zone.
func (l Locale) PlanningZone(setting, system string) string {
	if setting = strings.TrimSpace(setting); setting != "" {
		if _, err := time.LoadLocation(setting); err == nil {
			return setting
		}
	}
	if system != "" && !IsUTC(system) {
		return system
	}
	return l.Zone
}
