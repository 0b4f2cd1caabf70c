package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"ptarmigan/internal/feeds"
	"ptarmigan/internal/kvstore"
	"ptarmigan/internal/publishing"
)

// originEpisodes reads episode records from the render service.
type originEpisodes struct{ origin *feeds.Origin }

func (o *originEpisodes) Episode(ctx context.Context, id string) (publishing.EpisodeDoc, error) {
	var doc publishing.EpisodeDoc
	b, err := o.origin.EpisodeJSON(ctx, id)
	if err != nil {
		return doc, err
	}
	err = json.Unmarshal(b, &doc)
	return doc, err
}

// limiter allows each API key a number of write calls per minute. The
// current count is shared with the edge worker, which refuses keys that
// are over their limit before they reach the backend.
type limiter struct {
	scope kvstore.Scope
	limit int

	mu      sync.Mutex
	windows map[string]*window
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(root kvstore.Scope, perMinute int) *limiter {
	return &limiter{scope: root.Scope("ratelimit", "apikey"), limit: perMinute, windows: make(map[string]*window)}
}

// Allow counts one call for key and reports whether it is within the limit.
func (l *limiter) Allow(ctx context.Context, key string) bool {
	if key == "" {
		return false
	}
	l.mu.Lock()
	w := l.windows[key]
	if w == nil || time.Since(w.start) >= time.Minute {
		w = &window{start: time.Now()}
		l.windows[key] = w
	}
	w.n++
	n := w.n
	l.mu.Unlock()

	if err := l.scope.Put(ctx, key, []byte(strconv.Itoa(n)), 2*time.Minute); err != nil { // EXPECT kvcounter
		slog.Warn("limiter: sharing count", "err", err)
	}
	return n <= l.limit
}
