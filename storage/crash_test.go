package storage

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kundenkartei/kundenkartei/model"
)

// TestCrashChild is the writer the crash test kills; it only runs when
// the crash test starts it.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("KK_CRASH_DB")
	if path == "" {
		t.Skip("run by TestCrashMidWrite")
	}
	db, err := Open(path, Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	for i := 0; ; i++ {
		c := newCustomer("Hans", fmt.Sprintf("Müller %d", i), "Firma AG")
		c.Emails = []model.Email{{Address: fmt.Sprintf("h%d@example.ch", i)}}
		c.Tags = []string{"Crash"}
		if err := db.CreateCustomer(c); err != nil {
			t.Fatal(err)
		}
		db.AddNote(&model.Note{CustomerID: c.ID, Kind: model.NoteComplaint, Text: "Reklamation"})
		c.Memo = "geändert"
		db.UpdateCustomer(c)
		if i%7 == 0 {
			db.DeleteCustomer(c.ID)
		}
	}
}

// TestCrashMidWrite kills a writing child process at random moments, many
// times, and checks after each kill that the database opens, passes bbolt's
// check and the consistency checker, and holds only whole customers.
func TestCrashMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	rounds := 12
	if s := os.Getenv("KK_CRASH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	path := filepath.Join(t.TempDir(), "k.db")
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	for round := 0; round < rounds; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "KK_CRASH_DB="+path)
		out, err := cmd.StdoutPipe()
		mustOK(t, err)
		mustOK(t, cmd.Start())
		buf := make([]byte, 6)
		if _, err := out.Read(buf); err != nil {
			t.Fatalf("child did not start: %v", err)
		}
		time.Sleep(time.Duration(20+rng.Intn(250)) * time.Millisecond)
		mustOK(t, cmd.Process.Signal(syscall.SIGKILL))
		cmd.Wait()

		db, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		if err := db.Check(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, s := range db.Directory().Search(model.Query{}) {
			c, err := db.Customer(s.ID)
			if err != nil || c.PrimaryEmail() == "" || c.Company != "Firma AG" {
				t.Fatalf("round %d: half-written customer %v: %+v", round, err, c)
			}
		}
		db.Close()
	}
}
