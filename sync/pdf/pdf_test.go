package pdf

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// The tests read the PDFs back with poppler's pdftotext and pdfinfo
// (`apt-get install -y poppler-utils`). They are skipped when the programs
// are missing, unless PDF_REQUIRE_TOOLS=1, which `make test` sets so a
// missing install step fails instead of passing quietly.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		msg := fmt.Sprintf("%s not found (%v): apt-get install -y poppler-utils", name, err)
		if os.Getenv("PDF_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// pdfText writes data to a file and returns pdftotext's text and pdfinfo's
// page count.
func pdfText(t *testing.T, data []byte) (string, int) {
	t.Helper()
	needTool(t, "pdftotext")
	needTool(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "out.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	text, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	pages := 0
	for _, l := range strings.Split(string(info), "\n") {
		if strings.HasPrefix(l, "Pages:") {
			fmt.Sscan(strings.TrimPrefix(l, "Pages:"), &pages)
		}
	}
	return string(text), pages
}

var printed = time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)

// testWords are German words with plain formats; the GUI's come from its
// translations.
func testWords() Words {
	return Words{
		Contact: "Kontakt", Complaint: "Offene Beschwerde", FollowUps: "Offene Nachfassaktionen", Gestures: "Aktive Treuegesten",
		Notes: "Letzte Notizen", Memo: "Memo", NoFollowUps: "Keine offenen Nachfassaktionen.", NoGestures: "Keine aktiven Treuegesten.",
		NoNotes: "Noch keine Notizen.", Email: "E-Mail", Phone: "Telefon", Address: "Adresse", Website: "Website", Birthday: "Geburtstag",
		Segment: "Segment", Since: "Kunde seit", LastContact: "Letzter Kontakt", Never: "nie", ValidUntil: "gültig bis",
		Footer:   "Gedruckt am 07.12.2026 von Anna Müller",
		More:     func(n int) string { return fmt.Sprintf("… und %d weitere", n) },
		Percent:  func(p int) string { return fmt.Sprintf("%d %%", p) },
		Date:     func(t time.Time) string { return t.Format("02.01.2006") },
		DateTime: func(t time.Time) string { return t.Format("02.01.2006 15:04") },
		Day:      func(d model.Date) string { return d.Time(2000, time.UTC).Format("02.01.2006") },
		Money: func(m int64, cur string) string {
			return fmt.Sprintf("%s %d,%02d", strings.ReplaceAll(cur, "EUR", "€"), m/100, m%100)
		},
		NoteKind:      func(k model.NoteKind) string { return "Art:" + string(k) },
		Impression:    func(i model.Impression) string { return "Eindruck:" + string(i) },
		GestureKind:   func(k model.GestureKind) string { return "Geste:" + string(k) },
		GestureStatus: func(s model.GestureStatus) string { return "Status:" + string(s) },
		Label:         func(l string) string { return "L:" + l },
		Segments:      func(s string) string { return "Seg:" + s },
	}
}

func day(d int) time.Time { return printed.AddDate(0, 0, d) }

// timeline is a customer with a bit of everything, umlauts included.
func timeline() *model.Timeline {
	c := model.Customer{Kind: model.Person, GivenName: "Jörg", FamilyName: "Weiß-Łukasiewicz", Company: "Bäckerei Süß & Söhne GmbH",
		Position: "Inhaber", Segment: model.SegmentKey, Since: model.Date{Year: 2019, Month: 3, Day: 1},
		Emails:    []model.Email{{Label: model.LabelWork, Address: "joerg@baeckerei-suess.ch"}},
		Phones:    []model.Phone{{Label: model.LabelMobile, Number: "+41 79 123 45 67"}},
		Addresses: []model.Address{{Label: model.LabelWork, Street: "Hauptstraße 5", PostalCode: "8001", City: "Zürich", Country: "Schweiz"}},
		Birthday:  model.Date{Month: 4, Day: 15}, Memo: "Mag keinen Kaffee, lieber Grüntee."}
	c.ID = model.NewID()
	tl := &model.Timeline{Customer: c}
	tl.Notes = []model.Note{
		{At: day(-2), Kind: model.NoteComplaint, Text: "Lieferung zu spät, Brötchen kalt.", Impression: model.Negative, By: "Anna"},
		{At: day(-5), Kind: model.NoteVisit, Text: "Neue Öfen angeschaut; Interesse an Wartungsvertrag für 2027.", Impression: model.Positive, By: "Beat"},
		{At: day(-40), Kind: model.NoteCall, Text: "Rückruf wegen Rechnung № 17.", Impression: model.Neutral},
	}
	tl.Stats = model.Stats{LastContact: day(-2), LastComplaint: day(-2), OpenComplaint: true}
	tl.FollowUps = []model.FollowUp{
		{Due: day(9), Title: "Angebot Wartung schicken", Details: "Preis in € und CHF", Status: model.FollowUpOpen},
		{Due: day(3), Title: "Entschuldigung anrufen", Status: model.FollowUpOpen},
		{Due: day(-9), Title: "Erledigtes", Status: model.FollowUpDone},
	}
	tl.Gestures = []model.Gesture{
		{Title: "Gutschein Grüntee", Kind: model.GestureGift, Status: model.GestureOffered, Amount: 2550, Currency: "EUR",
			ValidUntil: model.Date{Year: 2026, Month: 12, Day: 31}},
		{Title: "Abgelaufener Rabatt", Kind: model.GestureDiscount, Status: model.GestureOffered, Percent: 10,
			ValidUntil: model.Date{Year: 2026, Month: 12, Day: 6}},
		{Title: "Eingelöstes Geschenk", Kind: model.GestureGift, Status: model.GestureRedeemed},
	}
	return tl
}

func TestSheetOf(t *testing.T) {
	today := model.DateOf(printed)
	tl := timeline()
	s := SheetOf(tl, today)
	if s.Complaint == nil || s.Complaint.Text != tl.Notes[0].Text {
		t.Errorf("complaint: got %+v, want the open one", s.Complaint)
	}
	if len(s.Notes) != 2 || s.Notes[0].Kind != model.NoteVisit {
		t.Errorf("notes: got %d, want the 2 besides the complaint, newest first", len(s.Notes))
	}
	if len(s.FollowUps) != 2 || s.FollowUps[0].Title != "Entschuldigung anrufen" {
		t.Errorf("follow-ups: got %+v, want the 2 open ones, soonest first", s.FollowUps)
	}
	if len(s.Gestures) != 1 || s.Gestures[0].Title != "Gutschein Grüntee" {
		t.Errorf("gestures: got %+v, want only the offered one still valid", s.Gestures)
	}

	tl.Stats.OpenComplaint = false
	for i := 0; i < 20; i++ {
		tl.Notes = append(tl.Notes, model.Note{At: day(-100 - i), Kind: model.NoteCall, Text: "alt"})
	}
	s = SheetOf(tl, today)
	if s.Complaint != nil || len(s.Notes) != sheetNotes || s.Notes[0].Kind != model.NoteComplaint {
		t.Errorf("closed complaint: got complaint %v and %d notes, want none and %d notes, the complaint first", s.Complaint, len(s.Notes), sheetNotes)
	}
}

func TestWriteSheet(t *testing.T) {
	tl := timeline()
	s := SheetOf(tl, model.DateOf(printed))
	var buf bytes.Buffer
	if err := WriteSheet(&buf, &s, testWords(), printed); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := WriteSheet(&again, &s, testWords(), printed); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Errorf("the same sheet twice gave different bytes")
	}
	text, pages := pdfText(t, buf.Bytes())
	if pages != 1 {
		t.Errorf("pages: got %d, want 1", pages)
	}
	for _, want := range []string{
		"Jörg Weiß-Łukasiewicz", "Inhaber · Bäckerei Süß & Söhne GmbH", "Segment: Seg:key", "Kunde seit 01.03.2019",
		"Letzter Kontakt: 05.12.2026", "Telefon (L:mobile)", "+41 79 123 45 67", "joerg@baeckerei-suess.ch",
		"Hauptstraße 5", "8001 Zürich", "Geburtstag", "15.04.", "Offene Beschwerde", "Lieferung zu spät, Brötchen kalt.",
		"Offene Nachfassaktionen", "10.12.2026 10:30 · Entschuldigung anrufen", "Angebot Wartung schicken", "Preis in € und CHF",
		"Aktive Treuegesten", "Gutschein Grüntee · Geste:gift · Status:offered · € 25,50 · gültig bis 31.12.2026",
		"Memo", "lieber Grüntee", "Letzte Notizen", "02.12.2026 · Art:visit · Beat · Eindruck:positive", "Rückruf wegen Rechnung № 17.",
		"Gedruckt am 07.12.2026 von Anna Müller",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("sheet text lacks %q:\n%s", want, text)
		}
	}
	for _, absent := range []string{"Erledigtes", "Abgelaufener Rabatt", "Eingelöstes Geschenk"} {
		if strings.Contains(text, absent) {
			t.Errorf("sheet shows %q, which is over", absent)
		}
	}
}

