package vcard

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/kundenkartei/kundenkartei/model"
)

// wantCard is what a test expects of one parsed card.
type wantCard struct {
	c        model.Customer // compared in full, except Extra
	photo    string         // testdata file the photo must equal, "" for none
	extra    []string       // "group.NAME=value" of the kept extra properties, in order
	problems int            // number of Card.Problems
	notes    int            // number of Card.Notes (values kept in Extra, placeholders ignored)
	invalid  bool           // Card.Err is set
	// noName: the card has no name, only an email or a phone; whether
	// that is a valid customer is model.Customer.Validate's to say, so
	// neither Err nor the problems Validate adds are compared.
	noName bool
}

func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestParseDialects(t *testing.T) {
	work, home, mobile, fax := model.LabelWork, model.LabelHome, model.LabelMobile, model.LabelFax
	tests := []struct {
		name string
		file string
		want []wantCard
	}{
		{
			name: "Outlook 2.1 Windows-1252 with QP soft breaks and bare parameters",
			file: "outlook-2.1.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, NamePrefix: "Herr", GivenName: "Jürgen", FamilyName: "Müller",
					Company: "Bäckerei Müller & Söhne AG", Department: "Verkauf", Position: "Geschäftsführer",
					Emails: []model.Email{{Address: "juergen.mueller@baeckerei-mueller.ch", Pref: true}, {Address: "j.mueller@bluewin.ch"}},
					Phones: []model.Phone{{Label: work, Number: "+41 44 123 45 67"}, {Label: mobile, Number: "079 555 12 34"}, {Label: fax, Number: "+41 44 123 45 68"}},
					Addresses: []model.Address{{Label: work, Street: "Bahnhofstraße 12\nHinterhaus, 2. Stock", PostalCode: "8001", City: "Zürich",
						Region: "ZH", Country: "Schweiz", Pref: true}},
					Website:  "http://www.baeckerei-mueller.ch",
					Birthday: model.Date{Year: 1968, Month: time.February, Day: 29},
					Memo:     "Kunde seit der Messe Basel; wünscht Rückruf am Nachmittag. Größere Bestellung für Frühjahr geplant, bitte Angebot über 20 Stück schicken.",
				},
				photo: "photo.jpg",
				extra: []string{".X-MS-OL-DEFAULT-POSTAL-ADDRESS=2", `.X-MS-OL-DESIGN=<card xmlns="http://schemas.microsoft.com/office/outlook/12/electronicbusinesscards" ver="1.0"/>`},
			}, {
				c: model.Customer{Kind: model.Person, GivenName: "Anna-Lena", FamilyName: "Weiß",
					Emails:    []model.Email{{Address: "anna.weiss@example.de", Pref: true}},
					Phones:    []model.Phone{{Label: home, Number: "+49 (30) 1234567"}},
					Addresses: []model.Address{{Label: home, Street: "Schloßallee 5", PostalCode: "10115", City: "Berlin", Country: "Deutschland"}},
				},
			}},
		},
		{
			name: "Apple Contacts 3.0 with item groups, X-ABLabel, pref, photo, birthday without year",
			file: "apple-3.0.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, NamePrefix: "Dr.", GivenName: "Sébastien", FamilyName: "Brändli",
					Company: "Brändli Optik GmbH", Position: "Inhaber",
					Emails: []model.Email{{Label: work, Address: "seb@braendli-optik.ch", Pref: true}, {Label: home, Address: "sebastien.braendli@icloud.com"}},
					Phones: []model.Phone{{Label: mobile, Number: "+41 79 876 54 32", Pref: true}, {Label: "Laden", Number: "+41 61 222 33 44"}},
					Addresses: []model.Address{
						{Label: work, Street: "Freie Strasse 35\nEingang Rüdengasse", PostalCode: "4001", City: "Basel", Region: "BS", Country: "Schweiz", Pref: true, Group: "item3"},
						{Label: home, Street: "Güterstraße 101", PostalCode: "4053", City: "Basel", Country: "Schweiz"}},
					Website:      "https://braendli-optik.ch",
					Birthday:     model.Date{Month: time.August, Day: 23},
					Memo:         "Bevorzugt Termine am Vormittag, nie am Montag.\nKennt uns von der Muba.",
					ExternalUIDs: []string{"5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE"},
				},
				photo: "photo.png",
				extra: []string{"item3.X-ABADR=ch", ".X-SOCIALPROFILE=https://www.linkedin.com/in/braendli", ".X-ABUID=5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE:ABPerson"},
			}, {
				c: model.Customer{Kind: model.Company, Company: "Schreinerei Zürcher AG",
					Emails:       []model.Email{{Label: work, Address: "info@schreinerei-zuercher.ch", Pref: true}},
					Phones:       []model.Phone{{Label: work, Number: "044 987 65 43", Pref: true}},
					Addresses:    []model.Address{{Label: work, Street: "Seestrasse 8", PostalCode: "8700", City: "Küsnacht", Region: "ZH", Country: "Schweiz", Pref: true}},
					Tags:         []string{"Lieferanten", "Messe Basel 2026"},
					ExternalUIDs: []string{"8F1C9A3E-1111-4222-8333-944455556666"},
				},
			}},
		},
		{
			name: "Google Contacts 3.0 with BOM, LF, --MM-DD birthday, escaped colon in URL",
			file: "google-3.0.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, GivenName: "Lukas", FamilyName: "Öztürk", Company: "Stadt Zürich", Position: "Projektleiter",
					Emails:    []model.Email{{Label: home, Address: "lukas.oeztuerk@gmail.com"}, {Label: work, Address: "l.oeztuerk@stadt-zuerich.ch"}},
					Phones:    []model.Phone{{Label: mobile, Number: "+41 76 345 67 89"}, {Label: work, Number: "+41 44 412 00 00"}},
					Addresses: []model.Address{{Label: home, Street: "Birmensdorferstraße 150", PostalCode: "8003", City: "Zürich", Country: "CH"}},
					Website:   "http://oeztuerk.example.ch",
					Birthday:  model.Date{Month: time.April, Day: 15},
					Tags:      []string{"Kunden"},
				},
			}, {
				c: model.Customer{Kind: model.Person, GivenName: "Chloé", FamilyName: "Fässler",
					Emails: []model.Email{{Address: "chloe.faessler@example.com"}},
					Phones: []model.Phone{{Number: "+33 6 12 34 56 78"}, {Label: "Praxis", Number: "031 311 22 33"}},
					Memo:   "Mehrzeilige Notiz:\nZeile zwei mit Komma, Semikolon; und Backslash \\.",
				},
			}},
		},
		{
			name: "Android 2.1 QP UTF-8 with soft breaks, and QP inside a 3.0 card",
			file: "android-2.1.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, GivenName: "Ruedi", FamilyName: "Kälin",
					Emails:    []model.Email{{Label: home, Address: "ruedi.kaelin@bluewin.ch"}},
					Phones:    []model.Phone{{Label: mobile, Number: "+41791112233", Pref: true}, {Label: home, Number: "055 412 34 56"}},
					Addresses: []model.Address{{Label: home, Street: "Hauptstraße 7\nc/o Bäckerei Kälin", PostalCode: "8840", City: "Einsiedeln", Region: "SZ", Country: "Schweiz"}},
					Birthday:  model.Date{Year: 1975, Month: time.November, Day: 30},
					Memo:      "Große Familie, fünf Kinder. Mag Süßes – zum Geburtstag Pralinen schenken!",
				},
				photo: "photo.jpg",
				extra: []string{".X-ANDROID-CUSTOM=vnd.android.cursor.item/nickname;Ruedi;1;;;;;;;;;;;;;"},
			}, {
				c: model.Customer{Kind: model.Person, GivenName: "Petra", FamilyName: "Gößwein", Company: "Gößwein Elektro",
					Emails:   []model.Email{{Label: work, Address: "petra@goesswein.de"}},
					Phones:   []model.Phone{{Label: mobile, Number: "0176 1234 5678"}},
					Birthday: model.Date{Month: time.December, Day: 24},
				},
			}},
		},
		{
			name: "Thunderbird vCard 4.0 with PREF=1, tel: URI, data: URI photo",
			file: "thunderbird-4.0.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, GivenName: "Søren", FamilyName: "Zimmermann", Company: "Zimmermann Bau AG", Position: "Bauleiter",
					Emails:       []model.Email{{Address: "soeren@zimmermann-bau.ch", Pref: true}, {Label: home, Address: "soeren.z@protonmail.ch"}},
					Phones:       []model.Phone{{Label: work, Number: "+41 71 222 11 00"}, {Label: mobile, Number: "+41-78-999-88-77"}},
					Addresses:    []model.Address{{Label: work, Street: "Rorschacher Straße 21", PostalCode: "9000", City: "St. Gallen", Region: "SG", Country: "Schweiz", Pref: true}},
					Website:      "https://zimmermann-bau.ch",
					Birthday:     model.Date{Month: time.March, Day: 2},
					Memo:         "Über die Website gekommen. Für Angebote, Rechnungen: Buchhaltung in Kopie.",
					Tags:         []string{"Bau", "Messe Basel 2026"},
					ExternalUIDs: []string{"6f3d3c42-9a1b-4c5d-8e7f-0a1b2c3d4e5f"},
				},
				photo: "photo.png",
				extra: []string{".X-CUSTOM1=Kundennummer 4711"},
			}},
		},
		{
			name: "UTF-16 LE with BOM",
			file: "utf16le.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, GivenName: "Käthi", FamilyName: "Gerber",
					Phones:    []model.Phone{{Label: home, Number: "+41 31 333 44 55"}},
					Addresses: []model.Address{{Label: home, Street: "Kramgasse 49", PostalCode: "3011", City: "Bern", Country: "Schweiz"}},
				},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards, problems, err := Parse(bytes.NewReader(readFile(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			if len(problems) != 0 {
				t.Errorf("got problems %v, want none", problems)
			}
			checkCards(t, cards, tt.want)
		})
	}
}

