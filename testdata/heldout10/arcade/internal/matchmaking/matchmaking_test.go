package matchmaking

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/store/memstore"
)

func TestSubmitAddsToPool(t *testing.T) {
	mem := memstore.New()
	svc := NewService(mem, config.Defaults().Matchmaking)
	ctx := context.Background()
	if err := svc.Submit(ctx, Ticket{ID: "t1", Player: "p-1", Region: "eu", Queue: Ranked}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Submit(ctx, Ticket{ID: "t2", Player: "p-2", Region: "eu", Queue: Ranked}); err != nil {
		t.Fatal(err)
	}
	raw, err := mem.Get(ctx, "mm:pool:eu:ranked")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil || len(ids) != 2 {
		t.Fatalf("pool = %s (%v)", raw, err)
	}
	if n, _ := svc.QueueDepth(ctx, "eu"); n != 2 {
		t.Fatalf("depth = %d", n)
	}
}

func TestSweepRemovesOldTickets(t *testing.T) {
	mem := memstore.New()
	svc := NewService(mem, config.Defaults().Matchmaking)
	ctx := context.Background()
	old := time.Now().Add(-time.Hour)
	svc.now = func() time.Time { return old }
	if err := svc.Submit(ctx, Ticket{ID: "old", Region: "us", Queue: Casual}); err != nil {
		t.Fatal(err)
	}
	svc.now = time.Now
	if err := svc.Submit(ctx, Ticket{ID: "new", Region: "us", Queue: Casual}); err != nil {
		t.Fatal(err)
	}
	n, err := svc.SweepStale(ctx, "us", 30*time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("removed %d, %v", n, err)
	}
}

func TestConsumerHandlesBatch(t *testing.T) {
	mem := memstore.New()
	c := NewConsumer(mem)
	ctx := context.Background()
	err := c.Handle(ctx, []Event{
		MatchFinished{ID: "m1", Winner: "a"},
		MatchFinished{ID: "m2", Winner: "b"},
		TicketCancelled{ID: "e3", Ticket: "mm:ticket:eu:1-x"},
	})
	if err != nil {
		t.Fatal(err)
	}
}
