package tokens

import (
	"context"
	"testing"

	"example.com/osprey/internal/config"
	"example.com/osprey/internal/storage/memstore"
)

func TestSessionLifecycle(t *testing.T) {
	s := NewSessions(memstore.New(), config.Default().Cache)
	sess, err := s.Create(context.Background(), "ana")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Lookup(context.Background(), sess.ID); err != nil {
		t.Fatal(err)
	}
}

func TestIssueVerify(t *testing.T) {
	tk := NewTokens(memstore.New(), config.Default().Limits.Tokens, 2)
	_, secret, err := tk.Issue(context.Background(), "p1", "ci", []string{"deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Verify(context.Background(), secret); err != nil {
		t.Fatal(err)
	}
}