func checkCards(t *testing.T, cards []Card, want []wantCard) {
	t.Helper()
	if len(cards) != len(want) {
		t.Fatalf("got %d cards, want %d", len(cards), len(want))
	}
	for i, w := range want {
		c := cards[i]
		if c.Index != i+1 {
			t.Errorf("card %d: got Index %d, want %d", i+1, c.Index, i+1)
		}
		got := c.Customer
		var extra []string
		for _, x := range got.Extra {
			extra = append(extra, x.Group+"."+x.Name+"="+x.Value)
		}
		got.Extra = nil
		if !reflect.DeepEqual(got, w.c) {
			g, _ := json.Marshal(got)
			x, _ := json.Marshal(w.c)
			t.Errorf("card %d:\ngot  %s\nwant %s", i+1, g, x)
		}
		if !reflect.DeepEqual(extra, w.extra) {
			t.Errorf("card %d: got extra %q, want %q", i+1, extra, w.extra)
		}
		var photo []byte
		if w.photo != "" {
			photo = readFile(t, w.photo)
		}
		if !bytes.Equal(c.PhotoData, photo) {
			t.Errorf("card %d: got photo of %d bytes, want %d bytes (%s)", i+1, len(c.PhotoData), len(photo), w.photo)
		}
		if len(c.Notes) != w.notes {
			t.Errorf("card %d: got notes %v, want %d", i+1, c.Notes, w.notes)
		}
		if w.noName {
			continue
		}
		if len(c.Problems) != w.problems {
			t.Errorf("card %d: got problems %v, want %d", i+1, c.Problems, w.problems)
		}
		if (c.Err != nil) != w.invalid {
			t.Errorf("card %d: got Err %v, want invalid %v", i+1, c.Err, w.invalid)
		}
		if c.Err != nil && model.ErrorCode(c.Err) != model.EINVALID {
			t.Errorf("card %d: got error code %q, want %q", i+1, model.ErrorCode(c.Err), model.EINVALID)
		}
	}
}

