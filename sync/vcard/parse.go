// Package vcard imports and exports customers as vCards (2.1, 3.0, 4.0).
//
// Import is three steps, so the GUI can show a preview before anything is
// written:
//
//	cards, problems, err := vcard.Parse(f)            // never aborts on a bad card
//	plan, err := vcard.Preview(ctx, cards, svc, vcard.PreviewOptions{})
//	// show plan.Counts(); let the user pick an Action per group
//	res, err := plan.Apply(ctx, svc, vcard.DefaultChoices(), progress)
//
// A file of any size is previewed with PreviewEach instead, from a Source
// that parses it with ParseEach: the plan then holds its entries, not its
// cards, and Apply reads the file a second time (package sync/transfer
// does this for a path).
//
// Parse runs its own pre-pass instead of go-vcard, because go-vcard loses
// data on real exports (DESIGN.md §7). The plan and merge logic (Preview,
// Plan, Apply, Merge) is shared with package sync/csv, whose rows become
// Cards too.
//
// Export is Encode: clean vCard 3.0 (default) or 4.0, or 2.1 in
// Windows-1252 for Outlook.
package vcard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/kundenkartei/kundenkartei/model"
)

// Problem is something the importer could not take over as it was. Card is
// the 1-based card (or CSV row) number, 0 for text outside any card; Line is
// the 1-based line in the file.
type Problem struct {
	Card   int
	Line   int
	Field  string // property or column, e.g. "EMAIL"; "" for the whole card
	Reason string // English, for the log and the CLI
	// Note and Value are set for a Card.Note, so a GUI can say in its
	// language what was not taken over: the kind of note and the value
	// concerned (clipped). Note is NoteNone for a problem.
	Note  NoteKind
	Value string
}

// NoteKind says what a Card.Note is about.
type NoteKind int

// The kinds of notes.
const (
	NoteNone         NoteKind = iota // a problem, not a note
	NoteEmail                        // Value is not an email address; kept in Extra
	NotePhone                        // Value is not a phone number; kept in Extra
	NoteWebsite                      // Value is not a web address; kept in Extra
	NoteBirthday                     // Value is not a date; kept in Extra
	NotePhoto                        // the photo data could not be decoded; kept in Extra
	NotePlaceholders                 // Outlook's placeholders for empty phone fields (Value lists them) were ignored
)

// String formats the problem for logs: "card 3, line 42, EMAIL: reason".
func (p Problem) String() string {
	var b strings.Builder
	if p.Card > 0 {
		fmt.Fprintf(&b, "card %d, ", p.Card)
	}
	fmt.Fprintf(&b, "line %d", p.Line)
	if p.Field != "" {
		b.WriteString(", " + p.Field)
	}
	return b.String() + ": " + p.Reason
}

// Card is one imported card (or CSV row) mapped to a customer, normalized
// (model Customer.Normalize) and validated.
type Card struct {
	Index     int            // 1-based number of the card in the file (CSV: data row)
	Line      int            // line of BEGIN:VCARD (CSV: line of the row)
	Customer  model.Customer // Meta is zero; ExternalUIDs holds the card's UID
	PhotoData []byte         // decoded photo, nil for none; Apply stores it with SetPhoto
	Problems  []Problem      // what was lost or is doubtful: broken lines, unknown charsets, validation errors
	// Notes are values the model cannot hold that were kept verbatim in
	// Customer.Extra (and so are exported again), or Outlook's placeholders
	// for empty fields, which were ignored. They are reported, but the card
	// is whole without them: a bad value never makes a card a problem.
	Notes []Problem
	Err   error // EINVALID when the customer cannot be saved as it is (e.g. no name); nil otherwise
}

// ParseOptions tune ParseContext.
type ParseOptions struct {
	// Progress, when set, is called as the cards are read with the number
	// of cards read so far and the total expected: an estimate from the
	// file size while reading (when the reader knows its size; otherwise
	// the count so far), the exact count at the end.
	Progress func(done, total int)
}

// Parse reads every card of a .vcf file: vCard 2.1, 3.0 or 4.0, in UTF-8
// (with or without BOM), UTF-16, or legacy charsets, with LF, CRLF, CR or
// CR CR LF line ends. A broken card never aborts the file: it is returned
// with its Problems and Err, and the file-level problems come back as well
// (all problems and notes, sorted by line). The error is for I/O (EINTERNAL) and
// for a file that is not an address book (EINVALID): an empty one, or one
// without BEGIN:VCARD in its first 64 KB (an image, an archive, a binary
// file renamed .vcf), which gets this one error naming the file instead
// of one problem per line.
//
// The file is read as a stream (UTF-16 files excepted): the cards keep
// what they took over, never the whole file, so a file of 100,000 cards
// is read in a fraction of its size in memory.
func Parse(r io.Reader) ([]Card, []Problem, error) {
	return ParseContext(context.Background(), r, ParseOptions{})
}

