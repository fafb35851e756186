// Package subject writes a data-subject access export (DSGVO Art. 15 and
// 20, Swiss nDSG Art. 25): one ZIP with everything stored about a person,
// as a readable summary (summary.html, in German or English), as
// machine-readable JSON (data.json: the records as stored, deleted ones
// and old versions included, with their change history) and as a vCard
// (contact.vcf) another address book can import; the photo, when there is
// one, beside them.
package subject

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// Version is the version of data.json's layout.
const Version = 1

// Document is data.json.
type Document struct {
	Format    string               `json:"format"`  // "kundenkartei-subject-access"
	Version   int                  `json:"version"` // Version
	Exported  time.Time            `json:"exported"`
	Device    string               `json:"device"` // the device the export was made on
	Customer  model.Customer       `json:"customer"`
	Merged    []model.Customer     `json:"merged_duplicates"` // records merged into the customer
	Notes     []model.Note         `json:"notes"`
	FollowUps []model.FollowUp     `json:"follow_ups"`
	Gestures  []model.Gesture      `json:"gestures"`
	Events    []model.Event        `json:"events"`
	Conflicts []model.Conflict     `json:"conflicts"`
	Devices   []DeviceSummary      `json:"devices"` // who changed the records, from where
	Changes   []model.HistoryEntry `json:"changes"`
	Photo     string               `json:"photo,omitempty"` // name of the photo file in the ZIP
}

// DeviceSummary tells how often a device (and user) changed the person's
// records, and when first and last.
type DeviceSummary struct {
	Device  string    `json:"device"`
	Author  string    `json:"author"`
	Changes int       `json:"changes"`
	First   time.Time `json:"first"`
	Last    time.Time `json:"last"`
}

// NewDocument builds data.json's content from d.
func NewDocument(d *model.SubjectData) Document {
	doc := Document{Format: "kundenkartei-subject-access", Version: Version, Exported: d.Exported, Device: d.Device,
		Customer: d.Customer, Merged: d.Merged, Notes: d.Notes, FollowUps: d.FollowUps, Gestures: d.Gestures,
		Events: d.Events, Conflicts: d.Conflicts, Changes: d.Changes, Devices: devices(d.Changes)}
	if d.Photo != nil {
		doc.Photo = photoName(d.Photo)
	}
	// Empty lists are [] in data.json, not null: readers can count them.
	doc.Merged, doc.Notes, doc.FollowUps = orEmpty(doc.Merged), orEmpty(doc.Notes), orEmpty(doc.FollowUps)
	doc.Gestures, doc.Events, doc.Conflicts = orEmpty(doc.Gestures), orEmpty(doc.Events), orEmpty(doc.Conflicts)
	doc.Devices, doc.Changes = orEmpty(doc.Devices), orEmpty(doc.Changes)
	return doc
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// devices summarizes the history by device and author, in order of first change.
func devices(changes []model.HistoryEntry) []DeviceSummary {
	var out []DeviceSummary
	at := map[[2]string]int{}
	for _, h := range changes {
		k := [2]string{h.Device, h.Author}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, DeviceSummary{Device: h.Device, Author: h.Author, First: h.At})
		}
		out[i].Changes++
		if h.At.After(out[i].Last) {
			out[i].Last = h.At
		}
		if h.At.Before(out[i].First) {
			out[i].First = h.At
		}
	}
	return out
}

func photoName(p []byte) string {
	switch http.DetectContentType(p) {
	case "image/png":
		return "photo.png"
	case "image/gif":
		return "photo.gif"
	case "image/webp":
		return "photo.webp"
	}
	return "photo.jpg"
}

// FileName suggests a name for the export of customer id: the ID, not the
// name, so a file listing says nothing about the person.
func FileName(id model.ID) string {
	return "auskunft-" + id.String() + ".zip"
}

// Write writes the ZIP of d to w; lang ("de" or "en", German otherwise
// for "" too) is the language of summary.html.
func Write(w io.Writer, d *model.SubjectData, lang string) error {
	doc := NewDocument(d)
	js, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return model.WrapError(model.EINTERNAL, err, "encode data.json")
	}
	var card bytes.Buffer
	photos := func(string) ([]byte, error) { return d.Photo, nil }
	c := d.Customer
	if err := vcard.Encode(&card, []*model.Customer{&c}, photos, vcard.EncodeOptions{}); err != nil {
		return err
	}
	var page bytes.Buffer
	if err := writeSummary(&page, &doc, lang); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write summary.html")
	}
	files := []struct {
		name string
		data []byte
	}{{"summary.html", page.Bytes()}, {"data.json", js}, {"contact.vcf", card.Bytes()}}
	if d.Photo != nil {
		files = append(files, struct {
			name string
			data []byte
		}{doc.Photo, d.Photo})
	}
	zw := zip.NewWriter(w)
	for _, f := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: d.Exported})
		if err == nil {
			_, err = fw.Write(f.data)
		}
		if err != nil {
			return model.WrapError(model.EINTERNAL, err, "write %s", f.name)
		}
	}
	if err := zw.Close(); err != nil {
		return model.WrapError(model.EINTERNAL, err, "write ZIP")
	}
	return nil
}

// language returns the summary language for lang.
func language(lang string) string {
	if strings.HasPrefix(strings.ToLower(lang), "en") {
		return "en"
	}
	return "de"
}

func formatTime(t time.Time, lang string) string {
	if t.IsZero() {
		return ""
	}
	if lang == "en" {
		return t.Local().Format("2006-01-02 15:04")
	}
	return t.Local().Format("02.01.2006 15:04")
}

func formatDate(d model.Date, lang string) string {
	switch {
	case d.IsZero():
		return ""
	case !d.HasYear() && lang == "en":
		return fmt.Sprintf("--%02d-%02d", d.Month, d.Day)
	case !d.HasYear():
		return fmt.Sprintf("%02d.%02d.", d.Day, d.Month)
	case lang == "en":
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return fmt.Sprintf("%02d.%02d.%04d", d.Day, d.Month, d.Year)
}
