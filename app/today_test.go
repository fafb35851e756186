package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/kundenkartei/kundenkartei/model"
	"github.com/kundenkartei/kundenkartei/storage"
	"github.com/kundenkartei/kundenkartei/storage/demo"
)

// careNow is the fixed clock of the care screen tests: a Monday morning
// in Zurich.
var careNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// careFixture is a real database, a headless window and the env the
// screens get.
type careFixture struct {
	t        testing.TB
	db       *storage.DB
	win      fyne.Window
	e        *env
	settings model.Settings
	opened   []model.ID
	ui       chan func() // UI updates of tracked screens, run by settle
}

func newCareFixture(t *testing.T) *careFixture {
	t.Helper()
	test.NewTempApp(t)
	clock := func() time.Time { return careNow }
	db, err := storage.Open(filepath.Join(t.TempDir(), "k.db"), storage.Options{Now: clock})
	if err != nil {
		t.Fatalf("open storage: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("db check: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	f := &careFixture{t: t, db: db, ui: make(chan func(), 1024)}
	f.settings = model.Settings{UserName: "Anna Beispiel", ReminderMinutes: 15, FollowUpDays: 3,
		CurrentFair: "Messe Basel 2026", TimeZone: "Europe/Zurich"}
	f.win = test.NewTempWindow(t, widget.NewLabel(""))
	f.win.Resize(fyne.NewSize(1400, 900))
	f.e = &env{svc: db, win: f.win, now: clock,
		settings:     func() model.Settings { return f.settings },
		openCustomer: func(id model.ID) { f.opened = append(f.opened, id) },
		showError:    func(err error) { t.Errorf("showError: %v", err) },
	}
	return f
}

// customer stores a customer and returns it.
func (f *careFixture) customer(c model.Customer) *model.Customer {
	f.t.Helper()
	if err := f.db.CreateCustomer(&c); err != nil {
		f.t.Fatalf("create customer: %v", err)
	}
	return &c
}

// track routes a screen's UI updates through the fixture's queue, which
// settle runs on the test goroutine. That is how the real driver behaves
// (fyne.Do runs on the main thread), whereas the test driver would run
// them on the loading goroutine, racing with the test. Before the database
// closes, the test waits for the last load.
func (f *careFixture) track(l *careLoader) {
	l.do = func(fn func()) { f.ui <- fn }
	f.t.Cleanup(func() { f.settle(l) })
}

// settle runs queued UI updates until l has nothing running or pending.
func (f *careFixture) settle(l *careLoader) {
	f.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case fn := <-f.ui:
			fn()
			continue
		default:
		}
		if !l.busyNow() {
			return
		}
		select {
		case fn := <-f.ui:
			fn()
		case <-timeout:
			f.t.Fatalf("screen still loading after 10 s")
		}
	}
}

func (f *careFixture) show(o fyne.CanvasObject) {
	f.win.SetContent(o)
	f.win.Resize(fyne.NewSize(1400, 900))
}

// careRowItems returns the rendered rows under o, in tree order.
func careRowItems(o fyne.CanvasObject) []*careRowItem {
	var out []*careRowItem
	for _, obj := range test.LaidOutObjects(o) {
		if r, ok := obj.(*careRowItem); ok && r.Visible() && r.title.Text != "" {
			out = append(out, r)
		}
	}
	return out
}

// careRowTitles returns the titles of a list's data.
func careRowTitles(r *careRows) []string {
	out := make([]string, r.Length())
	for i := range out {
		out[i] = r.row(i).title
	}
	return out
}

