package tokens_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"example.com/identity/internal/store/memstore"
	"example.com/identity/internal/tokens"
)

type revoked []string

func (r *revoked) RevokeFamily(_ context.Context, id, _ string) error {
	*r = append(*r, id)
	return nil
}

func TestRotateDetectsReuse(t *testing.T) {
	ctx := context.Background()
	var fam revoked
	s := tokens.New(memstore.New(), &fam, 24*time.Hour, slog.Default())
	first, err := s.Issue(ctx, "u1", "app", []string{"openid"})
	if err != nil {
		t.Fatal(err)
	}
	second, rec, err := s.Rotate(ctx, first)
	if err != nil || second == first || rec.UserID != "u1" {
		t.Fatalf("rotate: %v", err)
	}
	if _, _, err := s.Rotate(ctx, first); !errors.Is(err, tokens.ErrReused) {
		t.Fatalf("want ErrReused, got %v", err)
	}
	if len(fam) != 1 {
		t.Fatalf("family not revoked: %v", fam)
	}
}