// TestWriteSheetStaysOnOnePage: long notes and many follow-ups are cut
// and counted, the page count stays one.
func TestWriteSheetStaysOnOnePage(t *testing.T) {
	tl := timeline()
	long := strings.Repeat("Sehr lange Notiz über Öfen, Größen und Maße. ", 30)
	for i := range tl.Notes {
		tl.Notes[i].Text = long
	}
	for i := 0; i < 40; i++ {
		tl.FollowUps = append(tl.FollowUps, model.FollowUp{Due: day(20 + i), Title: fmt.Sprintf("Nachfassen %d", i), Status: model.FollowUpOpen})
	}
	s := SheetOf(tl, model.DateOf(printed))
	var buf bytes.Buffer
	if err := WriteSheet(&buf, &s, testWords(), printed); err != nil {
		t.Fatal(err)
	}
	text, pages := pdfText(t, buf.Bytes())
	if pages != 1 {
		t.Errorf("pages: got %d, want 1", pages)
	}
	if !strings.Contains(text, "weitere") || !strings.Contains(text, "…") {
		t.Errorf("no count of what was left out, or no cut text:\n%s", text)
	}
	if !strings.Contains(text, "Gedruckt am") {
		t.Errorf("footer missing")
	}
}

func TestWriteList(t *testing.T) {
	l := List{Title: "Heute, 07.12.2026", Subtitle: "Kundenkartei", Footer: "Gedruckt am 07.12.2026"}
	rows := make([]ListRow, 120)
	for i := range rows {
		rows[i] = ListRow{Title: fmt.Sprintf("Kunde %d · Größe %d", i, i), Detail: "Überfällig seit 3 Tagen · € 12,50"}
	}
	l.Sections = []ListSection{
		{Heading: "Nachfassaktionen", Rows: rows, More: "… und 500 weitere"},
		{Heading: "Offene Beschwerden", Empty: "Keine offenen Beschwerden."},
	}
	var buf bytes.Buffer
	if err := WriteList(&buf, &l, printed); err != nil {
		t.Fatal(err)
	}
	text, pages := pdfText(t, buf.Bytes())
	if pages < 2 {
		t.Errorf("pages: got %d, want the 120 rows to flow onto several", pages)
	}
	for _, want := range []string{"Heute, 07.12.2026", "Kunde 0 · Größe 0", "Kunde 119 · Größe 119", "Überfällig seit 3 Tagen · € 12,50",
		"… und 500 weitere", "Keine offenen Beschwerden.", fmt.Sprintf("Gedruckt am 07.12.2026 · 1/%d", pages), fmt.Sprintf("%d/%d", pages, pages)} {
		if !strings.Contains(text, want) {
			t.Errorf("list text lacks %q", want)
		}
	}
}
