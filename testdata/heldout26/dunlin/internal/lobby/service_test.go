package lobby

import (
	"context"
	"errors"
	"testing"

	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore/memkv"
)

func TestCreateAndJoin(t *testing.T) {
	ctx := context.Background()
	svc := NewService(keys.NewSpace("test:"))
	svc.SetStore(memkv.New())

	l, err := svc.Create(ctx, "host", "Friday Night", game.TierCasual, "eu")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, "other", "friday night", game.TierCasual, "eu"); !errors.Is(err, ErrNameTaken) {
		t.Fatalf("duplicate name: %v", err)
	}
	l, err = svc.Join(ctx, l.ID, "p2")
	if err != nil || len(l.Players) != 2 {
		t.Fatalf("Join = %+v, %v", l, err)
	}
	page, err := svc.Browse(ctx, "eu", "")
	if err != nil || len(page.Lobbies) != 1 || page.Lobbies[0].Players != 2 {
		t.Fatalf("Browse = %+v, %v", page, err)
	}
}

func TestSlug(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  bool
	}{
		{"Friday Night", "friday-night", false},
		{"ab", "", true},
	} {
		got, err := slug(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("slug(%q) = %q, %v", tc.in, got, err)
		}
	}
}
