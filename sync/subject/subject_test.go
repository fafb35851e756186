package subject_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/subject"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// fill stores a person with every kind of record, a duplicate merged into
// her, and another customer; it returns her ID.
func fill(t *testing.T, db *storage.DB) model.ID {
	t.Helper()
	c := &model.Customer{GivenName: "Éloïse", FamilyName: "Dürrenmatt", Emails: []model.Email{{Address: "eloise@example.ch"}},
		Consents: []model.Consent{{Channel: model.ChannelEmail, Purpose: "Newsletter", GivenAt: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), Withdrawn: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}}}
	must(t, db.CreateCustomer(c))
	n := &model.Note{CustomerID: c.ID, Kind: model.NoteVisit, Text: "Erste Fassung <script>alert(1)</script>"}
	must(t, db.AddNote(n))
	must(t, db.ReviseNote(n.ID, &model.Note{CustomerID: c.ID, Kind: model.NoteVisit, Text: "Zweite Fassung"}))
	gone := &model.Note{CustomerID: c.ID, Kind: model.NoteCall, Text: "Gelöschte Notiz"}
	must(t, db.AddNote(gone))
	must(t, db.DeleteNote(gone.ID))
	must(t, db.CreateFollowUp(&model.FollowUp{CustomerID: c.ID, Due: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), Title: "Nachfassen", TZ: "Europe/Zurich"}))
	ev := &model.Event{Name: "Herbstapéro", Start: time.Date(2026, 10, 1, 17, 0, 0, 0, time.UTC)}
	must(t, db.CreateEvent(ev))
	_, err := db.Invite(ev.ID, []model.ID{c.ID}, model.Gesture{Kind: model.GestureInvite, Title: "Einladung", Status: model.GestureOffered})
	must(t, err)
	dup := &model.Customer{GivenName: "Eloise", FamilyName: "Duerrenmatt", Emails: []model.Email{{Address: "e.d@example.org"}}}
	must(t, db.CreateCustomer(dup))
	must(t, db.AddNote(&model.Note{CustomerID: dup.ID, Kind: model.NoteFair, Text: "Notiz der Dublette"}))
	must(t, db.MergeCustomers(c.ID, dup.ID))
	other := &model.Customer{GivenName: "Other", FamilyName: "Person"}
	must(t, db.CreateCustomer(other))
	must(t, db.AddNote(&model.Note{CustomerID: other.ID, Kind: model.NoteCall, Text: "not hers"}))
	return c.ID
}

func unzip(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(r)
		must(t, err)
		out[f.Name] = b
	}
	return out
}

// recordsFromLog lists the notes, follow-ups and gestures the change log
// says belong to the customers in custs: an account of the database that
// does not go through SubjectData.
func recordsFromLog(t *testing.T, db *storage.DB, custs map[model.ID]bool) []string {
	t.Helper()
	ops, _, err := db.Ops(0, 0)
	must(t, err)
	var out []string
	for _, op := range ops {
		if op.Field != model.FieldAll || op.Type == model.TypeCustomer || op.Type == model.TypeEvent {
			continue
		}
		var ref struct {
			CustomerID model.ID `json:"customer_id"`
		}
		must(t, json.Unmarshal(op.Value, &ref))
		if custs[ref.CustomerID] {
			out = append(out, string(op.Type)+" "+op.ID.String())
		}
	}
	sort.Strings(out)
	return out
}

