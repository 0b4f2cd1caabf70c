package lobby

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/store/memstore"
)

func newTestService(t *testing.T) (*Service, *memstore.Store) {
	t.Helper()
	mem := memstore.New()
	n := 0
	svc := NewService(mem, config.Defaults().Lobby,
		WithIDs(func() string { n++; return fmt.Sprintf("l%d", n) }),
		WithClock(func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }),
	)
	return svc, mem
}

func TestCreateRejectsDuplicateNames(t *testing.T) {
	svc, _ := newTestService(t)
	ctx := context.Background()
	if _, err := svc.Create(ctx, "alice", "Friday Night", "duel"); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Create(ctx, "bob", "friday night", "duel")
	if !errors.Is(err, ErrNameTaken) {
		t.Fatalf("got %v, want ErrNameTaken", err)
	}
}

func TestJoinAndLeave(t *testing.T) {
	svc, _ := newTestService(t)
	ctx := context.Background()
	l, err := svc.Create(ctx, "alice", "room", "ffa")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Join(ctx, l.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Leave(ctx, l.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Host != "bob" || len(got.Players) != 1 {
		t.Fatalf("unexpected lobby %+v", got)
	}
}

func TestStartAssignsSeats(t *testing.T) {
	svc, _ := newTestService(t)
	seats, err := svc.Start(context.Background(), "l1", []string{"a", "b", "c", "d"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if seats[3].Team != 1 || seats[3].Slot != 1 {
		t.Fatalf("seat 3 = %+v", seats[3])
	}
}