func TestParseBrokenCardsDoNotAbort(t *testing.T) {
	cards, problems, err := Parse(bytes.NewReader(readFile(t, "broken.vcf")))
	if err != nil {
		t.Fatal(err)
	}
	checkCards(t, cards, []wantCard{
		{c: model.Customer{Kind: model.Person, GivenName: "Beat", FamilyName: "Keller", Emails: []model.Email{{Address: "beat.keller@example.ch"}}}},
		{c: model.Customer{Kind: model.Person, Emails: []model.Email{{Address: "nur-email@example.ch"}}}}, // only an email: kept
		{c: model.Customer{Kind: model.Person, GivenName: "Ursula", FamilyName: "Frei"}, problems: 1, notes: 3,
			extra: []string{".EMAIL=kein-email", ".TEL=abc", ".BDAY=31.02.1980"}},
		{c: model.Customer{Kind: model.Person, GivenName: "Otto", FamilyName: "Abbruch"}, problems: 1},
		{c: model.Customer{Kind: model.Person, GivenName: "Heidi", FamilyName: "Zürcher", Emails: []model.Email{{Address: "heidi@zuercher.ch"}}}},
		{c: model.Customer{Kind: model.Person, GivenName: "Ohne", FamilyName: "Ende"}, problems: 1},
	})
	type where struct{ card, line int }
	var got []where
	for _, p := range problems {
		got = append(got, where{p.Card, p.Line})
	}
	// Card 4's problem names its own BEGIN line, not the next card's.
	want := []where{{0, 1}, {3, 16}, {3, 17}, {3, 18}, {3, 19}, {4, 21}, {6, 31}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got problems at %v, want %v\n%v", got, want, problems)
	}
}

