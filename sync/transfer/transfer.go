// Package transfer moves customers in and out in the formats people bring
// along: it picks the reader for an address-book file (vCard or CSV) and
// the writer for an export (vCard, CSV, mailing list, iCalendar), so the
// GUI wizard and the CLI share one way of doing both.
package transfer

import (
	"bufio"
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
// translated words of the calendar entries. Records stream from svc to w
// in batches, so memory does not grow with the selection; the .ics export
// keeps its per-event sequence stamps in svc (see package ical).
func Export(svc model.Services, w io.Writer, format string, sel Selection, icalOpt ical.Options) (int, error) {
	if format == FormatICS {
		if icalOpt.Now == nil {
			icalOpt.Now = svc.Now
		}
		f := ical.Filter{CustomerID: sel.CustomerID, Tag: sel.Tag, From: sel.From, To: sel.To, Assignee: sel.Assignee, Statuses: sel.Statuses}
		return ical.EncodeExport(w, ical.FromStore(svc, f, icalOpt), icalOpt)
	}
	ids, err := customerIDs(svc, sel)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, model.Errorf(model.EINVALID, "no customers to export")
	}
	each := batches(svc, ids)
	switch format {
	case FormatVCard, FormatVCard4, FormatOutlook:
		v := map[string]string{FormatVCard: vcard.Version30, FormatVCard4: vcard.Version40, FormatOutlook: vcard.VersionOutlook}[format]
		return vcard.EncodeEach(w, each, svc.Photo, vcard.EncodeOptions{Version: v})
	case FormatCSV:
		return kcsv.WriteEach(w, each, kcsv.WriteOptions{Dialect: kcsv.Excel})
	case FormatCSVRFC:
		return kcsv.WriteEach(w, each, kcsv.WriteOptions{Dialect: kcsv.RFC4180})
	case FormatMailing:
		return kcsv.WriteMailingEach(w, each, svc.Now(), kcsv.WriteOptions{Dialect: kcsv.Excel})
	}
	return 0, model.Errorf(model.EINVALID, "unknown export format %q", format)
}

// customerIDs returns the IDs of the live customers the selection names,
// by name. ENOTFOUND when a chosen customer does not exist.
func customerIDs(svc model.Services, sel Selection) ([]model.ID, error) {
	if sel.CustomerID != model.NilID {
		if _, err := svc.Customer(sel.CustomerID); err != nil {
			return nil, err
		}
		return []model.ID{sel.CustomerID}, nil
	}
	if sel.Tag == "" && sel.Segment == "" {
		// Every customer: from the stored name index, in the directory's
		// order, so that a headless export need not load the directory.
		return svc.CustomerIDsByName()
	}
	hits := svc.Directory().Search(model.Query{Tag: sel.Tag, Segment: sel.Segment})
	ids := make([]model.ID, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// batches yields the customers ids names, a batch at a time, each batch
// read in one short transaction; customers deleted meanwhile are left out.
func batches(svc model.ExportService, ids []model.ID) vcard.Batches {
	return func(fn func([]*model.Customer) error) error { return svc.ExportCustomers(ids, fn) }
}

// ExportFile writes the export to path through a temp file in the same
// folder, fsync and rename: a failed export leaves no partial file and
// an old file in place.
func ExportFile(svc model.Services, path, format string, sel Selection, icalOpt ical.Options) (int, error) {
	var n int
	err := WriteStream(path, func(w io.Writer) error {
		var err error
		n, err = Export(svc, w, format, sel, icalOpt)
		return err
	})
	return n, err
}

// WriteStream writes what write writes to path through a temp file in the
// same folder (fsync, rename), readable by the user only: a failure never
// leaves a half-written file or destroys the one it was to replace. An
// error of write comes back as it is.
func WriteStream(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return model.WrapError(model.EINVALID, err, "cannot write to %s", path)
	}
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := write(bw); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	err = bw.Flush()
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

// WriteFile writes data to path atomically (temp file, fsync, rename).
func WriteFile(path string, data []byte) error {
	return WriteStream(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