// ParseContext is Parse with cancellation (returns ctx.Err()) and progress.
// It holds every card; ParseEach reads a file of any size in bounded memory.
func ParseContext(ctx context.Context, r io.Reader, opt ParseOptions) ([]Card, []Problem, error) {
	var batches [][]Card
	n := 0
	problems, err := ParseEach(ctx, r, opt, func(b []Card) error {
		batches = append(batches, b)
		n += len(b)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	cards := make([]Card, 0, n) // not nil, also for a file without a card
	for i, b := range batches {
		cards = append(cards, b...)
		batches[i] = nil
	}
	for i := range cards {
		problems = append(append(problems, cards[i].Problems...), cards[i].Notes...)
	}
	sortProblems(problems)
	return cards, problems, nil
}

// sniffSize is how far into a file BEGIN:VCARD must appear.
const sniffSize = 64 << 10

// openText reads the start of r, checks that it is an address book and
// returns a reader of the file's lines in UTF-8: a UTF-8 BOM is stripped,
// UTF-16 is transcoded (such files are read whole; they are small).
func openText(r io.Reader) (*lineReader, error) {
	head := make([]byte, 2*sniffSize, 2*sniffSize+slabSize)
	n, err := io.ReadFull(r, head)
	head = head[:n]
	eof := err != nil
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, model.WrapError(model.EINTERNAL, err, "read vCard file")
	}
	text := head
	var rest io.Reader
	if !eof {
		rest = r
	}
	if e, ok := utf16Order(head); ok && !bytes.HasPrefix(head, utf8BOM) {
		all := head
		if !eof {
			if all, err = readAll(head, r); err != nil {
				return nil, model.WrapError(model.EINTERNAL, err, "read vCard file")
			}
		}
		text, rest, eof = fromUTF16(all, e), nil, true
	} else {
		text = bytes.TrimPrefix(head, utf8BOM)
	}
	if err := checkAddressBook(head, text, eof, fileName(r)); err != nil {
		return nil, err
	}
	return newLineReader(text, rest), nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// The causes of the errors for a file that cannot be imported, for a GUI
// to say in its language what happened (errors.Is).
var (
	ErrEmpty          = errors.New("it is empty")
	ErrNotAddressBook = errors.New("no BEGIN:VCARD in its first 64 KB")
	ErrChanged        = errors.New("the file changed since the preview; read it again")
)

// checkAddressBook returns an EINVALID error when text (the start of the
// file, all of it when eof) is empty or has no BEGIN:VCARD in its first
// 64 KB; b is the file's start as read, for naming what it is instead.
func checkAddressBook(b, text []byte, eof bool, name string) error {
	if eof && len(bytes.TrimSpace(text)) == 0 { // as package csv says of an empty file
		if name != "" {
			return model.WrapError(model.EINVALID, ErrEmpty, "the vCard file %s", name)
		}
		return model.WrapError(model.EINVALID, ErrEmpty, "the vCard file")
	}
	if name == "" {
		name = "the file"
	}
	if containsFold(bytesToString(text[:min(len(text), sniffSize)]), "BEGIN:VCARD") {
		return nil
	}
	what := ""
	if t := http.DetectContentType(b); !strings.HasPrefix(t, "text/plain") && t != "application/octet-stream" {
		what = " (it looks like " + t + ")"
	}
	return model.WrapError(model.EINVALID, ErrNotAddressBook, "%s is not an address book%s; nothing was imported", name, what)
}

// fileName is the name of the file r reads, "" when r is no file.
func fileName(r io.Reader) string {
	if f, ok := r.(interface{ Name() string }); ok {
		return f.Name()
	}
	return ""
}

// readerSize is the number of bytes r will read when it knows (a file, a
// bytes or strings reader), 0 otherwise.
func readerSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return 0
}

// readAll returns head followed by the rest of r.
func readAll(head []byte, r io.Reader) ([]byte, error) {
	buf := bytes.NewBuffer(head)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}

func keepEscapes(s string) string { return s }

// splitSalutation takes the letter salutation off the front of the N
// prefix when the card says what it is (our own export writes N's prefix
// as "Frau Dr." and X-KUNDENKARTEI-SALUTATION:Frau).
func splitSalutation(cu *model.Customer) {
	s := cu.Salutation
	switch {
	case s == "":
	case cu.NamePrefix == s:
		cu.NamePrefix = ""
	case strings.HasPrefix(cu.NamePrefix, s+" "):
		cu.NamePrefix = strings.TrimSpace(cu.NamePrefix[len(s):])
	}
}

// orgParts splits ORG into the organization and its units; nested units
// are joined with "; " (model Customer.Department), so nothing is folded
// into the company name.
func orgParts(buf []string, v string, un func(string) string) (company, department string) {
	parts := splitUnescaped(buf, v, ';', un)
	company = strings.TrimSpace(parts[0])
	var units []string
	for _, s := range parts[1:] {
		if s = strings.TrimSpace(s); s != "" {
			units = append(units, s)
		}
	}
	return company, strings.Join(units, "; ")
}

// outlookPlaceholder reports whether a phone value is one of the field
// names Outlook 2003 writes for a phone field left empty.
func outlookPlaceholder(v string) bool {
	switch strings.ToLower(v) {
	case "businessphone", "business2phone", "homephone", "home2phone", "mobilephone", "businessfax",
		"homefax", "otherfax", "otherphone", "pager", "carphone", "assistantphone", "callbackphone",
		"companymainphone", "primaryphone", "radiophone", "ttytddphone", "telex", "isdn":
		return true
	}
	return false
}

func onlyField(err error, field string) bool {
	fs := model.ErrorFields(err)
	for _, f := range fs {
		if f.Field != field {
			return false
		}
	}
	return len(fs) > 0
}

// splitFullName splits "Hans Peter Müller" into "Hans Peter" and "Müller",
// and "Müller, Hans" into "Hans" and "Müller".
func splitFullName(fn string) (given, family string) {
	if f, g, ok := strings.Cut(fn, ","); ok {
		return strings.TrimSpace(g), strings.TrimSpace(f)
	}
	i := strings.LastIndexByte(fn, ' ')
	if i < 0 {
		return "", fn
	}
	return strings.TrimSpace(fn[:i]), strings.TrimSpace(fn[i+1:])
}

func normalizeNewlines(s string) string {
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}
