package diag

import (
	"errors"
	"strings"
	"testing"
)

// A panic in the goroutine is an error naming what panicked; an error is
// delivered as it is.
func TestInBackground(t *testing.T) {
	err := <-InBackground("the engine", func() error { panic("boom") })
	if err == nil || !strings.HasPrefix(err.Error(), "the engine: internal error") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("panic: %v", err)
	}
	want := errors.New("broken")
	if err := <-InBackground("x", func() error { return want }); err != want {
		t.Errorf("error: %v", err)
	}
	if err := <-InBackground("x", func() error { return nil }); err != nil {
		t.Errorf("success: %v", err)
	}
}
