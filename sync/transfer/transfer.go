// Package transfer moves customers in and out in the formats people bring
// along: it picks the reader for an address-book file (vCard or CSV) and
// the writer for an export (vCard, CSV, mailing list, iCalendar), so the
// GUI wizard and the CLI share one way of doing both.
package transfer

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
	kcsv "github.com/kundenkartei/kundenkartei/sync/csv"
	"github.com/kundenkartei/kundenkartei/sync/ical"
	"github.com/kundenkartei/kundenkartei/sync/vcard"
)

// IsCSV reports whether path is read as CSV (by its extension).
func IsCSV(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".csv" || ext == ".txt" || ext == ".tsv"
}

// Read reads path as cards: CSV with auto-detected columns for .csv, .tsv
// and .txt, vCard for everything else. Problems name the card (or row)
// and line; the error is only for a file that cannot be read at all.
func Read(ctx context.Context, path string, progress func(done, total int)) ([]vcard.Card, []vcard.Problem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, model.WrapError(model.EINVALID, err, "open %s", path)
	}
	defer f.Close()
	if IsCSV(path) {
		file, err := kcsv.Read(f)
		if err != nil {
			return nil, nil, model.WrapError(model.EINVALID, err, "%s", path)
		}
		cards, problems := file.Cards(kcsv.DetectMapping(file.Header))
		return cards, append(file.Problems, problems...), nil
	}
	return vcard.ParseContext(ctx, f, vcard.ParseOptions{Progress: progress})
}

// Export formats.
const (
	FormatVCard   = "vcard"   // vCard 3.0
	FormatVCard4  = "vcard4"  // vCard 4.0
	FormatOutlook = "outlook" // vCard 2.1 in Windows-1252
	FormatCSV     = "csv"     // CSV as German Excel opens it
	FormatCSVRFC  = "csv-rfc" // RFC 4180 CSV
	FormatMailing = "mailing" // CSV of customers with an active mail consent
	FormatICS     = "ics"     // follow-ups as iCalendar
)

// Formats lists the export formats in menu order.
var Formats = []string{FormatVCard, FormatVCard4, FormatOutlook, FormatCSV, FormatCSVRFC, FormatMailing, FormatICS}

// Ext returns the file extension of a format.
func Ext(format string) string {
	switch format {
	case FormatCSV, FormatCSVRFC, FormatMailing:
		return ".csv"
	case FormatICS:
		return ".ics"
	}
	return ".vcf"
}

// Selection says what to export. Zero fields do not filter.
type Selection struct {
	CustomerID model.ID
	Tag        string
	Segment    string
	// For FormatICS: follow-ups due in [From, To), assigned to Assignee,
	// with these statuses (open ones when empty).
	From, To time.Time
	Assignee string
	Statuses []model.FollowUpStatus
}

// Export writes the selection in format to w and returns how many records
// it wrote; EINVALID when there is nothing to export. ICal carries the
// translated words of the calendar entries.
func Export(svc model.Services, w io.Writer, format string, sel Selection, icalOpt ical.Options) (int, error) {
	if format == FormatICS {
		items, err := ical.Collect(svc, ical.Filter{CustomerID: sel.CustomerID, Tag: sel.Tag, From: sel.From, To: sel.To, Assignee: sel.Assignee, Statuses: sel.Statuses})
		if err != nil {
			return 0, err
		}
		if icalOpt.Now == nil {
			icalOpt.Now = svc.Now
		}
		return len(items), ical.Encode(w, items, nil, icalOpt)
	}
	cs, err := customers(svc, sel)
	if err != nil {
		return 0, err
	}
	if len(cs) == 0 {
		return 0, model.Errorf(model.EINVALID, "no customers to export")
	}
	switch format {
	case FormatVCard, FormatVCard4, FormatOutlook:
		v := map[string]string{FormatVCard: vcard.Version30, FormatVCard4: vcard.Version40, FormatOutlook: vcard.VersionOutlook}[format]
		return len(cs), vcard.Encode(w, cs, svc.Photo, vcard.EncodeOptions{Version: v})
	case FormatCSV:
		return len(cs), kcsv.Write(w, cs, kcsv.WriteOptions{Dialect: kcsv.Excel})
	case FormatCSVRFC:
		return len(cs), kcsv.Write(w, cs, kcsv.WriteOptions{Dialect: kcsv.RFC4180})
	case FormatMailing:
		return kcsv.WriteMailingList(w, cs, svc.Now(), kcsv.WriteOptions{Dialect: kcsv.Excel})
	}
	return 0, model.Errorf(model.EINVALID, "unknown export format %q", format)
}

// customers returns the live customers the selection names, by name.
func customers(svc model.Services, sel Selection) ([]*model.Customer, error) {
	if sel.CustomerID != model.NilID {
		c, err := svc.Customer(sel.CustomerID)
		if err != nil {
			return nil, err
		}
		return []*model.Customer{c}, nil
	}
	sums := svc.Directory().Search(model.Query{Tag: sel.Tag, Segment: sel.Segment})
	ids := make([]model.ID, len(sums))
	for i, s := range sums {
		ids[i] = s.ID
	}
	return svc.Customers(ids)
}

// ExportFile writes the export to path through a temp file in the same
// folder, fsync and rename: a failed export leaves no partial file and
// an old file in place.
func ExportFile(svc model.Services, path, format string, sel Selection, icalOpt ical.Options) (int, error) {
	var buf bytes.Buffer
	n, err := Export(svc, &buf, format, sel, icalOpt)
	if err != nil {
		return 0, err
	}
	return n, WriteFile(path, buf.Bytes())
}

// WriteFile writes data to path atomically (temp file, fsync, rename).
func WriteFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return model.WrapError(model.EINVALID, err, "cannot write to %s", path)
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return model.WrapError(model.EINTERNAL, err, "write %s", path)
	}
	return nil
}
