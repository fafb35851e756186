package vcard

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// sampleFiles mimic what real exporters write where earlier imports lost
// or folded data (issue 15); they seed FuzzParse too.
var sampleFiles = []string{"iphone-3.0-crcrlf.vcf", "outlook2003-2.1.vcf", "names-org-3.0.vcf", "android-email-phone-2.1.vcf", "apple-groups-3.0.vcf"}

func TestParseSamples(t *testing.T) {
	work, home, mobile := model.LabelWork, model.LabelHome, model.LabelMobile
	tests := []struct {
		name     string
		file     string
		want     []wantCard
		problems []string // a word each file-level problem must contain, in order
	}{
		{
			name: "iPhone 3.0 with CR CR LF line ends and a folded photo",
			file: "iphone-3.0-crcrlf.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, NamePrefix: "Dr. med. dent.", GivenName: "Dragan", FamilyName: "Kovačević",
					Company: "Praxis Weiß", Department: "Zahnmedizin", Position: "Zahnarzt",
					Emails: []model.Email{{Label: work, Address: "dragan@praxis-weiss.ch", Pref: true}},
					Phones: []model.Phone{{Label: mobile, Number: "+41 79 444 55 66", Pref: true}, {Label: "Praxis", Number: "041 711 22 33"}},
					Addresses: []model.Address{{Label: work, Street: "Bahnhofstrasse 4", PostalCode: "6300", City: "Zug", Region: "ZG",
						Country: "Schweiz", Pref: true, Group: "item3"}},
				},
				photo: "photo-iphone.jpg",
				extra: []string{"item3.X-ABADR=ch"},
			}, {
				c: model.Customer{Kind: model.Person, GivenName: "Agnieszka", FamilyName: "Łukasiewicz",
					Emails: []model.Email{{Label: home, Address: "aga@example.pl", Pref: true}},
					Memo:   "Trifft man in Łódź, meistens im Juni.",
				},
			}},
		},
		{
			name: "Outlook 2003 2.1 in Windows-1252 with placeholders for empty phones",
			file: "outlook2003-2.1.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, NamePrefix: "Herr", GivenName: "Beat", FamilyName: "Keller",
					Company: "Keller Treuhand AG", Department: "Buchhaltung", Position: "Treuhänder",
					Emails: []model.Email{{Address: "beat@keller-treuhand.ch", Pref: true}},
					Phones: []model.Phone{{Label: mobile, Number: "+41 79 222 33 44"}},
					Addresses: []model.Address{{Label: work, Street: "Hauptgasse 3\nPostfach 12", PostalCode: "4500", City: "Solothurn",
						Region: "SO", Country: "Schweiz", Pref: true}},
				},
				notes: 1, // the placeholders, once
			}, {
				c: model.Customer{Kind: model.Person, GivenName: "Renée", FamilyName: "Zürcher",
					Emails: []model.Email{{Address: "renee@zuercher.ch", Pref: true}},
				},
				notes: 1,
			}},
			problems: []string{"BusinessPhone, HomePhone, BusinessFax", "BusinessPhone, HomePhone, MobilePhone"},
		},
		{
			name: "N with prefix and suffix, ORG with units, two ORG lines, custom address TYPE",
			file: "names-org-3.0.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, NamePrefix: "Mr.", NameSuffix: "III", GivenName: "John", FamilyName: "Doe",
					Company: "Praxis Weiß", Department: "Zahnmedizin",
					Emails: []model.Email{{Label: work, Address: "john.doe@praxis-weiss.ch"}},
					Addresses: []model.Address{{Label: "Ferienhaus", Street: "Chalet Alpenblick", PostalCode: "3818", City: "Grindelwald",
						Region: "BE", Country: "Schweiz"}},
				},
			}, {
				c: model.Customer{Kind: model.Person, NamePrefix: "Prof. Dr.", NameSuffix: "MBA", GivenName: "Anna Maria", FamilyName: "Huber",
					Company: "Universität Bern", Department: "Institut für Informatik; Gruppe Datenbanken", Position: "Professorin",
				},
				extra: []string{".ORG=Huber Consulting GmbH"},
			}},
		},
		{
			name: "Android 2.1 cards with only an email and only a phone",
			file: "android-email-phone-2.1.vcf",
			want: []wantCard{{
				c:      model.Customer{Kind: model.Person, Emails: []model.Email{{Label: home, Address: "nur.email@example.ch"}}},
				noName: true,
			}, {
				c:      model.Customer{Kind: model.Person, Phones: []model.Phone{{Label: mobile, Number: "+41791234567"}}},
				noName: true,
			}},
		},
		{
			name: "Apple item groups: addresses with X-ABADR and a custom label",
			file: "apple-groups-3.0.vcf",
			want: []wantCard{{
				c: model.Customer{Kind: model.Person, GivenName: "Chloé", FamilyName: "Favre",
					Emails: []model.Email{{Label: "Verein", Address: "chloe@favre.ch"}},
					Addresses: []model.Address{
						{Label: home, Street: "Rue du Lac 3", PostalCode: "1200", City: "Genève", Region: "GE", Country: "Suisse", Pref: true, Group: "item1"},
						{Label: "Ferienhaus", Street: "Chemin des Vignes 7", PostalCode: "1095", City: "Lutry", Region: "VD", Country: "Suisse", Group: "item2"},
						{Label: work, Street: "Friedrichstraße 10", PostalCode: "10117", City: "Berlin", Country: "Deutschland", Group: "item3"},
					},
				},
				extra: []string{"item1.X-ABADR=ch", "item2.X-ABADR=ch", "item3.X-ABADR=de"},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cards, problems, err := Parse(bytes.NewReader(readFile(t, tt.file)))
			if err != nil {
				t.Fatal(err)
			}
			checkCards(t, cards, tt.want)
			var got []Problem
			for _, p := range problems {
				if p.Field != "name" { // Validate's, not the parser's
					got = append(got, p)
				}
			}
			if len(got) != len(tt.problems) {
				t.Fatalf("got problems %v, want %d", got, len(tt.problems))
			}
			for i, w := range tt.problems {
				if !strings.Contains(got[i].Reason, w) {
					t.Errorf("problem %d: got %q, want it to name %q", i+1, got[i].Reason, w)
				}
			}
		})
	}
}

