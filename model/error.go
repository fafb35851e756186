package model

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. The GUI maps each to a translated message; tests assert on
// codes, never on message text.
const (
	ECONFLICT = "conflict"  // the change clashes with the stored state (e.g. duplicate)
	EINTERNAL = "internal"  // a bug or an I/O failure
	EINVALID  = "invalid"   // the input is wrong; Fields says where
	ENOTFOUND = "not_found" // the record does not exist (or is deleted)
	ELOCKED   = "locked"    // the database is open in another instance
)

// Error is the application error. Message is English, for logs; Fields
// names each invalid field with a translation key for the GUI.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	Err     error // the underlying cause, if any
}

// FieldError names one invalid field.
type FieldError struct {
	Field   string // path of the field, e.g. "emails[1].address"
	Key     string // translation key of the reason, e.g. "validation.email"
	Message string // English reason, for logs and tests
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	for i, f := range e.Fields {
		if i == 0 && e.Message != "" {
			b.WriteString(": ")
		} else if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with code and message that wraps cause.
func WrapError(code string, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: cause}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic text for other errors (their detail belongs in the log).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// ErrorFields returns the field errors of err, if it is an EINVALID *Error.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// validator collects field errors.
type validator struct{ fields []FieldError }

func (v *validator) add(field, key, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Key: key, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) err(what string) error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "invalid " + what, Fields: v.fields}
}