func TestTodayShowsComplaintAddedAsNote(t *testing.T) {
	f := newCareFixture(t)
	happy := f.customer(model.Customer{GivenName: "Hans", FamilyName: "Zufrieden"})
	angry := f.customer(model.Customer{GivenName: "Erika", FamilyName: "Müller", Company: "Müller AG"})
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if got := s.complaints.rows.Length(); got != 0 {
		t.Fatalf("complaints before any note: got %d, want 0", got)
	}
	if !s.complaints.hint.Visible() {
		t.Errorf("empty complaints: hint hidden, want visible")
	}

	for _, n := range []model.Note{
		{CustomerID: happy.ID, At: careNow.Add(-time.Hour), Kind: model.NoteVisit, Text: "Alles bestens", Impression: model.Positive},
		{CustomerID: angry.ID, At: careNow.Add(-2 * time.Hour), Kind: model.NoteComplaint, Text: "Lieferung zu spät", Impression: model.Negative},
	} {
		if err := f.e.svc.AddNote(&n); err != nil {
			t.Fatalf("add note: %v", err)
		}
	}
	f.settle(s.loader) // the commit notified the screen, which reloads

	if got, want := careRowTitles(s.complaints.rows), []string{"Erika Müller"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("complaints: got %q, want %q", got, want)
	}
	if s.complaints.hint.Visible() {
		t.Errorf("complaints listed: hint visible, want hidden")
	}
	// Clicking the complaint opens the customer.
	s.complaints.rows.list.Select(0)
	if len(f.opened) != 1 || f.opened[0] != angry.ID {
		t.Errorf("opened: got %v, want [%v]", f.opened, angry.ID)
	}
}

func TestFollowUpFormScheduleAndCompleteOnToday(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Peter", FamilyName: "Keller"})
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)

	form := newFollowUpForm(f.e, c.ID, nil)
	form.show()
	if got, want := form.reminder.minutes(), 15; got != want {
		t.Errorf("default reminder: got %d, want %d", got, want)
	}
	if got, want := form.assignee.Text, "Anna Beispiel"; got != want {
		t.Errorf("default assignee: got %q, want %q", got, want)
	}
	// Enter with an empty title keeps the dialog open and says why, next
	// to the title field.
	form.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if form.form.message("title") == "" {
		t.Fatalf("empty title: no message under the title field")
	}
	if fus, _ := f.db.FollowUps(model.FollowUpFilter{}); len(fus) != 0 {
		t.Fatalf("invalid form stored %d follow-ups, want 0", len(fus))
	}
	test.Type(form.title, "Angebot nachfassen")
	form.date.SetText("")
	test.Type(form.date, "23.11.2026")
	form.clock.SetText("")
	test.Type(form.clock, "25:00")
	form.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if form.form.message("time") == "" {
		t.Fatalf("time 25:00: no message under the time field")
	}
	form.clock.SetText("")
	test.Type(form.clock, "8:30") // before now (10:00 UTC = 11:00 Zurich): overdue
	form.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if msg := form.form.message("time") + form.form.message("title"); msg != "" {
		t.Fatalf("valid form (time %q) shows messages %q", form.clock.Text, msg)
	}
	f.settle(s.loader)

	fus, err := f.db.FollowUps(model.FollowUpFilter{CustomerID: c.ID})
	if err != nil || len(fus) != 1 {
		t.Fatalf("stored follow-ups: got %d (%v), want 1", len(fus), err)
	}
	fu := fus[0]
	wantDue := time.Date(2026, 11, 23, 8, 30, 0, 0, model.LoadLocation("Europe/Zurich"))
	if !fu.Due.Equal(wantDue) || fu.TZ != "Europe/Zurich" || fu.Reminder != 15 || fu.Duration != 30 {
		t.Errorf("stored: got due %v tz %q reminder %d duration %d, want %v Europe/Zurich 15 30",
			fu.Due, fu.TZ, fu.Reminder, fu.Duration, wantDue)
	}
	if got := len(s.data.followUps); got != 1 {
		t.Fatalf("Today follow-ups: got %d, want 1", got)
	}

	// Complete it with the row's Done button.
	var done *widget.Button
	for _, r := range careRowItems(f.win.Content()) {
		if strings.HasPrefix(r.title.Text, "Angebot nachfassen") {
			done = r.first
		}
	}
	if done == nil {
		t.Fatalf("no rendered row for the follow-up")
	}
	test.Tap(done)
	f.settle(s.loader)
	got, err := f.db.FollowUp(fu.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != model.FollowUpDone {
		t.Errorf("status after Done: got %q, want %q", got.Status, model.FollowUpDone)
	}
	if n := len(s.data.followUps); n != 0 {
		t.Errorf("Today follow-ups after Done: got %d, want 0", n)
	}
}

