package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestIsAndAs(t *testing.T) {
	base := Invalid("amount", "must be between %d and %d", 1, 10000)
	wrapped := fmt.Errorf("play dice: %w", base)
	if !errors.Is(wrapped, ErrValidation) {
		t.Fatal("wrapped validation error does not match ErrValidation")
	}
	if errors.Is(wrapped, ErrNotFound) {
		t.Fatal("validation error matched ErrNotFound")
	}
	e := As(wrapped)
	if e == nil || e.Field != "amount" || KindOf(wrapped) != Validation {
		t.Fatalf("As = %+v", e)
	}
	if KindOf(errors.New("boom")) != Internal || As(nil) != nil {
		t.Fatal("plain errors must be Internal")
	}
	if got := base.Error(); got != "amount: must be between 1 and 10000" {
		t.Fatalf("Error() = %q", got)
	}
	for _, k := range Kinds() {
		if k.String() == "" || k.String()[0] == 'k' {
			t.Errorf("kind %d has no name", k)
		}
	}
}
