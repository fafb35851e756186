package vcard

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// Reading single properties: labels from TYPE and X-ABLabel, birthdays,
// photos, and the verbatim copy of a property the model has no field for.

// label derives a model label and the preferred flag from TYPE (and PREF)
// parameters and an Apple X-ABLabel.
func label(p *prop, abLabel string) (string, bool) {
	pref := false
	var std, custom string
	rank := 0 // fax beats mobile beats work/home/other
	for _, q := range p.Params {
		switch q.Name {
		case "PREF": // vCard 4.0: PREF=1 is the most preferred
			pref = pref || strings.TrimSpace(q.Value) == "1"
			continue
		case "TYPE":
		default:
			continue
		}
		t := lower(strings.TrimSpace(q.Value))
		if t == "pref" {
			pref = true
			continue
		}
		l, r := stdLabel(t)
		switch {
		case r > rank:
			std, rank = l, r
		case r == 0 && l != "" && custom == "":
			custom = customLabel(q.Value)
		}
	}
	if abLabel != "" {
		if l, r := stdLabel(lower(abLabel)); r > 0 {
			return l, pref
		}
		return abLabel, pref
	}
	if std != "" {
		return std, pref
	}
	return custom, pref
}

// customLabel is a TYPE value that is not a standard label, as written
// (case kept), without the "X-" of an extension type.
func customLabel(v string) string {
	v = strings.TrimSpace(v)
	if len(v) > 2 && strings.EqualFold(v[:2], "x-") {
		v = v[2:]
	}
	return v
}

// stdLabel maps a TYPE value or label (lower case), including Apple's
// _$!<Mobile>!$_ and German names, to a model label and its rank; rank 0
// means not a standard label (label "" for type words that carry no label
// such as "voice" or "internet").
func stdLabel(t string) (string, int) {
	t = strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(t, "_$!<"), ">!$_"), "x-")
	switch t {
	case "fax", "workfax", "homefax", "telefax":
		return model.LabelFax, 4
	case "cell", "mobile", "mobil", "handy", "natel", "iphone", "cellular", "mobiltelefon":
		return model.LabelMobile, 3
	case "work", "arbeit", "geschäftlich", "geschaeftlich", "büro", "buero", "firma", "business", "office", "dienstlich":
		return model.LabelWork, 2
	case "home", "privat", "zuhause", "zu hause", "private", "personal":
		return model.LabelHome, 2
	case "other", "andere", "sonstige", "weitere":
		return model.LabelOther, 1
	case "voice", "internet", "x400", "msg", "dom", "intl", "postal", "parcel", "text", "bbs", "modem", "isdn", "video", "pcs", "car", "aol", "applelink", "attmail", "cis", "eworld", "ibmmail", "mcimail", "powershare", "prodigy", "tlx", "":
		return "", 0
	}
	return t, 0
}

// parseBirthday reads the date forms exporters write: 1970-04-15,
// 19700415, --0415, --04-15, a date-time, and Apple's year-omitted form
// (1604-04-15;X-APPLE-OMIT-YEAR=1604).
func parseBirthday(p *prop) (model.Date, bool) {
	v := strings.TrimSpace(unescape(p.Value))
	d, err := model.ParseDate(v)
	if err != nil {
		return model.Date{}, false
	}
	if omit := p.param("X-APPLE-OMIT-YEAR"); omit != "" && fmt.Sprint(d.Year) == strings.TrimSpace(omit) {
		d.Year = 0
	}
	return d, true
}

func isURI(p *prop) bool {
	v := strings.TrimSpace(p.Value)
	return strings.EqualFold(p.param("VALUE"), "uri") || strings.EqualFold(p.param("VALUE"), "url") ||
		strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "file:")
}

// photoData decodes an inline photo: base64 with ENCODING=b/BASE64 (3.0,
// 2.1) or a data: URI (4.0). URLs are not fetched (the app works offline).
func photoData(p *prop) ([]byte, bool) {
	v := p.Value
	enc := strings.ToUpper(p.param("ENCODING"))
	if strings.HasPrefix(v, "data:") {
		meta, data, ok := strings.Cut(v[5:], ",")
		if !ok || !strings.HasSuffix(meta, ";base64") {
			return nil, false
		}
		v, enc = stripSpace(data), "B"
	}
	if enc != "B" && enc != "BASE64" {
		return nil, false
	}
	out, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		out, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(v, "="))
	}
	return out, err == nil && len(out) > 0
}

// extraOf keeps a property the model has no field for. Quoted-printable
// and CHARSET are dropped: the value is decoded UTF-8 by now.
func extraOf(p *prop) model.ExtraProp {
	e := model.ExtraProp{Group: p.Group, Name: p.Name, Value: p.Value}
	for _, q := range p.Params {
		if q.Name == "CHARSET" || (q.Name == "ENCODING" && isQP(q.Value)) {
			continue
		}
		if e.Params == nil {
			e.Params = map[string][]string{}
		}
		e.Params[q.Name] = append(e.Params[q.Name], q.Value)
	}
	return e
}

func isQP(s string) bool {
	return strings.EqualFold(s, "QUOTED-PRINTABLE") || strings.EqualFold(s, "QP")
}