func TestFollowUpFormReschedulesExisting(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{Company: "Beck Bau GmbH"})
	fu := &model.FollowUp{CustomerID: c.ID, Title: "Rückruf", TZ: "Europe/Zurich",
		Due: time.Date(2026, 11, 20, 9, 0, 0, 0, model.LoadLocation("Europe/Zurich")), Duration: 15}
	if err := f.db.CreateFollowUp(fu); err != nil {
		t.Fatal(err)
	}
	form := newFollowUpForm(f.e, c.ID, fu)
	form.show()
	if got, want := form.date.Text, careFormatDate(fu.Due.In(model.LoadLocation("Europe/Zurich"))); got != want {
		t.Errorf("prefilled date: got %q, want %q", got, want)
	}
	form.date.SetText("2026-11-30")
	test.Tap(form.allDay)
	form.date.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	got, err := f.db.FollowUp(fu.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.AllDay || got.DueDate() != (model.Date{Year: 2026, Month: 11, Day: 30}) || got.Sequence <= fu.Sequence {
		t.Errorf("rescheduled: got all-day %v date %v sequence %d, want true 2026-11-30 > %d",
			got.AllDay, got.DueDate(), got.Sequence, fu.Sequence)
	}
}

func TestFollowUpFormEscapeCloses(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Eva", FamilyName: "Roth"})
	form := newFollowUpForm(f.e, c.ID, nil)
	form.show()
	if f.win.Canvas().Overlays().Top() == nil {
		t.Fatalf("dialog not shown")
	}
	test.Type(form.title, "x")
	form.title.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if top := f.win.Canvas().Overlays().Top(); top != nil {
		t.Errorf("after Esc: overlay still shown")
	}
	if fus, _ := f.db.FollowUps(model.FollowUpFilter{}); len(fus) != 0 {
		t.Errorf("Esc stored %d follow-ups, want 0", len(fus))
	}
}

func TestTodayDatesAndExpiringGestures(t *testing.T) {
	f := newCareFixture(t)
	bday := f.customer(model.Customer{GivenName: "Lena", FamilyName: "Graf", Birthday: model.Date{Year: 1976, Month: 11, Day: 25}})
	f.customer(model.Customer{GivenName: "Far", FamilyName: "Away", Birthday: model.Date{Month: 12, Day: 24}})
	since := f.customer(model.Customer{Company: "Alt AG", Since: model.Date{Year: 2016, Month: 11, Day: 29}})
	f.customer(model.Customer{Company: "Neu AG", Since: model.Date{Year: 2026, Month: 11, Day: 24}}) // first day, no anniversary
	g := &model.Gesture{CustomerID: since.ID, Kind: model.GestureDiscount, Title: "Jubiläumsrabatt", Percent: 10,
		Status: model.GestureOffered, ValidUntil: model.Date{Year: 2026, Month: 12, Day: 1}}
	later := &model.Gesture{CustomerID: since.ID, Kind: model.GestureGift, Title: "Wein", Status: model.GestureOffered,
		ValidUntil: model.Date{Year: 2027, Month: 3, Day: 1}}
	for _, x := range []*model.Gesture{g, later} {
		if err := f.db.CreateGesture(x); err != nil {
			t.Fatal(err)
		}
	}
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)

	var got []string
	for _, d := range s.data.dates {
		got = append(got, d.customer.Name)
	}
	if want := []string{"Lena Graf", "Alt AG"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dates this week: got %q, want %q", got, want)
	}
	if len(s.data.dates) == 2 && (s.data.dates[0].customer.ID != bday.ID || s.data.dates[0].years != 50 || s.data.dates[1].years != 10) {
		t.Errorf("dates: got %+v, want Lena turning 50, Alt AG 10 years", s.data.dates)
	}
	if len(s.data.expiring) != 1 || s.data.expiring[0].ID != g.ID {
		t.Errorf("expiring: got %d gestures, want only %q", len(s.data.expiring), g.Title)
	}
}

func TestTodayDueForContact(t *testing.T) {
	f := newCareFixture(t)
	due := f.customer(model.Customer{GivenName: "Otto", FamilyName: "Fällig", RhythmDays: 30,
		Since: model.Date{Year: 2026, Month: 1, Day: 1}})
	fresh := f.customer(model.Customer{GivenName: "Frida", FamilyName: "Frisch", RhythmDays: 30})
	if err := f.db.AddNote(&model.Note{CustomerID: fresh.ID, At: careNow.AddDate(0, 0, -3), Kind: model.NoteCall, Text: "kurz telefoniert"}); err != nil {
		t.Fatal(err)
	}
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)
	if got := careRowTitles(s.due.rows); len(got) != 1 || got[0] != "Otto Fällig" {
		t.Errorf("due: got %q, want [Otto Fällig]", got)
	}
	if len(s.data.due) == 1 && s.data.due[0].ID != due.ID {
		t.Errorf("due id: got %v, want %v", s.data.due[0].ID, due.ID)
	}
}

