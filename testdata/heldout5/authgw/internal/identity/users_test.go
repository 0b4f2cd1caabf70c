package identity

import (
	"context"
	"errors"
	"testing"

	"example.com/authgw/internal/kvfake"
)

func TestSignupLoginChangePassword(t *testing.T) {
	ctx := context.Background()
	d := NewDirectory(kvfake.New())
	u, err := d.Signup(ctx, "Ada@Example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Signup(ctx, "ada@example.com ", "another long password"); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("duplicate signup: %v", err)
	}
	got, err := d.ByEmail(ctx, "ADA@example.com")
	if err != nil || got.ID != u.ID {
		t.Fatalf("lookup: %v", err)
	}
	if err := d.Verify(got, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := d.ChangePassword(ctx, u.ID, "correct horse battery", "tr0ub4dor and more"); err != nil {
		t.Fatal(err)
	}
	got, _ = d.ByID(ctx, u.ID)
	if err := d.Verify(got, "correct horse battery"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("old password still valid: %v", err)
	}
	if rb, err := d.RevokedBefore(ctx, u.ID); err != nil || rb.IsZero() {
		t.Fatalf("revoked-before not recorded: %v %v", rb, err)
	}
}
