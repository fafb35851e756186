package subject

import (
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// section is one table of the summary.
type section struct {
	Title  string
	Header []string
	Rows   [][]string
	Empty  string
}

var page = template.Must(template.New("summary").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eee}td{white-space:pre-wrap}</style></head><body>
<h1>{{.Title}}</h1>
<p>{{.Intro}}</p>
{{range .Sections}}<h2>{{.Title}}</h2>
{{if .Rows}}<table>{{if .Header}}<tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>{{end}}
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{else}}<p>{{.Empty}}</p>{{end}}
{{end}}</body></html>
`))

// writeSummary writes summary.html for doc in lang.
func writeSummary(w io.Writer, doc *Document, lang string) error {
	lang = language(lang)
	l := labels[lang]
	c := &doc.Customer
	data := struct {
		Lang, Title, Intro string
		Sections           []section
	}{Lang: lang, Title: l["title"] + ": " + c.DisplayName(),
		Intro: strings.NewReplacer("{time}", formatTime(doc.Exported, lang), "{device}", doc.Device, "{id}", c.ID.String()).Replace(l["intro"])}
	data.Sections = []section{
		{Title: l["contact"], Rows: contactRows(c, l, lang)},
		{Title: l["consents"], Header: split(l["consents.h"]), Rows: consentRows(c, lang), Empty: l["none"]},
		{Title: l["notes"], Header: split(l["notes.h"]), Rows: noteRows(doc, l, lang), Empty: l["none"]},
		{Title: l["followups"], Header: split(l["followups.h"]), Rows: followUpRows(doc, lang), Empty: l["none"]},
		{Title: l["gestures"], Header: split(l["gestures.h"]), Rows: gestureRows(doc, lang), Empty: l["none"]},
		{Title: l["merged"], Header: split(l["merged.h"]), Rows: mergedRows(doc, lang), Empty: l["none"]},
		{Title: l["devices"], Header: split(l["devices.h"]), Rows: deviceRows(doc, lang), Empty: l["none"]},
		{Title: l["conflicts"], Header: split(l["conflicts.h"]), Rows: conflictRows(doc, lang), Empty: l["none"]},
	}
	return page.Execute(w, data)
}

func split(s string) []string { return strings.Split(s, "|") }

func contactRows(c *model.Customer, l map[string]string, lang string) [][]string {
	var rows [][]string
	add := func(key, v string) {
		if strings.TrimSpace(v) != "" {
			rows = append(rows, []string{l[key], v})
		}
	}
	add("c.name", strings.TrimSpace(strings.Join([]string{c.Salutation, c.NamePrefix, c.GivenName, c.FamilyName, c.NameSuffix}, " ")))
	add("c.company", strings.TrimSpace(c.Company+" "+c.Department))
	add("c.position", c.Position)
	for _, e := range c.Emails {
		add("c.email", labelled(e.Label, e.Address))
	}
	for _, p := range c.Phones {
		add("c.phone", labelled(p.Label, p.Number))
	}
	for _, a := range c.Addresses {
		parts := []string{a.Street, a.Extended, a.POBox, strings.TrimSpace(a.PostalCode + " " + a.City), a.Region, a.Country}
		var kept []string
		for _, p := range parts {
			if strings.TrimSpace(p) != "" {
				kept = append(kept, p)
			}
		}
		add("c.address", labelled(a.Label, strings.Join(kept, ", ")))
	}
	add("c.website", c.Website)
	add("c.birthday", formatDate(c.Birthday, lang))
	add("c.since", formatDate(c.Since, lang))
	add("c.segment", c.Segment)
	add("c.tags", strings.Join(c.Tags, ", "))
	add("c.source", c.Source)
	if c.RhythmDays > 0 {
		add("c.rhythm", strconv.Itoa(c.RhythmDays))
	}
	add("c.memo", c.Memo)
	for _, x := range c.Extra {
		add("c.extra", x.Name+": "+x.Value)
	}
	add("c.created", formatTime(c.Created, lang))
	add("c.updated", formatTime(c.Updated, lang)+" ("+c.Author+")")
	if c.Deleted {
		add("c.deleted", l["yes"])
	}
	return rows
}

func labelled(label, v string) string {
	if label == "" {
		return v
	}
	return v + " (" + label + ")"
}

func consentRows(c *model.Customer, lang string) [][]string {
	var rows [][]string
	for _, k := range c.Consents {
		rows = append(rows, []string{k.Channel, k.Purpose, formatTime(k.GivenAt, lang), k.Source, formatTime(k.Withdrawn, lang)})
	}
	return rows
}

func noteRows(doc *Document, l map[string]string, lang string) [][]string {
	replaced := map[model.ID]bool{}
	for _, n := range doc.Notes {
		if n.Replaces != model.NilID && !n.Deleted {
			replaced[n.Replaces] = true
		}
	}
	var rows [][]string
	for _, n := range doc.Notes {
		state := l["current"]
		switch {
		case n.Deleted:
			state = l["deleted"]
		case replaced[n.ID]:
			state = l["replaced"]
		}
		rows = append(rows, []string{formatTime(n.At, lang), string(n.Kind), n.Text, string(n.Impression), n.By, n.Author, state})
	}
	return rows
}

func followUpRows(doc *Document, lang string) [][]string {
	var rows [][]string
	for _, f := range doc.FollowUps {
		rows = append(rows, []string{formatTime(f.Due, lang), f.Title, f.Details, string(f.Status), f.Assignee, deletedMark(f.Deleted)})
	}
	return rows
}

func gestureRows(doc *Document, lang string) [][]string {
	events := map[model.ID]string{}
	for _, e := range doc.Events {
		events[e.ID] = e.Name + ", " + formatTime(e.Start, lang)
	}
	var rows [][]string
	for _, g := range doc.Gestures {
		rows = append(rows, []string{formatTime(g.Created, lang), string(g.Kind), g.Title, string(g.Status), events[g.EventID], g.Details, deletedMark(g.Deleted)})
	}
	return rows
}

func mergedRows(doc *Document, lang string) [][]string {
	var rows [][]string
	for _, m := range doc.Merged {
		var emails []string
		for _, e := range m.Emails {
			emails = append(emails, e.Address)
		}
		rows = append(rows, []string{m.DisplayName(), strings.Join(emails, ", "), formatTime(m.Created, lang)})
	}
	return rows
}

func deviceRows(doc *Document, lang string) [][]string {
	var rows [][]string
	for _, d := range doc.Devices {
		rows = append(rows, []string{d.Device, d.Author, strconv.Itoa(d.Changes), formatTime(d.First, lang), formatTime(d.Last, lang)})
	}
	return rows
}

func conflictRows(doc *Document, lang string) [][]string {
	var rows [][]string
	for _, c := range doc.Conflicts {
		rows = append(rows, []string{string(c.Type), c.Field, string(c.Kept), string(c.Lost), c.LostBy, formatTime(c.Seen, lang)})
	}
	return rows
}

func deletedMark(d bool) string {
	if d {
		return "✗"
	}
	return ""
}