// careBenchFixture is a fixture over a generated data set: the large one
// of DESIGN.md §9 (100,000 customers, 1,000,000 notes, 200,000 follow-ups,
// 50,000 gestures) when KK_BENCH_LARGE=1, else a tenth of it.
func careBenchFixture(b *testing.B) *careFixture {
	b.Helper()
	test.NewTempApp(b)
	clock := func() time.Time { return careNow }
	db, err := storage.Open(filepath.Join(b.TempDir(), "k.db"), storage.Options{Now: clock, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	spec := demo.Large(careNow)
	if os.Getenv("KK_BENCH_LARGE") != "1" {
		spec.Customers, spec.Notes, spec.FollowUps, spec.Gestures = 10_000, 100_000, 20_000, 5_000
	}
	ctx := context.Background()
	if err := demo.Generate(ctx, spec, 0, func(bk model.Bulk) error { return db.BulkLoad(ctx, bk, nil) }); err != nil {
		b.Fatal(err)
	}
	f := &careFixture{t: b, db: db, ui: make(chan func(), 1024)}
	f.settings = model.Settings{UserName: "Anna Beispiel", ReminderMinutes: 15, FollowUpDays: 3,
		CurrentFair: "Messe Basel 2026", TimeZone: "Europe/Zurich"}
	f.win = test.NewTempWindow(b, widget.NewLabel(""))
	f.e = &env{svc: db, win: f.win, now: clock,
		settings:     func() model.Settings { return f.settings },
		openCustomer: func(model.ID) {},
		showError:    func(err error) { b.Error(err) },
	}
	b.ReportMetric(float64(db.Directory().Len()), "customers")
	return f
}

// BenchmarkTodayCollect measures what the Today view reads off the UI
// thread: open follow-ups, due customers, complaints, a scan of every
// summary for birthdays and anniversaries, and expiring gestures.
func BenchmarkTodayCollect(b *testing.B) {
	f := careBenchFixture(b)
	s := newTodayScreen(f.e)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.collect(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTodayCapsOldOverdueFollowUps checks that with more overdue follow-ups
// than the view reads, today's still show, the oldest overdue ones come
// first, and the count says there are more.
func TestTodayCapsOldOverdueFollowUps(t *testing.T) {
	f := newCareFixture(t)
	c := f.customer(model.Customer{GivenName: "Olga", FamilyName: "Oft"})
	var bulk model.Bulk
	for i := 0; i < todayReadMax+5; i++ {
		bulk.FollowUps = append(bulk.FollowUps, model.FollowUp{CustomerID: c.ID, Title: "Alt",
			Due: careNow.AddDate(0, 0, -2-i), TZ: "Europe/Zurich"})
	}
	bulk.FollowUps = append(bulk.FollowUps, model.FollowUp{CustomerID: c.ID, Title: "Heute",
		Due: careNow.Add(2 * time.Hour), TZ: "Europe/Zurich"})
	if err := f.db.BulkLoad(context.Background(), bulk, nil); err != nil {
		t.Fatal(err)
	}
	s := newTodayScreen(f.e)
	f.track(s.loader)
	f.show(s.build())
	f.settle(s.loader)

	titles := careRowTitles(s.followUps.rows)
	if got, want := len(titles), todayReadMax+1; got != want {
		t.Fatalf("follow-ups shown: got %d, want %d", got, want)
	}
	if got := titles[len(titles)-1]; !strings.HasPrefix(got, "Heute") {
		t.Errorf("last row: got %q, want today's follow-up", got)
	}
	if first, oldest := s.data.followUps[0].Due, careNow.AddDate(0, 0, -2-todayReadMax-4); !first.Equal(oldest) {
		t.Errorf("first row due: got %v, want the oldest, %v", first, oldest)
	}
	if got, want := s.followUps.count.Text, fmt.Sprintf("more than %d open", todayReadMax+1); got != want {
		t.Errorf("count: got %q, want %q", got, want)
	}
}