// TestExportKeepsWhatCameIn exports the samples again and checks that the
// parts earlier exports folded or dropped are where they came from.
func TestExportKeepsWhatCameIn(t *testing.T) {
	var cs []*model.Customer
	for _, f := range []string{"names-org-3.0.vcf", "apple-groups-3.0.vcf"} {
		cards, _, err := Parse(bytes.NewReader(readFile(t, f)))
		if err != nil {
			t.Fatal(err)
		}
		for i := range cards {
			cs = append(cs, &cards[i].Customer)
		}
	}
	tests := []struct {
		version string
		want    []string // consecutive lines the export must hold
	}{
		{Version30, []string{"N:Doe;John;;Mr.;III"}},
		{Version30, []string{"ORG:Praxis Weiß;Zahnmedizin"}},
		{Version30, []string{"N:Huber;Anna Maria;;Prof. Dr.;MBA"}},
		{Version30, []string{"ORG:Universität Bern;Institut für Informatik;Gruppe Datenbanken"}},
		{Version30, []string{"ORG:Huber Consulting GmbH"}},
		{Version30, []string{"item1.ADR:;;Chalet Alpenblick;Grindelwald;BE;3818;Schweiz", "item1.X-ABLabel:Ferienhaus"}},
		{Version30, []string{"item1.ADR;TYPE=HOME,PREF:;;Rue du Lac 3;Genève;GE;1200;Suisse", "item1.X-ABADR:ch"}},
		{Version30, []string{"item2.ADR:;;Chemin des Vignes 7;Lutry;VD;1095;Suisse", "item2.X-ABLabel:Ferienhaus", "item2.X-ABADR:ch"}},
		{Version30, []string{"item3.ADR;TYPE=WORK:;;Friedrichstraße 10;Berlin;;10117;Deutschland", "item3.X-ABADR:de"}},
		{Version40, []string{"N:Doe;John;;Mr.;III"}},
		{Version40, []string{"item2.ADR:;;Chemin des Vignes 7;Lutry;VD;1095;Suisse", "item2.X-ABLabel:Ferienhaus", "item2.X-ABADR:ch"}},
		{VersionOutlook, []string{"N:Doe;John;;Mr.;III"}},
		{VersionOutlook, []string{"ORG:Huber Consulting GmbH"}},
	}
	out := map[string]string{}
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		var b bytes.Buffer
		if err := Encode(&b, cs, nil, EncodeOptions{Version: v}); err != nil {
			t.Fatal(err)
		}
		out[v] = b.String()
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.want[0], func(t *testing.T) {
			if want := strings.Join(tt.want, "\r\n") + "\r\n"; !strings.Contains(out[tt.version], want) {
				t.Errorf("got\n%s\nwant it to hold\n%s", out[tt.version], want)
			}
		})
	}
	// A group's extras are written once, with their address, not again
	// at the end of the card.
	if n := strings.Count(out[Version30], "X-ABADR"); n != 3 {
		t.Errorf("got %d X-ABADR lines, want 3", n)
	}
}

