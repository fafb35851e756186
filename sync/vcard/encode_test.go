package vcard

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// goldenCustomers are fixed customers that exercise escaping, folding,
// labels, photos and kept extras.
func goldenCustomers(tb testing.TB) ([]*model.Customer, func(string) ([]byte, error)) {
	id := func(s string) model.ID {
		i, err := model.ParseID(s)
		if err != nil {
			tb.Fatal(err)
		}
		return i
	}
	cs := []*model.Customer{{
		Meta: model.Meta{ID: id("01935d8c-0000-7000-8000-000000000001")},
		Kind: model.Person, Salutation: "Herr", NamePrefix: "Dr.", NameSuffix: "jun.", GivenName: "Jürgen", FamilyName: "Müller",
		Company: "Bäckerei Müller & Söhne AG", Department: "Verkauf; Filiale Oerlikon", Position: "Geschäftsführer; Inhaber",
		Emails: []model.Email{{Label: model.LabelWork, Address: "juergen@baeckerei-mueller.ch", Pref: true}, {Label: "Verein", Address: "j.mueller@bluewin.ch"}},
		Phones: []model.Phone{{Label: model.LabelWork, Number: "+41 44 123 45 67"}, {Label: model.LabelMobile, Number: "079 555 12 34", Pref: true},
			{Label: model.LabelFax, Number: "+41 44 123 45 68"}},
		Addresses: []model.Address{{Label: model.LabelWork, Street: "Bahnhofstraße 12\nHinterhaus, 2. Stock", PostalCode: "8001", City: "Zürich",
			Region: "ZH", Country: "Schweiz", Pref: true}},
		Website:  "https://www.baeckerei-mueller.ch/?a=1,2",
		Birthday: model.Date{Month: time.February, Day: 29},
		Memo:     "Größere Bestellung für Frühjahr geplant; bitte Angebot über 20 Stück schicken.\nRückruf am Nachmittag, nie vor 14 Uhr – danke!",
		Tags:     []string{"Kunden", "Messe Basel, 2026"},
		Photo:    "p1",
		Extra:    []model.ExtraProp{{Name: "X-SOCIALPROFILE", Params: map[string][]string{"TYPE": {"linkedin"}}, Value: "https://www.linkedin.com/in/mueller"}},
	}, {
		Meta: model.Meta{ID: id("01935d8c-0000-7000-8000-000000000002")},
		Kind: model.Company, Company: "Schreinerei Zürcher AG",
		Emails:       []model.Email{{Address: "info@schreinerei-zuercher.ch"}},
		Addresses:    []model.Address{{Street: "Seestrasse 8", PostalCode: "8700", City: "Küsnacht", Country: "Schweiz"}},
		ExternalUIDs: []string{"8F1C9A3E-1111-4222-8333-944455556666"},
	}, {
		Meta: model.Meta{ID: id("01935d8c-0000-7000-8000-000000000003")},
		Kind: model.Person, GivenName: "Søren", FamilyName: "Weiß", Birthday: model.Date{Year: 1975, Month: time.November, Day: 30},
		Phones: []model.Phone{{Label: "Praxis", Number: "031 311 22 33"}},
	}, {
		// Characters Windows-1252 lacks; an address in its Apple item
		// group with a kept X-ABADR; a second ORG kept verbatim.
		Meta: model.Meta{ID: id("01935d8c-0000-7000-8000-000000000004")},
		Kind: model.Person, GivenName: "Dragan", FamilyName: "Kovačević", Company: "Ærø Øster ApS", Memo: "Grüße aus Łódź 🎉",
		Addresses: []model.Address{{Label: "Ferienhaus", Street: "ul. Piotrkowska 1", PostalCode: "90-001", City: "Łódź", Country: "Polska", Group: "item1"}},
		Extra: []model.ExtraProp{{Group: "item1", Name: "X-ABADR", Value: "pl"},
			{Name: "ORG", Value: "Kovačević Beratung;Łódź"}},
	}}
	photos := map[string][]byte{"p1": readFile(tb, "photo.jpg")}
	return cs, func(k string) ([]byte, error) {
		if b, ok := photos[k]; ok {
			return b, nil
		}
		return nil, model.Errorf(model.ENOTFOUND, "photo %s", k)
	}
}

func TestEncodeGolden(t *testing.T) {
	cs, photos := goldenCustomers(t)
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		t.Run(v, func(t *testing.T) {
			var out bytes.Buffer
			if err := Encode(&out, cs, photos, EncodeOptions{Version: v}); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "export-"+v+".vcf")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("got\n%s\nwant (%s)\n%s", out.String(), golden, want)
			}
		})
	}
}

