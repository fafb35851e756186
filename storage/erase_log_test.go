package storage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// FuzzLogHead checks the shortcut that reads a log entry's record and
// field against encoding/json on the same bytes: when it answers, it
// answers the same.
func FuzzLogHead(f *testing.F) {
	id := model.NewID()
	for _, op := range []model.Op{
		{Type: model.TypeCustomer, ID: id, Field: model.FieldAll, Value: json.RawMessage(`{"id":"x"}`), HLC: 7, Device: "d"},
		{Type: model.TypeNote, ID: id, Field: "text", Value: json.RawMessage(`"a \"quoted\" text"`), HLC: 8, Device: "d"},
		{Type: model.TypeCustomer, ID: id, Field: model.FieldErased, Value: model.Erasure{ID: id, HLC: 9}.Value(), HLC: 9, Device: "d"},
		{Type: model.TypeCustomer, ID: id, Field: `we"ird\field`, Value: json.RawMessage(`null`), HLC: 9, Device: "d"},
	} {
		f.Add(encodeOp(&op))
	}
	f.Add([]byte(`{"t":"note","id":"not-a-uuid","f":"text"}`))
	f.Fuzz(func(t *testing.T, v []byte) {
		gotID, gotField, ok := logHead(v)
		if !ok {
			return
		}
		var op model.Op
		if err := json.Unmarshal(v, &op); err != nil {
			return // a damaged entry past the head: logEntry's callers read it whole anyway
		}
		if op.ID != gotID || op.Field != string(gotField) {
			t.Errorf("logHead: got %s %q, want %s %q (encoding/json)", gotID, gotField, op.ID, op.Field)
		}
	})
}

func TestReadErasureLog(t *testing.T) {
	good := model.Erasure{ID: model.NewID(), HLC: 5, Device: "d"}
	tests := []struct {
		name    string
		content string
		want    int
		code    string
	}{
		{"missing file", "", 0, ""},
		{"two erasures and a blank line", string(good.Value()) + "\n\n" + string(good.Value()) + "\n", 2, ""},
		{"damaged line", string(good.Value()) + "\n{\"id\":\n", 0, model.EINVALID},
		{"no stamp", `{"id":"` + good.ID.String() + `"}` + "\n", 0, model.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "k.db.erasures")
			if tt.content != "" {
				mustOK(t, os.WriteFile(path, []byte(tt.content), 0o600))
			}
			got, err := readErasureLog(path)
			if model.ErrorCode(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Fatalf("got error %v, want code %q", err, tt.code)
			}
			if len(got) != tt.want {
				t.Errorf("got %d erasures, want %d", len(got), tt.want)
			}
		})
	}
}

// TestOpenRefusesADamagedErasureLog: an erasure the log cannot tell must
// not be skipped by opening the database as if nothing had been erased.
func TestOpenRefusesADamagedErasureLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.db")
	mustOK(t, os.WriteFile(path+".erasures", []byte("garbage\n"), 0o600))
	if db, err := Open(path, Options{}); model.ErrorCode(err) != model.EINVALID {
		if err == nil {
			db.Close()
		}
		t.Errorf("open with a damaged erasure log: got %v, want %s", err, model.EINVALID)
	}
}