// TestNotAnAddressBook: a file that is no vCard gets one EINVALID error
// naming it, never one problem per line.
func TestNotAnAddressBook(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(15, 15))
	binary := make([]byte, 200<<10)
	for i := range binary {
		binary[i] = byte(r.IntN(256))
	}
	late := append(bytes.Repeat([]byte("kein vCard\n"), 7000), readFile(t, "names-org-3.0.vcf")...)
	tests := []struct {
		name  string
		in    []byte
		words []string // the message must name these
	}{
		{"random binary", binary, []string{"random binary.vcf", "not an address book", "BEGIN:VCARD"}},
		{"PNG image", readFile(t, "photo.png"), []string{"PNG image.vcf", "image/png"}},
		{"ZIP archive", append([]byte("PK\x03\x04\x14\x00\x00\x00"), binary[:1000]...), []string{"application/zip"}},
		{"text without cards", []byte("Name;E-Mail\nHans;hans@example.ch\n"), []string{"text without cards.vcf", "not an address book"}},
		{"BEGIN:VCARD after 64 KB", late, []string{"not an address book"}},
		{"empty", nil, []string{"empty.vcf", "empty"}},
		{"only blank lines", []byte("\r\n\r\n  \n"), []string{"empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".vcf")
			if err := os.WriteFile(path, tt.in, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cards, problems, err := Parse(f)
			if model.ErrorCode(err) != model.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			cause := ErrNotAddressBook
			if tt.name == "empty" || tt.name == "only blank lines" {
				cause = ErrEmpty
			}
			if !errors.Is(err, cause) {
				t.Errorf("got %v, want it caused by %v", err, cause)
			}
			if len(cards) != 0 || len(problems) != 0 {
				t.Errorf("got %d cards and %d problems, want none", len(cards), len(problems))
			}
			for _, w := range tt.words {
				if !strings.Contains(model.ErrorMessage(err), w) {
					t.Errorf("got %q, want it to contain %q", model.ErrorMessage(err), w)
				}
			}
		})
	}
}

// TestProblemRuns: a run of lines outside any card, or of lines without a
// colon inside one, is one problem, not one per line.
func TestProblemRuns(t *testing.T) {
	in := "Müll 1\nMüll 2\nMüll 3\nBEGIN:VCARD\nN:Muster;Hans\nkaputt 1\nkaputt 2\nkaputt 3\nEMAIL:hans@example.ch\nkaputt 4\nEND:VCARD\nMüll 4\nMüll 5\n"
	cards, problems, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(cards) != 1 || cards[0].Customer.PrimaryEmail() != "hans@example.ch" {
		t.Fatalf("got %+v, want Hans with his email", cards)
	}
	var got []string
	for _, p := range problems {
		got = append(got, fmt.Sprintf("%d:%d", p.Card, p.Line))
	}
	if want := "0:1 1:6 1:10 0:12"; strings.Join(got, " ") != want {
		t.Errorf("got problems at %v, want %s\n%v", got, want, problems)
	}
	if !strings.Contains(problems[1].Reason, "3 lines") || !strings.Contains(problems[3].Reason, "lines 12–13") {
		t.Errorf("got %v, want the runs counted", problems)
	}
}