func TestEncodeLines(t *testing.T) {
	long := strings.Repeat("Grüße aus Zürich, ", 20)
	c := &model.Customer{Kind: model.Person, GivenName: "Ärger", FamilyName: strings.Repeat("ß", 50), Memo: long, Company: "a;b,c\\d"}
	for _, v := range []string{Version30, Version40} {
		var out bytes.Buffer
		if err := Encode(&out, []*model.Customer{c}, nil, EncodeOptions{Version: v}); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(out.String(), "\r\n") || strings.Contains(strings.ReplaceAll(out.String(), "\r\n", ""), "\n") {
			t.Errorf("%s: lines must end in CRLF and nothing else", v)
		}
		for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Errorf("%s: got line of %d octets, want at most 75: %q", v, len(l), l)
			}
			if !utf8.ValidString(l) {
				t.Errorf("%s: fold split a UTF-8 sequence: %q", v, l)
			}
		}
		if !strings.Contains(out.String(), `ORG:a\;b\,c\\d`) {
			t.Errorf("%s: ORG not escaped:\n%s", v, out.String())
		}
		cards, _, err := Parse(&out)
		if err != nil || len(cards) != 1 {
			t.Fatal(cards, err)
		}
		if got := cards[0].Customer; got.Memo != strings.TrimSpace(long) || got.FamilyName != c.FamilyName || got.Company != c.Company {
			t.Errorf("%s: got back %+v", v, got)
		}
	}
	var out bytes.Buffer
	if err := Encode(&out, []*model.Customer{c}, nil, EncodeOptions{Version: VersionOutlook}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out.Bytes(), []byte("CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:=C4rger =DF")) {
		t.Errorf("outlook: want Windows-1252 quoted-printable (Ä = C4, ß = DF), got\n%s", out.String())
	}
	for _, l := range bytes.Split(out.Bytes(), []byte("\r\n")) {
		if len(l) > 76 {
			t.Errorf("outlook: got line of %d octets: %q", len(l), l)
		}
	}
	cards, _, err := Parse(&out)
	if err != nil || len(cards) != 1 {
		t.Fatal(cards, err)
	}
	if got := cards[0].Customer; got.Memo != strings.TrimSpace(long) || got.FamilyName != c.FamilyName || got.GivenName != c.GivenName {
		t.Errorf("outlook: got back %+v", got)
	}
}

// comparable strips what an export/import cycle legitimately changes:
// record metadata, the photo key (compared by content), and the UID our
// export gives a customer that had none.
func comparable(c *model.Customer, outlook bool) model.Customer {
	d := *cloneCustomer(c)
	d.Meta, d.Photo = model.Meta{}, ""
	var uids []string
	for _, u := range d.ExternalUIDs {
		if _, own := ownID(u); !own {
			uids = append(uids, u)
		}
	}
	d.ExternalUIDs = uids
	// Properties kept from an address's item group are written next to
	// it, so they may come back in another order among the extras.
	d.Extra = append([]model.ExtraProp(nil), d.Extra...)
	sort.SliceStable(d.Extra, func(i, j int) bool { return d.Extra[i].Group < d.Extra[j].Group })
	if outlook { // 2.1 has no custom labels
		for i := range d.Emails {
			if _, r := stdLabel(d.Emails[i].Label); r == 0 {
				d.Emails[i].Label = ""
			}
		}
		for i := range d.Phones {
			if _, r := stdLabel(d.Phones[i].Label); r == 0 {
				d.Phones[i].Label = ""
			}
		}
		d.Addresses = append([]model.Address(nil), d.Addresses...)
		for i := range d.Addresses {
			if _, r := stdLabel(d.Addresses[i].Label); r == 0 {
				d.Addresses[i].Label = ""
			}
			d.Addresses[i].Group = "" // Outlook's addresses carry no group
		}
	}
	return d
}

// TestRoundTrip imports every dialect, exports all customers, imports the
// export into a fresh database and expects the same customers and photos;
// importing the export into the first database changes nothing.
func TestRoundTrip(t *testing.T) {
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		t.Run(v, func(t *testing.T) {
			db1 := openDB(t)
			importFile(t, db1, allDialects(t), DefaultChoices())
			for _, f := range []string{"utf16le.vcf", "broken.vcf"} {
				importFile(t, db1, readFile(t, f), DefaultChoices())
			}
			want := allCustomers(t, db1)
			var out bytes.Buffer
			if err := Encode(&out, want, db1.Photo, EncodeOptions{Version: v}); err != nil {
				t.Fatal(err)
			}
			db2 := openDB(t)
			importFile(t, db2, out.Bytes(), DefaultChoices())
			got := allCustomers(t, db2)
			if len(got) != len(want) {
				t.Fatalf("got %d customers, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := comparable(got[i], v == VersionOutlook), comparable(want[i], v == VersionOutlook)
				if !reflect.DeepEqual(g, w) {
					gj, _ := json.Marshal(g)
					wj, _ := json.Marshal(w)
					t.Errorf("customer %d:\ngot  %s\nwant %s", i+1, gj, wj)
				}
				if (want[i].Photo == "") != (got[i].Photo == "") {
					t.Errorf("customer %d: got photo %q, want %q", i+1, got[i].Photo, want[i].Photo)
				} else if want[i].Photo != "" && !bytes.Equal(mustPhoto(t, db1, want[i].Photo), mustPhoto(t, db2, got[i].Photo)) {
					t.Errorf("customer %d: photo differs", i+1)
				}
			}
			before := snapshot(t, db1)
			_, res := importFile(t, db1, out.Bytes(), DefaultChoices())
			if res.Added != 0 || res.Updated != 0 {
				t.Errorf("re-import of own export: got %+v, want nothing added or updated", res)
			}
			if after := snapshot(t, db1); after != before {
				t.Errorf("re-import of own export changed the database")
			}
		})
	}
}

