package app

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/sync/pdf"
)

// printMaxRows bounds each section of a printed list: the Today view can
// list tens of thousands of customers due, and nobody reads that on paper.
const printMaxRows = 200

// printWords are the customer sheet's texts in the current language.
func printWords(e *env, now time.Time) pdf.Words {
	footer := lang.X("charts.print.footer", "Printed on {{.When}}", map[string]any{"When": formatDateTime(now)})
	if name := e.settings().UserName; name != "" {
		footer = lang.X("charts.print.footerBy", "Printed on {{.When}} by {{.Name}}", map[string]any{"When": formatDateTime(now), "Name": name})
	}
	return pdf.Words{
		Contact:     lang.X("charts.print.contact", "Contact"),
		Complaint:   lang.X("charts.print.complaint", "Open complaint"),
		FollowUps:   lang.X("charts.print.followups", "Open follow-ups"),
		Gestures:    lang.X("charts.print.gestures", "Active gestures"),
		Notes:       lang.X("charts.print.notes", "Latest notes"),
		Memo:        lang.X("charts.print.memo", "Memo"),
		NoFollowUps: lang.X("charts.print.noFollowups", "No open follow-ups."),
		NoGestures:  lang.X("charts.print.noGestures", "No active gestures."),
		NoNotes:     lang.X("charts.print.noNotes", "No notes yet."),
		Email:       lang.X("charts.print.email", "Email"),
		Phone:       lang.X("charts.print.phone", "Phone"),
		Address:     lang.X("charts.print.address", "Address"),
		Website:     lang.X("charts.print.website", "Website"),
		Birthday:    lang.X("charts.print.birthday", "Birthday"),
		Segment:     lang.X("charts.print.segment", "Segment"),
		Since:       lang.X("charts.print.since", "Customer since"),
		LastContact: lang.X("charts.print.lastContact", "Last contact"),
		Never:       lang.X("format.never", "never"),
		ValidUntil:  lang.X("charts.print.validUntil", "valid until"),
		Footer:      footer,
		More: func(n int) string {
			return lang.XN("charts.print.more", "… and {{.Count}} more in the app", n, map[string]any{"Count": formatCount(n)})
		},
		Percent:       formatPercent,
		Date:          formatDate,
		DateTime:      formatDateTime,
		Day:           formatDay,
		Money:         formatMoney,
		NoteKind:      noteKindText,
		Impression:    impressionText,
		GestureKind:   gestureKindText,
		GestureStatus: gestureStatusText,
		Label:         labelText,
		Segments:      segmentText,
	}
}

// printFile writes a PDF made by write to a new file in the temp folder
// and opens it with the system's viewer, off the UI thread; name is the
// start of the file's name. Errors are shown; a PDF that was written but
// could not be opened is named, so the user can open it by hand.
func printFile(e *env, name string, write func(*bytes.Buffer) error) {
	go func() {
		path, err := printWrite(name, write)
		if err != nil {
			fyne.Do(func() { e.showError(err) })
			return
		}
		if err := e.openURL(printURL(path)); err != nil {
			fyne.LogError("open "+path, err)
			fyne.Do(func() {
				dialog.ShowInformation(lang.X("charts.print.openFailed.title", "PDF written"),
					lang.X("charts.print.openFailed", "The PDF could not be opened with the system's viewer ({{.Error}}). It is saved at:\n{{.Path}}",
						map[string]any{"Error": err.Error(), "Path": path}), e.win)
			})
		}
	}()
}

// printURL is the file:// URL of an absolute path; a Windows path
// (C:\Users\…) becomes file:///C:/Users/…, the form viewers accept.
func printURL(path string) *url.URL {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return &url.URL{Scheme: "file", Path: p}
}

// printWrite renders the PDF in memory first, so a failure leaves no
// half-written file behind.
func printWrite(name string, write func(*bytes.Buffer) error) (string, error) {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return "", model.Errorf(model.EINTERNAL, "print: %v", err)
	}
	dir := filepath.Join(os.TempDir(), "kundenkartei-print")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, printFileName(name)+"-*.pdf")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return "", err
	}
	return f.Name(), f.Close()
}

// printFileName keeps letters, digits and dashes of name, so every file
// system takes it and the viewer's title still says whose sheet it is.
func printFileName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r > 127 && r != '\u202f':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
		if b.Len() > 60 {
			break
		}
	}
	if s := strings.Trim(b.String(), "-"); s != "" {
		return s
	}
	return "kundenkartei"
}

// onPrint prints the customer on screen as a one-page sheet.
func (s *customerScreen) onPrint() {
	if s.tl == nil {
		return
	}
	tl, now := s.tl, s.e.now()
	_, loc := careZone(s.e.settings().TimeZone)
	sheet := pdf.SheetOf(tl, model.DateOf(now.In(loc)))
	words := printWords(s.e, now)
	printFile(s.e, tl.Customer.DisplayName(), func(b *bytes.Buffer) error { return pdf.WriteSheet(b, &sheet, words, now) })
}

// onPrint prints the Today view as it is shown: every section with its
// rows as they read on screen.
func (s *todayScreen) onPrint() {
	if s.data.now.IsZero() {
		return // not loaded yet
	}
	now := s.e.now()
	l := pdf.List{
		Title:  lang.X("today.heading", "Today, {{.Date}}", map[string]any{"Date": careFormatDate(s.data.now)}),
		Footer: printWords(s.e, now).Footer,
	}
	for _, sec := range []*careSection{s.followUps, s.due, s.complaints, s.dates, s.expiring} {
		ps := pdf.ListSection{Heading: sec.title, Empty: sec.hint.Text}
		if sec.count.Text != "" {
			ps.Heading += " · " + sec.count.Text
		}
		n := sec.rows.Length()
		for i := 0; i < n && i < printMaxRows; i++ {
			r := sec.rows.row(i)
			ps.Rows = append(ps.Rows, pdf.ListRow{Title: r.title, Detail: r.detail})
		}
		if n > printMaxRows {
			ps.More = lang.XN("charts.print.more", "… and {{.Count}} more in the app", n-printMaxRows,
				map[string]any{"Count": formatCount(n - printMaxRows)})
		}
		l.Sections = append(l.Sections, ps)
	}
	printFile(s.e, lang.X("charts.print.todayFile", "today")+"-"+s.data.now.Format("2006-01-02"),
		func(b *bytes.Buffer) error { return pdf.WriteList(b, &l, now) })
}
