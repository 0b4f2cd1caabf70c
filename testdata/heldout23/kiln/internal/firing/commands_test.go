package firing

import (
	"context"
	"errors"
	"io"
	"log"
	"testing"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/kvstore/memkv"
)

func TestClaimTwice(t *testing.T) {
	ctx := context.Background()
	d := NewDispatcher(kvstore.Open(memkv.New()), log.New(io.Discard, "", 0))
	if err := d.Execute(ctx, Claim{KilnID: "k1", TechID: "ana"}); err != nil {
		t.Fatal(err)
	}
	if err := d.Execute(ctx, Claim{KilnID: "k1", TechID: "bo"}); !errors.Is(err, ErrClaimed) {
		t.Fatalf("second claim: %v", err)
	}
}

func TestEnqueueIsIdempotent(t *testing.T) {
	ctx := context.Background()
	b := kvstore.Open(memkv.New())
	p := Piece{ID: "p1", OwnerID: "s1", Cone: 6, DroppedAt: time.Now()}
	if err := (Enqueue{KilnID: "k1", Piece: p}).Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := (Enqueue{KilnID: "k1", Piece: p}).Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	var q Queue
	if err := b.GetJSON(ctx, queueKey("k1"), &q); err != nil || len(q.Pieces) != 1 {
		t.Fatalf("queue = %+v, %v", q, err)
	}
}