// TestOutlookExportOutsideWindows1252: names Windows-1252 cannot hold are
// written as UTF-8 quoted-printable, never as "?", and come back intact
// through our own parser and python3-vobject.
func TestOutlookExportOutsideWindows1252(t *testing.T) {
	c := &model.Customer{Kind: model.Person, GivenName: "Dragan", FamilyName: "Kovačević", Company: "Ærø Øster ApS",
		Memo: "Grüße aus Łódź 🎉", Addresses: []model.Address{{Label: model.LabelWork, Street: "ul. Piotrkowska 1", City: "Łódź", Country: "Polska"}}}
	var out bytes.Buffer
	if err := Encode(&out, []*model.Customer{c}, nil, EncodeOptions{Version: VersionOutlook}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out.Bytes(), []byte("?")) {
		t.Errorf("got a '?' in\n%s", out.String())
	}
	for _, want := range []string{"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Kova=C4=8Devi=C4=87;Dragan", "ORG;CHARSET=Windows-1252;"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("got\n%s\nwant it to hold %q", out.String(), want)
		}
	}
	cards, problems, err := Parse(bytes.NewReader(out.Bytes()))
	if err != nil || len(problems) != 0 || len(cards) != 1 {
		t.Fatalf("got %d cards, problems %v, error %v", len(cards), problems, err)
	}
	got := cards[0].Customer
	if got.FamilyName != c.FamilyName || got.Company != c.Company || got.Memo != c.Memo || got.Addresses[0].City != "Łódź" {
		t.Errorf("got %q %q %q %q, want %q %q %q Łódź", got.FamilyName, got.Company, got.Memo, got.Addresses[0].City, c.FamilyName, c.Company, c.Memo)
	}

	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import vobject").Run(); err != nil {
		t.Skip("skipped: python3-vobject is missing (apt-get install -y python3-vobject)")
	}
	script := `
import json, sys, vobject
text = open(sys.argv[1], 'rb').read().decode('cp1252')
card = vobject.readOne(text, allowQP=True)
print(json.dumps([card.n.value.family, card.org.value[0], card.note.value, card.adr.value.city]))
`
	path := filepath.Join(t.TempDir(), "outlook.vcf")
	if err := os.WriteFile(path, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("vobject failed: %v\n%s", err, b)
	}
	var v []string
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	if want := []string{"Kovačević", "Ærø Øster ApS", "Grüße aus Łódź 🎉", "Łódź"}; fmt.Sprint(v) != fmt.Sprint(want) {
		t.Errorf("vobject got %q, want %q", v, want)
	}
}

// TestNothingDropped: what the importer cannot map is kept in Extra and
// written again by every export; a problem that says "kept" is true, and
// the card is imported whole.
func TestNothingDropped(t *testing.T) {
	in := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Muster;Hans;;;\r\nN:Mustermann;Johann;;;\r\n" +
		"BDAY:1970-04-15\r\nBDAY:1971-05-16\r\nBDAY:31.02.1980\r\nUID:uid-1\r\nUID:uid-2\r\n" +
		"EMAIL:kein-email\r\nTEL:abc\r\nURL:https://a.example.ch\r\nURL:https://b.example.ch\r\n" +
		"X-SKYPE:hans.muster\r\nIMPP:xmpp:hans@example.ch\r\nORG:Erste AG;Verkauf\r\nORG:Zweite GmbH\r\nEND:VCARD\r\n"
	cards, _, err := Parse(strings.NewReader(in))
	if err != nil || len(cards) != 1 {
		t.Fatalf("got %d cards, error %v", len(cards), err)
	}
	c := cards[0]
	if c.Err != nil {
		t.Fatalf("got %v, want the card imported", c.Err)
	}
	var extra []string
	for _, x := range c.Customer.Extra {
		extra = append(extra, x.Name+":"+x.Value)
	}
	want := []string{"N:Mustermann;Johann;;;", "BDAY:1971-05-16", "BDAY:31.02.1980", "UID:uid-2", "EMAIL:kein-email", "TEL:abc",
		"URL:https://b.example.ch", "X-SKYPE:hans.muster", "IMPP:xmpp:hans@example.ch", "ORG:Zweite GmbH"}
	if strings.Join(extra, "|") != strings.Join(want, "|") {
		t.Errorf("got extra %q, want %q", extra, want)
	}
	cu := c.Customer
	if cu.FamilyName != "Muster" || cu.Birthday.String() != "1970-04-15" || cu.ExternalUIDs[0] != "uid-1" || cu.Company != "Erste AG" || cu.Department != "Verkauf" {
		t.Errorf("got %+v, want the first N, BDAY, UID and ORG mapped", cu)
	}
	if len(c.Problems) != 0 {
		t.Errorf("got problems %v, want only notes", c.Problems)
	}
	var kept []string
	for _, p := range c.Notes {
		if strings.Contains(p.Reason, "kept") {
			kept = append(kept, p.Field)
		}
	}
	if got := strings.Join(kept, " "); got != "BDAY EMAIL TEL" {
		t.Errorf("got kept problems for %q, want BDAY EMAIL TEL", got)
	}
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		var out bytes.Buffer
		if err := Encode(&out, []*model.Customer{&cu}, nil, EncodeOptions{Version: v}); err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w+"\r\n") {
				t.Errorf("%s: got\n%s\nwant it to hold %q", v, out.String(), w)
			}
		}
	}
}

