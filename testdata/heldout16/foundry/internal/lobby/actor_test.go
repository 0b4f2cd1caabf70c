package lobby

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/foundry/internal/events"
	"example.com/foundry/internal/kvstore/memstore"
)

func TestCreateJoinBrowse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	bus := events.NewBus(log)
	opened := 0
	events.Subscribe(bus, "test", func(context.Context, events.LobbyOpened) error { opened++; return nil })

	a := NewActor(ctx, memstore.New(), bus, 10*time.Minute, log)
	hostCtx, hostGone := context.WithCancel(ctx)
	defer hostGone()
	l, err := a.Create(ctx, hostCtx, "host", "eu", "duo", 2)
	if err != nil {
		t.Fatal(err)
	}
	if opened != 1 {
		t.Fatalf("opened events = %d", opened)
	}
	if _, err := a.Join(ctx, "eu", l.ID, "guest"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Join(ctx, "eu", l.ID, "third"); !errors.Is(err, ErrFull) {
		t.Fatalf("join full lobby: %v", err)
	}
	got, err := a.Browse(ctx, "eu")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != l.ID || got[0].Players != 2 {
		t.Fatalf("browse = %+v", got)
	}
}
