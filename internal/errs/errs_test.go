package errs

import (
	"errors"
	"testing"
)

func TestWrapKeepsUnavailable(t *testing.T) {
	down := Wrap(Unavailable, "store.Get", errors.New("connection refused"))
	if k := KindOf(Wrap(Internal, "svc.Do", down)); k != Unavailable {
		t.Fatalf("Internal around Unavailable is %v, want unavailable", k)
	}
	// Other kinds chosen by the caller are kept.
	if k := KindOf(Wrap(Forbidden, "svc.Do", down)); k != Forbidden {
		t.Fatalf("Forbidden around Unavailable is %v", k)
	}
	if k := KindOf(Wrap(Internal, "svc.Do", errors.New("bug"))); k != Internal {
		t.Fatalf("Internal around a plain error is %v", k)
	}
}
