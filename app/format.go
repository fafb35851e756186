package app

import (
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
)

// Every number, amount and date goes through these functions, which ask
// the active locale (locale.go, package model/locale) how to write it.

// formatDate formats the calendar day of t in the local zone.
func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtLocale().Date(t.Local())
}

// formatDateTime formats t with minutes in the local zone.
func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return fmtLocale().DateTime(t.Local())
}

// formatDay formats a calendar date; without a year only day and month.
func formatDay(d model.Date) string { return fmtLocale().Day(d) }

// parseDay reads a date as typed: the locale's form, without a year, or ISO.
func parseDay(s string) (model.Date, error) { return fmtLocale().ParseDate(s) }

// dayToTime is midnight of d in the local zone, as a UTC instant.
func dayToTime(d model.Date) time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return d.Time(0, time.Local).UTC()
}

// formatMoney formats minor units (hundredths) with the currency where the
// locale puts it; without a currency the bare amount.
func formatMoney(minor int64, currency string) string { return fmtLocale().Money(minor, currency) }

// formatPercent formats a whole percentage (10 % or 10%).
func formatPercent(p int) string { return fmtLocale().Percent(p) }

// formatDecimal formats f with places decimals (1,2 or 1.2).
func formatDecimal(f float64, places int) string { return fmtLocale().Decimal(f, places) }

// formatRelative says how long ago t was in days ("heute", "vor 3 Tagen"),
// and falls back to the date beyond a month.
func formatRelative(t, now time.Time) string {
	if t.IsZero() {
		return lang.X("format.never", "never")
	}
	days := model.DaysBetween(model.DateOf(t.Local()), model.DateOf(now.Local()))
	switch {
	case days == 0:
		return lang.X("format.today", "today")
	case days == 1:
		return lang.X("format.yesterday", "yesterday")
	case days > 1 && days <= 31:
		return lang.XN("format.days_ago", "{{.Count}} days ago", days, map[string]any{"Count": formatCount(days)})
	}
	return formatDate(t)
}

// formatCount renders a count with the locale's grouping (12.345, 12’345).
func formatCount(n int) string { return fmtLocale().Int(n) }

// Labels of model enumerations. The keys are built from the value; the i18n
// test checks every value of each enumeration has both translations.

func noteKindText(k model.NoteKind) string {
	return lang.X("note.kind."+string(k), string(k))
}

func impressionText(i model.Impression) string {
	return lang.X("note.impression."+string(i), string(i))
}

func gestureKindText(k model.GestureKind) string {
	return lang.X("gesture.kind."+string(k), string(k))
}

func gestureStatusText(s model.GestureStatus) string {
	return lang.X("gesture.status."+string(s), string(s))
}

func followUpStatusText(s model.FollowUpStatus) string {
	return lang.X("followup.status."+string(s), string(s))
}

func channelText(ch string) string {
	return lang.X("consent.channel."+ch, ch)
}

// builtinSegments are the segments with translated names; users may type others.
var builtinSegments = []string{model.SegmentKey, model.SegmentRegular, model.SegmentSmall}

// segmentText translates the built-in segments and shows others verbatim.
func segmentText(seg string) string {
	for _, b := range builtinSegments {
		if seg == b {
			return lang.X("segment."+seg, seg)
		}
	}
	return seg
}

// segmentFromText maps a translated built-in segment name back to its key.
func segmentFromText(s string) string {
	s = strings.TrimSpace(s)
	for _, b := range builtinSegments {
		if s == segmentText(b) || s == b {
			return b
		}
	}
	return s
}

// labelText translates the common labels of emails, phones and addresses.
func labelText(l string) string {
	switch l {
	case model.LabelWork, model.LabelHome, model.LabelMobile, model.LabelFax, model.LabelOther:
		return lang.X("label."+l, l)
	}
	return l
}

var builtinLabels = []string{model.LabelWork, model.LabelHome, model.LabelMobile, model.LabelFax, model.LabelOther}

// labelFromText maps a translated label back to its key; free text stays.
func labelFromText(s string) string {
	s = strings.TrimSpace(s)
	for _, l := range builtinLabels {
		if s == labelText(l) || s == l {
			return l
		}
	}
	return s
}

// formatSize says how large a file is in the unit that reads best:
// "512 KB", "48,3 MB", "2,9 GB" (1 KB = 1024 bytes).
func formatSize(bytes int64) string {
	const kb, mb, gb = 1 << 10, 1 << 20, 1 << 30
	switch {
	case bytes >= gb:
		return lang.X("format.size.gb", "{{.N}} GB", map[string]any{"N": formatDecimal(float64(bytes)/gb, 1)})
	case bytes >= mb:
		return lang.X("format.size.mb", "{{.N}} MB", map[string]any{"N": formatDecimal(float64(bytes)/mb, 1)})
	}
	return lang.X("format.size.kb", "{{.N}} KB", map[string]any{"N": formatCount(int((bytes + kb - 1) / kb))})
}
