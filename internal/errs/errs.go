// Package errs defines Haven's error kinds. Domain and store code return
// errors with a Kind; only the web layer turns a Kind into an HTTP status.
package errs

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

const (
	Other        Kind = iota // unclassified
	Invalid                  // the input is wrong; Fields says where
	NotFound                 // the record does not exist
	Exists                   // a record with that unique key already exists
	Conflict                 // the record changed or is in a state that forbids the action
	Forbidden                // the actor may not do this
	Unauthorized             // the actor is not (or no longer) authenticated
	Unavailable              // a dependency is down or busy; retry later
	Internal                 // a bug or an unexpected failure
)

func (k Kind) String() string {
	switch k {
	case Invalid:
		return "invalid"
	case NotFound:
		return "not_found"
	case Exists:
		return "exists"
	case Conflict:
		return "conflict"
	case Forbidden:
		return "forbidden"
	case Unauthorized:
		return "unauthorized"
	case Unavailable:
		return "unavailable"
	case Internal:
		return "internal"
	}
	return "other"
}

// Error is an error with a kind, the operation that failed and, for Invalid,
// field-level problems. Field values and Msg are translation keys, so the web
// layer can show them in the user's language.
type Error struct {
	Kind   Kind
	Op     string
	Msg    string            // translation key of a user-facing message, optional
	Fields map[string]string // field name -> translation key
	Err    error             // underlying cause, never shown to users
}

func (e *Error) Error() string {
	s := e.Op
	if s != "" {
		s += ": "
	}
	s += e.Kind.String()
	if e.Msg != "" {
		s += " (" + e.Msg + ")"
	}
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of kind k for operation op with an optional message key.
func E(k Kind, op, msg string) error { return &Error{Kind: k, Op: op, Msg: msg} }

// Wrap builds an error of kind k around cause. A cause that is
// Unavailable stays Unavailable when wrapped as Internal: a database that
// is down is a reason to retry, not a bug, whatever layer reports it.
func Wrap(k Kind, op string, cause error) error {
	if k == Internal && KindOf(cause) == Unavailable {
		k = Unavailable
	}
	return &Error{Kind: k, Op: op, Err: cause}
}

// RetryAfter is how long a client is told to wait before it tries again
// after an Unavailable error (the HTTP Retry-After header).
const RetryAfter = 30 * time.Second

// InvalidFields reports field-level validation problems.
func InvalidFields(op string, fields map[string]string) error {
	return &Error{Kind: Invalid, Op: op, Fields: fields}
}

// KindOf returns the kind of the outermost *Error in err's chain with a kind
// other than Other, or Other.
func KindOf(err error) Kind {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Other
		}
		if e.Kind != Other {
			return e.Kind
		}
		err = e.Err
	}
	return Other
}

// Is reports whether err has kind k. It is the Match helper for tests.
func Is(k Kind, err error) bool { return KindOf(err) == k }

// FieldsOf returns the field problems carried by err, if any.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// MessageOf returns the user-facing message key carried by err, if any.
func MessageOf(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Msg != "" {
			return e.Msg
		}
		err = e.Err
	}
	return ""
}

// WrapOp prefixes *errp with op, keeping its kind. Use as
// defer errs.WrapOp(&err, "store.CreateUser").
func WrapOp(errp *error, op string) {
	if *errp != nil {
		*errp = &Error{Op: op, Err: *errp}
	}
}