// prepassCases are small inputs for the pre-pass; they seed the fuzz test.
var prepassCases = []struct {
	name  string
	in    string
	given string // GivenName of the first card
	note  string // Memo of the first card
	tel   string // first phone number
	label string // label of the first phone
}{
	{"CRLF and RFC folding", "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster;Hans;;;\r\nNOTE:eins \r\n zwei\r\nEND:VCARD\r\n", "Hans", "eins zwei", "", ""},
	{"folding with tab", "BEGIN:VCARD\nN:Muster;Ha\n\tns;;;\nEND:VCARD\n", "Hans", "", "", ""},
	{"lone CR line ends", "BEGIN:VCARD\rN:Muster;Hans\rTEL:044 1\r\n", "Hans", "", "044 1", ""},
	{"UTF-8 BOM", "\ufeffBEGIN:VCARD\nN:Muster;Jörg\nEND:VCARD", "Jörg", "", "", ""},
	{"2.1 bare parameters", "BEGIN:VCARD\nVERSION:2.1\nN:M;Hans\nTEL;WORK;VOICE:044 123 45 67\nEND:VCARD", "Hans", "", "044 123 45 67", "work"},
	{"QP soft break with leading space kept", "BEGIN:VCARD\nN:M;Hans\nNOTE;ENCODING=QUOTED-PRINTABLE:ab=\n cd=C3=BC\nEND:VCARD", "Hans", "ab cdü", "", ""},
	{"QP bare with charset latin1", "BEGIN:VCARD\nN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:M;J=F6rg\nEND:VCARD", "Jörg", "", "", ""},
	{"broken QP escape kept", "BEGIN:VCARD\nN:M;Hans\nNOTE;ENCODING=QUOTED-PRINTABLE:100=%\nEND:VCARD", "Hans", "100=%", "", ""},
	{"Windows-1252 without charset", "BEGIN:VCARD\nN:M;J\xfcrg\nEND:VCARD", "Jürg", "", "", ""},
	{"escaped semicolon in N", "BEGIN:VCARD\nN:M;Hans\\;Peter;;;\nEND:VCARD", "Hans;Peter", "", "", ""},
	{"quoted parameter with colon", "BEGIN:VCARD\nN:M;Hans\nTEL;TYPE=\"work,voice\";X-A=\"a:b\":044 1\nEND:VCARD", "Hans", "", "044 1", "work"},
	{"localized type", "BEGIN:VCARD\nN:M;Hans\nTEL;TYPE=Handy:079 1\nEND:VCARD", "Hans", "", "079 1", "mobile"},
	{"FN only", "BEGIN:VCARD\nFN:Hans Peter Muster\nEND:VCARD", "Hans Peter", "", "", ""},
	{"lower-case keywords", "begin:vcard\nn:M;Hans\nend:vcard", "Hans", "", "", ""},
	{"unindented 2.1 base64", "BEGIN:VCARD\nN:M;Hans\nPHOTO;BASE64:iVBO\nRw0K\n\nTEL:044 1\nEND:VCARD", "Hans", "", "044 1", ""},
	{"CR CR LF with QP soft break", "BEGIN:VCARD\r\r\nN:M;Hans\r\r\nNOTE;ENCODING=QUOTED-PRINTABLE:ab=\r\r\ncd\r\r\nTEL:044 1\r\r\nEND:VCARD\r\r\n", "Hans", "abcd", "044 1", ""},
	{"CR CR LF with folded photo", "BEGIN:VCARD\r\r\nN:M;Hans\r\r\nPHOTO;ENCODING=b;TYPE=PNG:iVBO\r\r\n Rw0K\r\r\nNOTE:x\r\r\nEND:VCARD\r\r\n", "Hans", "x", "", ""},
	{"lone CR with folded photo", "BEGIN:VCARD\rN:M;Hans\rPHOTO;ENCODING=b;TYPE=PNG:iVBO\r Rw0K\rTEL:044 1\rEND:VCARD\r", "Hans", "", "044 1", ""},
	{"mixed line ends", "BEGIN:VCARD\nN:M;Ha\r\n ns\rNOTE:a\r\r\n b\nEND:VCARD", "Hans", "ab", "", ""},
	{"Outlook placeholder phone", "BEGIN:VCARD\nVERSION:2.1\nN:M;Hans\nTEL;WORK:BusinessPhone\nTEL;CELL:079 1\nEND:VCARD", "Hans", "", "079 1", "mobile"},
	{"N with prefix and suffix", "BEGIN:VCARD\nN:Doe;John;;Mr.;III\nEND:VCARD", "John", "", "", ""},
}

