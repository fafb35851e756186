package csv

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestDetectMapping(t *testing.T) {
	tests := []struct {
		header string
		want   Column
	}{
		{"Vorname", Column{Field: GivenName}},
		{"First Name", Column{Field: GivenName}},
		{"Given Name", Column{Field: GivenName}},
		{"Nachname", Column{Field: FamilyName}},
		{"Last Name", Column{Field: FamilyName}},
		{"Firma", Column{Field: Company}},
		{"Company", Column{Field: Company}},
		{"Organization 1 - Name", Column{Field: Company}},
		{"E-Mail", Column{Field: Email}},
		{"Email", Column{Field: Email}},
		{"E-mail 2 Address", Column{Field: Email}},
		{"E-mail 1 - Value", Column{Field: Email}},
		{"E-Mail-Adresse", Column{Field: Email}},
		{"Telefon", Column{Field: Phone}},
		{"Phone", Column{Field: Phone}},
		{"Telefon geschäftlich", Column{Field: Phone, Label: model.LabelWork}},
		{"Business Phone", Column{Field: Phone, Label: model.LabelWork}},
		{"Mobile", Column{Field: Mobile, Label: model.LabelMobile}},
		{"Handy", Column{Field: Mobile, Label: model.LabelMobile}},
		{"Mobile Phone", Column{Field: Mobile, Label: model.LabelMobile}},
		{"Mobiltelefon", Column{Field: Mobile, Label: model.LabelMobile}},
		{"Strasse", Column{Field: Street}},
		{"Straße", Column{Field: Street}},
		{"Street", Column{Field: Street}},
		{"Straße privat", Column{Field: Street, Label: model.LabelHome}},
		{"Business Street 2", Column{Field: Street, Label: model.LabelWork}},
		{"PLZ", Column{Field: PostalCode}},
		{"Postal Code", Column{Field: PostalCode}},
		{"ZIP", Column{Field: PostalCode}},
		{"Postleitzahl geschäftlich", Column{Field: PostalCode, Label: model.LabelWork}},
		{"Ort", Column{Field: City}},
		{"City", Column{Field: City}},
		{"Land", Column{Field: Country}},
		{"Country", Column{Field: Country}},
		{"Business Country/Region", Column{Field: Country, Label: model.LabelWork}},
		{"Geburtstag", Column{Field: Birthday}},
		{"Birthday", Column{Field: Birthday}},
		{"Notiz", Column{Field: Notes}},
		{"Notes", Column{Field: Notes}},
		{"Tags", Column{Field: Tags}},
		{"Kategorien", Column{Field: Tags}},
		{"Group Membership", Column{Field: Tags}},
		{"Anrede", Column{Field: Salutation}},
		{"Title", Column{Field: NamePrefix}},
		{"Titel", Column{Field: NamePrefix}},
		{"Name Prefix", Column{Field: NamePrefix}},
		{"Suffix", Column{Field: NameSuffix}},
		{"Name Suffix", Column{Field: NameSuffix}},
		{"Namenszusatz", Column{Field: NameSuffix}},
		{"Abteilung", Column{Field: Department}},
		{"Department", Column{Field: Department}},
		{"Organization 1 - Department", Column{Field: Department}},
		{"Briefanrede", Column{}},
		{"Job Title", Column{Field: Position}},
		{"\ufeffVorname", Column{Field: GivenName}},
		{"Lieblingsfarbe", Column{}},
		{"Phone 1 - Type", Column{}},
		{"Home", Column{}},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := DetectMapping([]string{tt.header})[0]; got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// summary is what the dialect tests compare of a customer.
func summary(c *model.Customer) string {
	c2 := *c
	b, _ := json.Marshal(struct {
		S, G, F, Co, P string
		Pre, Suf, Dep  string
		E              []model.Email
		Ph             []model.Phone
		A              []model.Address
		W, B, M        string
		T, U           []string
		Kind           model.CustomerKind
	}{c2.Salutation, c2.GivenName, c2.FamilyName, c2.Company, c2.Position, c2.NamePrefix, c2.NameSuffix, c2.Department, c2.Emails, c2.Phones, c2.Addresses, c2.Website,
		c2.Birthday.String(), c2.Memo, c2.Tags, c2.ExternalUIDs, c2.Kind})
	return string(b)
}

func TestReadDialects(t *testing.T) {
	work, home, mobile := model.LabelWork, model.LabelHome, model.LabelMobile
	tests := []struct {
		name     string
		file     string
		comma    rune
		bom      bool
		want     []model.Customer
		problems []vcard.Problem // Card, Line and Field only
	}{
		{
			name: "German Excel: BOM, semicolon, CRLF, multi-line street, date without year", file: "excel-de.csv", comma: ';', bom: true,
			want: []model.Customer{
				{Kind: model.Person, Salutation: "Herr", GivenName: "Jürgen", FamilyName: "Müller", Company: "Bäckerei Müller AG",
					Emails:    []model.Email{{Address: "juergen@baeckerei-mueller.ch"}},
					Phones:    []model.Phone{{Number: "+41 44 123 45 67"}, {Label: mobile, Number: "079 555 12 34"}},
					Addresses: []model.Address{{Street: "Bahnhofstraße 12\nHinterhaus", PostalCode: "8001", City: "Zürich", Country: "Schweiz"}},
					Birthday:  model.Date{Year: 1968, Month: time.February, Day: 29}, Memo: `Mag Gipfeli; ruft "gern" an`,
					Tags: []string{"Kunden", "Messe Basel 2026"}},
				{Kind: model.Person, Salutation: "Frau", GivenName: "Käthi", FamilyName: "Weiß",
					Emails:    []model.Email{{Address: "kaethi@weiss.de"}},
					Addresses: []model.Address{{Street: "Schloßallee 5", PostalCode: "10115", City: "Berlin", Country: "Deutschland"}},
					Birthday:  model.Date{Month: time.April, Day: 15}},
				{Kind: model.Company, Company: "Schreinerei Zürcher AG",
					Emails:    []model.Email{{Address: "info@schreinerei-zuercher.ch"}},
					Phones:    []model.Phone{{Number: "044 987 65 43"}},
					Addresses: []model.Address{{Street: "Seestrasse 8", PostalCode: "8700", City: "Küsnacht", Country: "Schweiz"}},
					Tags:      []string{"Lieferanten"}},
				{Kind: model.Person, Salutation: "Herr", GivenName: "Otto", FamilyName: "Fehler"},
				{Kind: model.Person, Emails: []model.Email{{Address: "nur@email.ch"}}},
			},
			problems: []vcard.Problem{{Card: 4, Line: 6, Field: "E-Mail"}, {Card: 4, Line: 6, Field: "Telefon"}, {Card: 4, Line: 6, Field: "Geburtstag"}}, // row 5, only an email, is kept
		},
		{
			name: "German Outlook export in Windows-1252 with business and home addresses", file: "outlook-de-ansi.csv", comma: ';',
			want: []model.Customer{{Kind: model.Person, GivenName: "Sébastien", FamilyName: "Brändli", Company: "Brändli Optik GmbH",
				Emails: []model.Email{{Address: "seb@braendli-optik.ch"}},
				Phones: []model.Phone{{Label: work, Number: "061 222 33 44"}, {Label: mobile, Number: "+41 79 876 54 32"}},
				Addresses: []model.Address{{Label: work, Street: "Freie Strasse 35", PostalCode: "4001", City: "Basel", Country: "Schweiz"},
					{Label: home, Street: "Güterstraße 101", PostalCode: "4053", City: "Basel"}},
				Memo: "Größere Bestellung geplant", Tags: []string{"Kunden"}}},
		},
		{
			name: "English Outlook: comma, LF, two street lines, quoted newline", file: "outlook-en.csv", comma: ',',
			want: []model.Customer{{Kind: model.Person, GivenName: "Lukas", FamilyName: "Öztürk", Company: "Stadt Zürich", Position: "Projektleiter",
				Emails:    []model.Email{{Address: "l.oeztuerk@stadt-zuerich.ch"}, {Address: "lukas@gmail.com"}},
				Phones:    []model.Phone{{Label: work, Number: "+41 44 412 00 00"}, {Label: mobile, Number: "+41 76 345 67 89"}},
				Addresses: []model.Address{{Label: work, Street: "Birmensdorferstraße 150\n3. Stock", PostalCode: "8003", City: "Zürich", Country: "Switzerland"}},
				Birthday:  model.Date{Year: 1980, Month: time.April, Day: 15}, Memo: "Line one\nline two", Tags: []string{"Kunden", "VIP"}}},
		},
		{
			name: "Google Contacts CSV", file: "google.csv", comma: ',',
			want: []model.Customer{{Kind: model.Person, GivenName: "Chloé", FamilyName: "Fässler",
				Emails:    []model.Email{{Address: "chloe@example.com"}},
				Phones:    []model.Phone{{Number: "+33 6 12 34 56 78"}},
				Addresses: []model.Address{{Street: "Rue du Lac 3", PostalCode: "1200", City: "Genève", Region: "GE", Country: "Schweiz"}},
				Birthday:  model.Date{Month: time.April, Day: 15}, Tags: []string{"Kunden"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read(bytes.NewReader(readFile(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if f.Comma != tt.comma || f.BOM != tt.bom {
				t.Errorf("got comma %q bom %v, want %q %v", f.Comma, f.BOM, tt.comma, tt.bom)
			}
			cards, problems := f.Cards(DetectMapping(f.Header))
			if len(cards) != len(tt.want) {
				t.Fatalf("got %d cards, want %d", len(cards), len(tt.want))
			}
			for i := range tt.want {
				if got, want := summary(&cards[i].Customer), summary(&tt.want[i]); got != want {
					t.Errorf("row %d:\ngot  %s\nwant %s", i+1, got, want)
				}
			}
			var got []vcard.Problem
			for _, p := range problems {
				got = append(got, vcard.Problem{Card: p.Card, Line: p.Line, Field: p.Field})
			}
			if !reflect.DeepEqual(got, tt.problems) {
				t.Errorf("got problems %v, want %v", problems, tt.problems)
			}
		})
	}
}

func TestBadRowsReportedWithLine(t *testing.T) {
	f, err := Read(bytes.NewReader(readFile(t, "broken.csv")))
	if err != nil {
		t.Fatal(err)
	}
	cards, problems := f.Cards(DetectMapping(f.Header))
	var names []string
	for _, c := range cards {
		names = append(names, c.Customer.GivenName)
	}
	if want := []string{"Beat", "Ursula"}; !reflect.DeepEqual(names, want) {
		t.Errorf("got rows %q, want %q", names, want)
	}
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	// Line 3 has a bare quote, line 4 a field too many, line 5 a quote
	// that never closes.
	if want := []int{3, 5, 4}; !reflect.DeepEqual(lines, want) {
		t.Errorf("got problems at lines %v, want %v: %v", lines, want, problems)
	}
}

func goldenCustomers() []*model.Customer {
	id, _ := model.ParseID("01935d8c-0000-7000-8000-000000000001")
	given := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	return []*model.Customer{{
		Meta: model.Meta{ID: id}, Kind: model.Person, Salutation: "Herr", NamePrefix: "Dr.", NameSuffix: "jun.", GivenName: "Jürgen", FamilyName: "Müller",
		Company: "Bäckerei Müller; Söhne", Department: "Verkauf", Position: "Inhaber",
		Emails:    []model.Email{{Address: "juergen@baeckerei-mueller.ch"}, {Address: "j@bluewin.ch"}},
		Phones:    []model.Phone{{Number: "+41 44 123 45 67"}, {Label: model.LabelMobile, Number: "079 555 12 34"}},
		Addresses: []model.Address{{Street: "Bahnhofstraße 12\nHinterhaus", PostalCode: "8001", City: "Zürich", Region: "ZH", Country: "Schweiz"}},
		Birthday:  model.Date{Month: time.February, Day: 29}, Memo: `Sagt "Grüezi"`, Tags: []string{"Kunden", "Messe Basel 2026"},
		Consents:     []model.Consent{{Channel: model.ChannelEmail, Purpose: "Newsletter", GivenAt: given, Source: "fair"}},
		ExternalUIDs: []string{"5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE"},
	}, {
		Meta: model.Meta{ID: id}, Kind: model.Company, Company: "=SUMME(A1)", Website: "https://zuercher.ch",
		Emails:       []model.Email{{Address: "info@zuercher.ch"}},
		Consents:     []model.Consent{{Channel: model.ChannelEmail, GivenAt: given, Withdrawn: given.AddDate(0, 1, 0)}},
		ExternalUIDs: []string{"x-2"},
	}, {
		Meta: model.Meta{ID: id}, Kind: model.Person, GivenName: "Søren", FamilyName: "Weiß", Birthday: model.Date{Year: 1975, Month: time.November, Day: 30},
		Emails:       []model.Email{{Address: "soeren@weiss.ch"}},
		Consents:     []model.Consent{{Channel: model.ChannelPhone, GivenAt: given}},
		ExternalUIDs: []string{"x-3"},
	}}
}

func TestWriteGolden(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		dialect Dialect
		mailing bool
	}{
		{"excel", Excel, false}, {"rfc4180", RFC4180, false}, {"mailing-excel", Excel, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			var err error
			if tt.mailing {
				var n int
				n, err = WriteMailingList(&out, goldenCustomers(), now, WriteOptions{Dialect: tt.dialect})
				if n != 1 {
					t.Errorf("got %d on the mailing list, want 1 (only an active email consent counts)", n)
				}
			} else {
				err = Write(&out, goldenCustomers(), WriteOptions{Dialect: tt.dialect})
			}
			if err != nil {
				t.Fatal(err)
			}
			b := out.Bytes()
			if tt.dialect == Excel != bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
				t.Errorf("BOM: got %q…, want BOM only for Excel", b[:3])
			}
			if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) || !bytes.HasSuffix(b, []byte("\r\n")) {
				t.Errorf("got a line break other than CRLF")
			}
			golden := filepath.Join("testdata", "export-"+tt.name+".csv")
			if *update {
				if err := os.WriteFile(golden, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := readFile(t, "export-"+tt.name+".csv"); !bytes.Equal(b, want) {
				t.Errorf("got\n%s\nwant\n%s", b, want)
			}
		})
	}
}

// TestWriteReadRoundTrip writes customers and reads them back with the
// detected mapping: what CSV can hold comes back unchanged.
func TestWriteReadRoundTrip(t *testing.T) {
	for _, d := range []Dialect{Excel, RFC4180} {
		var out bytes.Buffer
		cs := goldenCustomers()
		if err := Write(&out, cs, WriteOptions{Dialect: d}); err != nil {
			t.Fatal(err)
		}
		f, err := Read(&out)
		if err != nil {
			t.Fatal(err)
		}
		cards, problems := f.Cards(DetectMapping(f.Header))
		if len(problems) != 0 || len(cards) != len(cs) {
			t.Fatalf("dialect %d: got %d cards, problems %v", d, len(cards), problems)
		}
		for i, c := range cs {
			want := *c
			want.Meta, want.Consents = model.Meta{}, nil
			if got, w := summary(&cards[i].Customer), summary(&want); got != w {
				t.Errorf("dialect %d, row %d:\ngot  %s\nwant %s", d, i+1, got, w)
			}
		}
	}
}

func openDB(tb testing.TB) *storage.DB {
	tb.Helper()
	db, err := storage.Open(filepath.Join(tb.TempDir(), "k.db"), storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Check(); err != nil {
			tb.Errorf("check: %v", err)
		}
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// TestImportTwiceAddsNothing runs the shared preview and apply on CSV rows:
// the second import of the same file matches every row and changes nothing.
func TestImportTwiceAddsNothing(t *testing.T) {
	for _, name := range []string{"excel-de.csv", "outlook-de-ansi.csv", "outlook-en.csv", "google.csv"} {
		t.Run(name, func(t *testing.T) {
			db := openDB(t)
			run := func() (vcard.Counts, vcard.Result) {
				f, err := Read(bytes.NewReader(readFile(t, name)))
				if err != nil {
					t.Fatal(err)
				}
				cards, _ := f.Cards(DetectMapping(f.Header))
				plan, err := vcard.Preview(context.Background(), cards, db, vcard.PreviewOptions{})
				if err != nil {
					t.Fatal(err)
				}
				res, err := plan.Apply(context.Background(), db, vcard.Choices{New: vcard.Add, Matching: vcard.Update, Problem: vcard.Update}, nil)
				if err != nil {
					t.Fatal(err)
				}
				return plan.Counts(), res
			}
			_, first := run()
			if first.Added == 0 {
				t.Fatalf("first import added nothing: %+v", first)
			}
			n := db.Directory().Len()
			counts, second := run()
			if counts.New != 0 || second.Added != 0 || second.Updated != 0 || db.Directory().Len() != n {
				t.Errorf("second import: got %+v %+v, want nothing new", counts, second)
			}
		})
	}
}

// FuzzRead checks that reading and mapping never panic and that every row
// keeps a line inside the file.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"excel-de.csv", "outlook-de-ansi.csv", "outlook-en.csv", "google.csv", "broken.csv"} {
		f.Add(readFile(f, name))
	}
	f.Add([]byte("Name\n\"a\"\"b\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		file, err := Read(bytes.NewReader(in))
		if err != nil {
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got %v, want only EINVALID for an empty file", err)
			}
			return
		}
		lines := bytes.Count(in, []byte("\n")) + bytes.Count(in, []byte("\r")) + 1
		cards, _ := file.Cards(DetectMapping(file.Header))
		for i, c := range cards {
			if c.Index != i+1 || c.Line < 1 || c.Line > lines {
				t.Fatalf("row %d: index %d line %d of %d", i+1, c.Index, c.Line, lines)
			}
		}
	})
}

// TestNoColumnRecognized: a file whose header names nothing we know gets
// one EINVALID error naming the headers found and the ones understood,
// instead of "name required" for every row.
func TestNoColumnRecognized(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header string // one of the headers the message must quote
	}{
		{"unknown headers", "Lieblingsfarbe;Schuhgrösse\nblau;42\nrot;38\n", `"Schuhgrösse"`},
		{"no header row", "Hans Muster,hans@example.ch,044 123 45 67\nEva Meier,eva@example.ch,044 765 43 21\n", `"hans@example.ch"`},
		{"binary renamed .csv", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02", `"‰PNG"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in))
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			msg := model.ErrorMessage(err)
			for _, want := range []string{"no column", tt.header, "Vorname/First Name", "Abteilung/Department"} {
				if !strings.Contains(msg, want) {
					t.Errorf("got %q, want it to contain %q", msg, want)
				}
			}
		})
	}
	// One recognized column is enough.
	if _, err := Read(strings.NewReader("Lieblingsfarbe;E-Mail\nblau;a@example.ch\n")); err != nil {
		t.Errorf("got %v, want a file with one known column read", err)
	}
}

// TestWriteEachMatchesWrite checks that rows written batch by batch are
// the bytes Write and WriteMailingList write for all customers at once.
func TestWriteEachMatchesWrite(t *testing.T) {
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	cs := goldenCustomers()
	each := func(size int) func(fn func([]*model.Customer) error) error {
		return func(fn func([]*model.Customer) error) error {
			for lo := 0; lo < len(cs); lo += size {
				if err := fn(cs[lo:min(lo+size, len(cs))]); err != nil {
					return err
				}
			}
			return nil
		}
	}
	for _, d := range []Dialect{Excel, RFC4180} {
		var want, wantMail bytes.Buffer
		if err := Write(&want, cs, WriteOptions{Dialect: d}); err != nil {
			t.Fatal(err)
		}
		wantN, err := WriteMailingList(&wantMail, cs, now, WriteOptions{Dialect: d})
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1, 2} {
			var got, gotMail bytes.Buffer
			n, err := WriteEach(&got, each(size), WriteOptions{Dialect: d})
			if err != nil || n != len(cs) || !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("dialect %d, batches of %d: got %d rows (%v)\n%s\nwant %d\n%s", d, size, n, err, got.Bytes(), len(cs), want.Bytes())
			}
			n, err = WriteMailingEach(&gotMail, each(size), now, WriteOptions{Dialect: d})
			if err != nil || n != wantN || !bytes.Equal(gotMail.Bytes(), wantMail.Bytes()) {
				t.Errorf("mailing, dialect %d, batches of %d: got %d rows (%v), want %d and the same bytes", d, size, n, err, wantN)
			}
		}
	}
}