func TestExportHoldsEveryRecordOfThePerson(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{})
	must(t, err)
	defer db.Close()
	id := fill(t, db)
	d, err := db.SubjectData(id)
	must(t, err)
	var buf bytes.Buffer
	must(t, subject.Write(&buf, d, "de"))
	files := unzip(t, buf.Bytes())
	for _, name := range []string{"summary.html", "data.json", "contact.vcf"} {
		if len(files[name]) == 0 {
			t.Fatalf("ZIP lacks %s; has %d files", name, len(files))
		}
	}
	var doc subject.Document
	must(t, json.Unmarshal(files["data.json"], &doc))
	custs := map[model.ID]bool{id: true}
	for _, m := range doc.Merged {
		custs[m.ID] = true
	}
	var got []string
	for _, n := range doc.Notes {
		got = append(got, "note "+n.ID.String())
	}
	for _, f := range doc.FollowUps {
		got = append(got, "followup "+f.ID.String())
	}
	for _, g := range doc.Gestures {
		got = append(got, "gesture "+g.ID.String())
	}
	sort.Strings(got)
	want := recordsFromLog(t, db, custs)
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(want) != 6 {
		t.Errorf("records in data.json:\n%s\nwant (from the change log, 6):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(doc.Merged) != 1 || len(doc.Events) != 1 || len(doc.Customer.Consents) != 1 || len(doc.Devices) != 1 || doc.Devices[0].Device != db.DeviceID() {
		t.Errorf("got %d merged, %d events, %d consents, devices %+v; want 1 each, this device", len(doc.Merged), len(doc.Events), len(doc.Customer.Consents), doc.Devices)
	}
	cards, problems, err := vcard.Parse(bytes.NewReader(files["contact.vcf"]))
	must(t, err)
	if len(cards) != 1 || len(problems) != 0 || cards[0].Customer.FamilyName != "Dürrenmatt" {
		t.Errorf("contact.vcf: got %d cards, problems %v", len(cards), problems)
	}
	html := string(files["summary.html"])
	for _, s := range []string{"Einwilligungen", "Dürrenmatt", "Zweite Fassung", "Gelöschte Notiz", "Notiz der Dublette", "Herbstapéro", "&lt;script&gt;"} {
		if !strings.Contains(html, s) {
			t.Errorf("summary.html lacks %q", s)
		}
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "not hers") {
		t.Errorf("summary.html holds an unescaped script or another customer's note")
	}
	checkWithPython(t, files["data.json"])
	checkWithVobject(t, files["contact.vcf"], "Éloïse Dürrenmatt")
}

// checkWithVobject has python3-vobject read the vCard, when it is installed.
func checkWithVobject(t *testing.T, card []byte, fn string) {
	t.Helper()
	if exec.Command("/usr/bin/python3", "-c", "import vobject").Run() != nil {
		t.Log("no python3-vobject; contact.vcf checked by Go only")
		return
	}
	path := filepath.Join(t.TempDir(), "contact.vcf")
	must(t, os.WriteFile(path, card, 0o600))
	out, err := exec.Command("/usr/bin/python3", "-c", "import sys, vobject; print(vobject.readOne(open(sys.argv[1], encoding='utf-8').read()).fn.value)", path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != fn {
		t.Errorf("python3-vobject: got %q, %v; want FN %q", out, err, fn)
	}
}

func TestEmptyListsAreEmptyArrays(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{})
	must(t, err)
	defer db.Close()
	c := &model.Customer{GivenName: "Nur", FamilyName: "Kontakt"}
	must(t, db.CreateCustomer(c))
	d, err := db.SubjectData(c.ID)
	must(t, err)
	js, err := json.Marshal(subject.NewDocument(d))
	must(t, err)
	var raw map[string]json.RawMessage
	must(t, json.Unmarshal(js, &raw))
	for _, k := range []string{"merged_duplicates", "notes", "follow_ups", "gestures", "events", "conflicts", "devices", "changes"} {
		if string(raw[k]) == "null" || raw[k] == nil {
			t.Errorf("%s: got %s, want a list", k, raw[k])
		}
	}
}

// checkWithPython has Python's JSON tool read data.json, when it is installed.
func checkWithPython(t *testing.T, js []byte) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Log("no /usr/bin/python3; data.json checked by Go only")
		return
	}
	path := filepath.Join(t.TempDir(), "data.json")
	must(t, os.WriteFile(path, js, 0o600))
	if out, err := exec.Command("/usr/bin/python3", "-m", "json.tool", path).CombinedOutput(); err != nil {
		t.Errorf("python3 -m json.tool: %v\n%s", err, out)
	}
}

func TestSummaryLanguages(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{})
	must(t, err)
	defer db.Close()
	d, err := db.SubjectData(fill(t, db))
	must(t, err)
	tests := []struct {
		name, lang, want string
	}{
		{"German", "de", "Einwilligungen (mit Verlauf)"},
		{"English", "en", "Consents (with history)"},
		{"system default is German", "", "Einwilligungen (mit Verlauf)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			must(t, subject.Write(&buf, d, tt.lang))
			if html := string(unzip(t, buf.Bytes())["summary.html"]); !strings.Contains(html, tt.want) {
				t.Errorf("summary in %q lacks %q", tt.lang, tt.want)
			}
		})
	}
}