func mustPhoto(tb testing.TB, db *storage.DB, key string) []byte {
	tb.Helper()
	b, err := db.Photo(key)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// vobjectScript reads vCard files with python3-vobject, an independent
// parser, and prints what it understood as JSON, one object per card.
// allowQP is vobject's switch for vCard 2.1 quoted-printable soft line
// breaks, which the Outlook variant uses.
const vobjectScript = `
import json, sys, vobject
out = []
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    if b'VERSION:2.1' in data:
        text = data.decode('cp1252')
    else:
        text = data.decode('utf-8')
    for card in vobject.readComponents(text, validate=True, allowQP=True):
        c = {"family": "", "given": "", "emails": [], "tels": [], "adrs": []}
        if hasattr(card, 'n'):
            c["family"] = card.n.value.family if isinstance(card.n.value.family, str) else ' '.join(card.n.value.family)
            c["given"] = card.n.value.given if isinstance(card.n.value.given, str) else ' '.join(card.n.value.given)
        for l in card.lines():
            name = l.name.upper()
            if name == 'EMAIL':
                c["emails"].append(l.value)
            elif name == 'TEL':
                c["tels"].append(l.value)
            elif name == 'ADR':
                a = l.value
                j = lambda v: (v if isinstance(v, str) else '\n'.join(v)).replace('\r\n', '\n')
                c["adrs"].append([j(a.street), j(a.code), j(a.city), j(a.country)])
        out.append(c)
print(json.dumps(out))
`

// TestVobjectReadsExports checks that an independent parser reads every
// variant we export without error and with the same names, emails, phones
// and addresses.
func TestVobjectReadsExports(t *testing.T) {
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("skipped: /usr/bin/python3 is missing (apt-get install -y python3-vobject)")
	}
	if err := exec.Command(py, "-c", "import vobject").Run(); err != nil {
		t.Skip("skipped: python3-vobject is missing (apt-get install -y python3-vobject)")
	}
	db := openDB(t)
	importFile(t, db, allDialects(t), DefaultChoices())
	importFile(t, db, readFile(t, "utf16le.vcf"), DefaultChoices())
	cs := allCustomers(t, db)
	golden, photos := goldenCustomers(t)
	for _, v := range []string{Version30, Version40, VersionOutlook} {
		t.Run(v, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			var want []*model.Customer
			for i, set := range []struct {
				cs     []*model.Customer
				photos func(string) ([]byte, error)
			}{{cs, db.Photo}, {golden, photos}} {
				var out bytes.Buffer
				if err := Encode(&out, set.cs, set.photos, EncodeOptions{Version: v}); err != nil {
					t.Fatal(err)
				}
				p := filepath.Join(dir, fmt.Sprintf("export%d.vcf", i))
				if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
				want = append(want, set.cs...)
			}
			cmd := exec.Command(py, append([]string{"-c", vobjectScript}, paths...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			b, err := cmd.Output()
			if err != nil {
				t.Fatalf("vobject failed: %v\n%s", err, stderr.String())
			}
			type card struct {
				Family, Given string
				Emails, Tels  []string
				Adrs          [][]string
			}
			var got []card
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("vobject read %d cards, want %d", len(got), len(want))
			}
			for i, c := range want {
				w := card{Family: c.FamilyName, Given: c.GivenName, Emails: []string{}, Tels: []string{}, Adrs: [][]string{}}
				for _, e := range c.Emails {
					w.Emails = append(w.Emails, e.Address)
				}
				for _, p := range c.Phones {
					w.Tels = append(w.Tels, p.Number)
				}
				for _, a := range c.Addresses {
					w.Adrs = append(w.Adrs, []string{a.Street, a.PostalCode, a.City, a.Country})
				}
				if !reflect.DeepEqual(got[i], w) {
					t.Errorf("card %d: vobject got %+v, want %+v", i+1, got[i], w)
				}
			}
		})
	}
}

// cloneCustomer deep-copies the slices of c.
func cloneCustomer(c *model.Customer) *model.Customer {
	d := *c
	d.Emails = append([]model.Email(nil), c.Emails...)
	d.Phones = append([]model.Phone(nil), c.Phones...)
	d.Addresses = append([]model.Address(nil), c.Addresses...)
	d.Tags = append([]string(nil), c.Tags...)
	d.Consents = append([]model.Consent(nil), c.Consents...)
	d.ExternalUIDs = append([]string(nil), c.ExternalUIDs...)
	d.Extra = append([]model.ExtraProp(nil), c.Extra...)
	return &d
}
