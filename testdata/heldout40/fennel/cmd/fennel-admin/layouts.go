package main

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/kvadmin"
)

// layoutSaver debounces dashboard layout saves: the dashboard sends a save
// on every drag, and only the last layout in a quiet period is written.
type layoutSaver struct {
	st    *kvadmin.Store
	quiet time.Duration

	mu      sync.Mutex
	pending map[keys.CreatorID]json.RawMessage
	timers  map[keys.CreatorID]*time.Timer
}

func newLayoutSaver(st *kvadmin.Store, quiet time.Duration) *layoutSaver {
	return &layoutSaver{
		st:      st,
		quiet:   quiet,
		pending: map[keys.CreatorID]json.RawMessage{},
		timers:  map[keys.CreatorID]*time.Timer{},
	}
}

// Save schedules layout to be written for creator after the quiet period.
func (l *layoutSaver) Save(creator keys.CreatorID, layout json.RawMessage) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending[creator] = layout
	if t, ok := l.timers[creator]; ok {
		t.Reset(l.quiet)
		return
	}
	l.timers[creator] = time.AfterFunc(l.quiet, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		l.write(ctx, creator)
	})
}

func (l *layoutSaver) write(ctx context.Context, creator keys.CreatorID) {
	l.mu.Lock()
	layout, ok := l.pending[creator]
	delete(l.pending, creator)
	delete(l.timers, creator)
	l.mu.Unlock()
	if !ok {
		return
	}
	_ = l.st.Put(ctx, "layout:"+string(creator), layout, 0)
}

// Flush writes everything still pending, e.g. at shutdown.
func (l *layoutSaver) Flush(ctx context.Context) {
	l.mu.Lock()
	creators := make([]keys.CreatorID, 0, len(l.pending))
	for c, t := range l.timers {
		t.Stop()
		creators = append(creators, c)
	}
	l.mu.Unlock()
	for _, c := range creators {
		if ctx.Err() != nil {
			return
		}
		l.write(ctx, c)
	}
}