func TestPrepass(t *testing.T) {
	for _, tt := range prepassCases {
		t.Run(tt.name, func(t *testing.T) {
			cards, _, err := Parse(strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if len(cards) == 0 {
				t.Fatal("got no cards, want 1")
			}
			c := cards[0].Customer
			if c.GivenName != tt.given {
				t.Errorf("got given name %q, want %q", c.GivenName, tt.given)
			}
			if c.Memo != tt.note {
				t.Errorf("got memo %q, want %q", c.Memo, tt.note)
			}
			var tel, label string
			if len(c.Phones) > 0 {
				tel, label = c.Phones[0].Number, c.Phones[0].Label
			}
			if tel != tt.tel || label != tt.label {
				t.Errorf("got phone %q (%q), want %q (%q)", tel, label, tt.tel, tt.label)
			}
		})
	}
}

func TestUTF16WithoutBOM(t *testing.T) {
	in := "BEGIN:VCARD\r\nN:Gerber;Käthi\r\nEND:VCARD\r\n"
	for _, be := range []bool{false, true} {
		var b []byte
		for _, u := range utf16.Encode([]rune(in)) {
			if be {
				b = append(b, byte(u>>8), byte(u))
			} else {
				b = append(b, byte(u), byte(u>>8))
			}
		}
		cards, _, err := Parse(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if len(cards) != 1 || cards[0].Customer.GivenName != "Käthi" {
			t.Errorf("big endian %v: got %+v, want Käthi", be, cards)
		}
	}
}

// FuzzParse checks that the pre-pass and parser never panic, number cards
// from 1 without gaps, keep every card's line inside the file, and that
// whatever they accept survives an export and a re-import with the same
// names and emails.
func FuzzParse(f *testing.F) {
	for _, tt := range prepassCases {
		f.Add([]byte(tt.in))
	}
	for _, name := range append(dialectFiles, sampleFiles...) { // duplicates are harmless seeds
		f.Add(readFile(f, name))
	}
	f.Add([]byte{})
	f.Add(readFile(f, "photo.png"))
	f.Fuzz(func(t *testing.T, in []byte) {
		cards, problems, err := Parse(bytes.NewReader(in))
		if err != nil {
			// Only a file that is not an address book is refused.
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got %v for %q", err, in)
			}
			return
		}
		lines := bytes.Count(in, []byte("\n")) + bytes.Count(in, []byte("\r")) + 1
		for i, c := range cards {
			if c.Index != i+1 {
				t.Fatalf("got index %d, want %d", c.Index, i+1)
			}
			if c.Line < 1 || c.Line > lines {
				t.Fatalf("card %d at line %d, file has at most %d", c.Index, c.Line, lines)
			}
		}
		for _, p := range problems {
			if p.Card < 0 || p.Card > len(cards) {
				t.Fatalf("problem names card %d of %d", p.Card, len(cards))
			}
		}
		var ok []*model.Customer
		for i := range cards {
			if cards[i].Err == nil {
				ok = append(ok, &cards[i].Customer)
			}
		}
		if len(ok) == 0 {
			return // an empty export is no address book to read back
		}
		for _, v := range []string{Version30, Version40} {
			var out bytes.Buffer
			if err := Encode(&out, ok, nil, EncodeOptions{Version: v}); err != nil {
				t.Fatal(err)
			}
			again, _, err := Parse(&out)
			if err != nil {
				t.Fatal(err)
			}
			if len(again) != len(ok) {
				t.Fatalf("%s: exported %d cards, read back %d:\n%s", v, len(ok), len(again), out.String())
			}
			for i := range ok {
				a, b := ok[i], &again[i].Customer
				if a.GivenName != b.GivenName || a.FamilyName != b.FamilyName || a.Company != b.Company || len(a.Emails) != len(b.Emails) {
					t.Fatalf("%s: round trip changed card %d:\ngot  %+v\nwant %+v", v, i+1, b, a)
				}
			}
		}
	})
}
