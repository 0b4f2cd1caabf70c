//go:build js && wasm

package sla

import (
	"context"
	"log"
	"sync"
	"time"

	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/kvstore"
)

// Sweep walks all running timers and records which ones breached.
func (s *Service) Sweep(ctx context.Context) (Snapshot, error) {
	snap := Snapshot{TakenAt: time.Now().UTC()}
	cursor := ""
	for {
		page, err := s.store.ListPage(ctx, keys.TimerPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return snap, err
		}
		for _, k := range page.Keys {
			t, found, err := kvstore.LoadJSON[Timer](ctx, s.store, k) // EXPECT kvlist
			if err != nil || !found || t.PausedAt != nil {
				continue
			}
			switch left := time.Until(t.Deadline); {
			case left <= 0:
				snap.Breached = append(snap.Breached, t.TicketID)
			case left <= s.WarnWindow:
				snap.AtRisk = append(snap.AtRisk, t.TicketID)
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	if err := s.store.Put(ctx, "sla/snapshot", snap.encode(), 0); err != nil {
		return snap, err
	}
	return snap, nil
}

// Board buffers at-risk updates pushed by handlers and publishes them for
// the wallboard.
type Board struct {
	store *kvstore.Store
	mu    sync.Mutex
	dirty map[string]string
	last  string
}

// NewBoard returns an empty board.
func NewBoard(store *kvstore.Store) *Board {
	return &Board{store: store, dirty: make(map[string]string)}
}

// Mark records the latest state of a ticket's timer.
func (b *Board) Mark(ticketID, state string) {
	b.mu.Lock()
	b.dirty[ticketID] = state
	b.last = time.Now().UTC().Format(time.RFC3339Nano)
	b.mu.Unlock()
}

// FlushLoop publishes the board until ctx ends. Start it once from main.
func (b *Board) FlushLoop(ctx context.Context) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	slow := time.NewTicker(30 * time.Second)
	defer slow.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			b.mu.Lock()
			last := b.last
			b.mu.Unlock()
			if last == "" {
				continue
			}
			if err := b.store.Put(ctx, "sla/board/updated-at", last, 0); err != nil { // EXPECT kvhotkey
				log.Printf("board: %v", err)
			}
		case <-slow.C:
			b.mu.Lock()
			batch := b.dirty
			b.dirty = make(map[string]string)
			b.mu.Unlock()
			for id, state := range batch {
				if err := b.store.Put(ctx, "sla/board/"+id, state, time.Hour); err != nil {
					log.Printf("board %s: %v", id, err)
				}
			}
		}
	}
}
