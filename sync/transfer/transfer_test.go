package transfer_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	kcsv "github.com/kundenkartei/kundenkartei/sync/csv"
	"github.com/kundenkartei/kundenkartei/sync/ical"
	"github.com/kundenkartei/kundenkartei/sync/transfer"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// TestExportFileMatchesEncoders checks that every format, streamed from the
// store into a file, holds what its encoder writes for all the selected
// customers (by name) or follow-ups at once.
func TestExportFileMatchesEncoders(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	db := openDB(t, storage.Options{Now: func() time.Time { return now }})
	consent := []model.Consent{{Channel: model.ChannelEmail, GivenAt: now.AddDate(-1, 0, 0)}}
	for i, name := range []string{"Zürcher", "Amsler", "Meier", "Bühler", "Keller"} {
		c := &model.Customer{Kind: model.Person, GivenName: "Anna", FamilyName: name, Tags: []string{"messe"},
			Emails: []model.Email{{Address: name + "@example.ch"}}}
		if i%2 == 0 {
			c.Consents = consent
		}
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
		f := &model.FollowUp{CustomerID: c.ID, Title: "Nachfassen", Due: now.AddDate(0, 0, 5-i), TZ: "Europe/Zurich", Duration: 30}
		if err := db.CreateFollowUp(f); err != nil {
			t.Fatal(err)
		}
	}
	var ids []model.ID
	for _, h := range db.Directory().Search(model.Query{}) {
		ids = append(ids, h.ID)
	}
	cs, err := db.Customers(ids)
	if err != nil {
		t.Fatal(err)
	}
	fus, err := db.FollowUps(model.FollowUpFilter{Statuses: []model.FollowUpStatus{model.FollowUpOpen}})
	if err != nil {
		t.Fatal(err)
	}
	var items []ical.Item
	for _, f := range fus {
		c, err := db.Customer(f.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, ical.Item{FollowUp: f, Customer: c})
	}
	for _, tt := range []struct {
		format string
		want   func(b *bytes.Buffer) error
	}{
		{transfer.FormatVCard, func(b *bytes.Buffer) error { return vcard.Encode(b, cs, db.Photo, vcard.EncodeOptions{}) }},
		{transfer.FormatVCard4, func(b *bytes.Buffer) error {
			return vcard.Encode(b, cs, db.Photo, vcard.EncodeOptions{Version: vcard.Version40})
		}},
		{transfer.FormatOutlook, func(b *bytes.Buffer) error {
			return vcard.Encode(b, cs, db.Photo, vcard.EncodeOptions{Version: vcard.VersionOutlook})
		}},
		{transfer.FormatCSV, func(b *bytes.Buffer) error { return kcsv.Write(b, cs, kcsv.WriteOptions{Dialect: kcsv.Excel}) }},
		{transfer.FormatCSVRFC, func(b *bytes.Buffer) error { return kcsv.Write(b, cs, kcsv.WriteOptions{Dialect: kcsv.RFC4180}) }},
		{transfer.FormatMailing, func(b *bytes.Buffer) error {
			_, err := kcsv.WriteMailingList(b, cs, now, kcsv.WriteOptions{Dialect: kcsv.Excel})
			return err
		}},
		{transfer.FormatICS, func(b *bytes.Buffer) error { return ical.Encode(b, items, nil, ical.Options{Now: db.Now}) }},
	} {
		t.Run(tt.format, func(t *testing.T) {
			var want bytes.Buffer
			if err := tt.want(&want); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "out"+transfer.Ext(tt.format))
			if _, err := transfer.ExportFile(db, path, tt.format, transfer.Selection{Tag: "messe"}, ical.Options{}); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("got\n%s\nwant\n%s", got, want.Bytes())
			}
		})
	}
}

func TestExportErrors(t *testing.T) {
	db := openDB(t, storage.Options{})
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		format string
		sel    transfer.Selection
		want   string
	}{
		{"no customers", transfer.FormatVCard, transfer.Selection{}, model.EINVALID},
		{"no follow-ups", transfer.FormatICS, transfer.Selection{}, model.EINVALID},
		{"unknown customer", transfer.FormatCSV, transfer.Selection{CustomerID: model.NewID()}, model.ENOTFOUND},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+transfer.Ext(tt.format))
			_, err := transfer.ExportFile(db, path, tt.format, tt.sel, ical.Options{})
			if got := model.ErrorCode(err); got != tt.want {
				t.Errorf("got %v (%s), want %s", err, got, tt.want)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("got a file after a failed export (%v), want none", err)
			}
			left, _ := filepath.Glob(filepath.Join(dir, ".*"))
			if len(left) > 0 {
				t.Errorf("got temporary files %v, want none", left)
			}
		})
	}
}
