package waitroom_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/storage/memstore"
	"example.com/wharf/internal/waitroom"
)

type oneDrop domain.Drop

func (d oneDrop) Get(_ context.Context, id string) (domain.Drop, error) {
	if id != d.ID {
		return domain.Drop{}, fmt.Errorf("drop %s: %w", id, domain.ErrNotFound)
	}
	return domain.Drop(d), nil
}

func (d oneDrop) Upcoming(context.Context, string, ...any) ([]domain.Drop, error) {
	return []domain.Drop{domain.Drop(d)}, nil
}

func newJoin(t *testing.T) (waitroom.JoinQueue, waitroom.PositionQuery) {
	t.Helper()
	store := memstore.New(nil)
	now := time.Now()
	catalog := waitroom.Catalog{Store: store, TTL: 5 * time.Minute, Source: oneDrop{
		ID: "d1", Artist: "The Harbour Lights", OnSaleAt: now, ClosesAt: now.Add(3 * time.Hour),
		Capacity: 100, AdmitPerMinute: 10,
	}}
	join := waitroom.JoinQueue{
		Store: store, Drops: catalog, Positions: waitroom.KVPositions(store),
		MaxJoinsPerMinute: 2, Clock: time.Now,
	}
	return join, waitroom.PositionQuery{Store: store, Drops: catalog}
}

func TestJoinHandsOutIncreasingPositions(t *testing.T) {
	join, pos := newJoin(t)
	ctx := context.Background()
	var last domain.Position
	for i := range 3 {
		out, err := join.Execute(ctx, waitroom.JoinInput{DropID: "d1", VisitorID: fmt.Sprint("v", i), ClientIP: fmt.Sprint("10.0.0.", i)})
		if err != nil {
			t.Fatalf("join %d: %v", i, err)
		}
		if out.Ticket.Position <= last {
			t.Fatalf("position %d after %d", out.Ticket.Position, last)
		}
		last = out.Ticket.Position
		view, err := pos.Execute(ctx, "d1", out.Ticket.ID)
		if err != nil {
			t.Fatalf("position %d: %v", i, err)
		}
		if view.Ahead != int64(i) {
			t.Fatalf("ahead = %d, want %d", view.Ahead, i)
		}
	}
}

func TestJoinThrottlesClient(t *testing.T) {
	join, _ := newJoin(t)
	ctx := context.Background()
	in := waitroom.JoinInput{DropID: "d1", VisitorID: "v", ClientIP: "192.0.2.7"}
	for range 2 {
		if _, err := join.Execute(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := join.Execute(ctx, in); !errors.Is(err, domain.ErrRateLimited) {
		t.Fatalf("third join: got %v, want ErrRateLimited", err)
	}
}

func TestUnknownTicketIsNotFound(t *testing.T) {
	_, pos := newJoin(t)
	if _, err := pos.Execute(context.Background(), "d1", "nope"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}
