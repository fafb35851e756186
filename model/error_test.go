package model_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/kundenkartei/kundenkartei/model"
)

// invalidFields asserts err is EINVALID and returns the names of its
// invalid fields.
func invalidFields(tb testing.TB, err error) []string {
	tb.Helper()
	if got := model.ErrorCode(err); got != model.EINVALID {
		tb.Fatalf("code: got %q (%v), want %q", got, err, model.EINVALID)
	}
	var out []string
	for _, f := range model.ErrorFields(err) {
		if f.Key == "" {
			tb.Errorf("field %s: no translation key", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

// checkValidate asserts that err names exactly the fields want, or is nil
// when want is empty.
func checkValidate(t *testing.T, err error, want ...string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		return
	}
	got := invalidFields(t, err)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("invalid fields: got %q, want %q", got, want)
	}
}

func TestErrorCode(t *testing.T) {
	notFound := model.Errorf(model.ENOTFOUND, "customer %d", 7)
	invalid := &model.Error{Code: model.EINVALID, Message: "invalid customer", Fields: []model.FieldError{{Field: "name", Key: "validation.name_required"}}}
	cause := errors.New("disk on fire")
	for _, tt := range []struct {
		name   string
		err    error
		code   string
		fields []string
	}{
		{"nil", nil, "", nil},
		{"model error", notFound, model.ENOTFOUND, nil},
		{"wrapped once", fmt.Errorf("open: %w", notFound), model.ENOTFOUND, nil},
		{"wrapped twice", fmt.Errorf("ui: %w", fmt.Errorf("open: %w", notFound)), model.ENOTFOUND, nil},
		{"joined", errors.Join(io.EOF, invalid), model.EINVALID, []string{"name"}},
		{"plain error", cause, model.EINTERNAL, nil},
		{"wrapping a plain error", model.WrapError(model.ELOCKED, cause, "open %s", "db"), model.ELOCKED, nil},
		{"invalid with fields, wrapped", fmt.Errorf("save: %w", invalid), model.EINVALID, []string{"name"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.ErrorCode(tt.err); got != tt.code {
				t.Errorf("ErrorCode: got %q, want %q", got, tt.code)
			}
			var fields []string
			for _, f := range model.ErrorFields(tt.err) {
				fields = append(fields, f.Field)
			}
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("ErrorFields: got %q, want %q", fields, tt.fields)
			}
		})
	}
}

func TestErrorMessage(t *testing.T) {
	inner := model.Errorf(model.ENOTFOUND, "customer 7 not found")
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"model error", inner, inner.Error()},
		// The message of the first *Error counts, not the context added
		// around it: that context is for the log.
		{"wrapped", fmt.Errorf("open: %w", inner), inner.Error()},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", inner)), inner.Error()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := model.ErrorMessage(tt.err); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	// Other errors do not leak their detail to the user.
	if got := model.ErrorMessage(errors.New("secret path /home/x")); strings.Contains(got, "secret") || got == "" {
		t.Errorf("plain error: got %q, want a generic message", got)
	}
}

func TestWrapErrorUnwraps(t *testing.T) {
	err := fmt.Errorf("backup: %w", model.WrapError(model.EINTERNAL, io.ErrUnexpectedEOF, "read snapshot"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF): got false, want true", err)
	}
	if got := model.ErrorCode(err); got != model.EINTERNAL {
		t.Errorf("code: got %q, want %q", got, model.EINTERNAL)
	}
	// The cause shows in the log text.
	if got := err.Error(); !strings.Contains(got, io.ErrUnexpectedEOF.Error()) {
		t.Errorf("Error(): got %q, want the cause in it", got)
	}
}

func TestParseID(t *testing.T) {
	id := model.NewID()
	if id.Version() != 7 {
		t.Errorf("NewID version: got %d, want 7", id.Version())
	}
	for _, tt := range []struct {
		name string
		in   string
		want model.ID
		code string
	}{
		{"canonical", id.String(), id, ""},
		{"spaces", "  " + id.String() + "\n", id, ""},
		{"upper case", strings.ToUpper(id.String()), id, ""},
		{"empty", "", model.NilID, model.EINVALID},
		{"garbage", "not-an-id", model.NilID, model.EINVALID},
		{"too short", id.String()[:30], model.NilID, model.EINVALID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := model.ParseID(tt.in)
			if code := model.ErrorCode(err); code != tt.code {
				t.Fatalf("code: got %q (%v), want %q", code, err, tt.code)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
	// UUIDv7 IDs made later sort later, which the storage keys rely on.
	a, b := model.NewID(), model.NewID()
	if a.String() >= b.String() {
		t.Errorf("NewID order: got %s then %s, want ascending", a, b)
	}
}