// TestBadValuesDoNotSkipCards: cards whose only flaws are values kept in
// Extra or Outlook placeholders import with the default choices, and their
// notes are still reported.
func TestBadValuesDoNotSkipCards(t *testing.T) {
	db := openDB(t)
	in := append(readFile(t, "outlook2003-2.1.vcf"), "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Frei;Ursula\r\nEMAIL:kein-email\r\nBDAY:31.02.1980\r\nEND:VCARD\r\n"...)
	_, problems, err := Parse(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 4 {
		t.Errorf("got %d reports %v, want 4 (two placeholder notes, two kept values)", len(problems), problems)
	}
	plan, res := importFile(t, db, in, DefaultChoices())
	if c := plan.Counts(); c.Problems != 0 || res.Added != 3 {
		t.Errorf("got %+v and %+v, want all 3 cards added, none with problems", c, res)
	}
	// The notes are listed once, as notes with their kind and value, and
	// not among the problems.
	var kinds []NoteKind
	for _, n := range plan.Notes() {
		kinds = append(kinds, n.Note)
	}
	if want := []NoteKind{NotePlaceholders, NotePlaceholders, NoteEmail, NoteBirthday}; !slices.Equal(kinds, want) {
		t.Errorf("got notes %v, want kinds %v", plan.Notes(), want)
	}
	if n := plan.Notes(); len(n) == 4 && (n[2].Value != "kein-email" || n[3].Value != "31.02.1980") {
		t.Errorf("got note values %q and %q, want the kept values", n[2].Value, n[3].Value)
	}
	if ps := plan.AllProblems(problems); len(ps) != 0 {
		t.Errorf("got problems %v, want none (notes are listed apart)", ps)
	}
	for _, c := range allCustomers(t, db) {
		if c.FamilyName == "Frei" && len(c.Extra) != 2 {
			t.Errorf("got extras %+v, want the bad EMAIL and BDAY kept", c.Extra)
		}
		for _, p := range c.Phones {
			if !model.ValidPhone(p.Number) {
				t.Errorf("got phone %q stored", p.Number)
			}
		}
	}
}

// TestNamePartsRoundTrip: salutation, honorific prefix and suffix and the
// department come back from every export as they went out, while N's
// prefix shows other address books the salutation too.
func TestNamePartsRoundTrip(t *testing.T) {
	cs := []*model.Customer{
		{Kind: model.Person, Salutation: "Frau", NamePrefix: "Prof. Dr.", NameSuffix: "MBA", GivenName: "Anna", FamilyName: "Huber",
			Company: "Universität Bern", Department: "Institut für Informatik; Gruppe Datenbanken"},
		{Kind: model.Person, Salutation: "Herr", GivenName: "Beat", FamilyName: "Keller"},
		{Kind: model.Person, NamePrefix: "Herr", GivenName: "Otto", FamilyName: "Frei"},
		{Kind: model.Person, Salutation: "Frau", NamePrefix: "Frau", GivenName: "Eva", FamilyName: "Gleich"},
		{Kind: model.Company, Company: "Keller AG", Department: "Buchhaltung"},
	}
	wantN := []string{"N:Huber;Anna;;Frau Prof. Dr.;MBA", "N:Keller;Beat;;Herr;", "N:Frei;Otto;;Herr;", "N:Gleich;Eva;;Frau Frau;"}
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		t.Run(v, func(t *testing.T) {
			var out bytes.Buffer
			if err := Encode(&out, cs, nil, EncodeOptions{Version: v}); err != nil {
				t.Fatal(err)
			}
			for _, w := range wantN {
				if !strings.Contains(out.String(), w+"\r\n") {
					t.Errorf("got\n%s\nwant it to hold %q", out.String(), w)
				}
			}
			cards, _, err := Parse(&out)
			if err != nil || len(cards) != len(cs) {
				t.Fatalf("got %d cards, error %v", len(cards), err)
			}
			for i, c := range cs {
				g := cards[i].Customer
				got := []string{g.Salutation, g.NamePrefix, g.NameSuffix, g.GivenName, g.FamilyName, g.Company, g.Department}
				want := []string{c.Salutation, c.NamePrefix, c.NameSuffix, c.GivenName, c.FamilyName, c.Company, c.Department}
				if strings.Join(got, "|") != strings.Join(want, "|") {
					t.Errorf("card %d: got %q, want %q", i+1, got, want)
				}
			}
		})
	}
}
