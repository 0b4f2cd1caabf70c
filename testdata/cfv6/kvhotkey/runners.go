package kvhotkey

import (
	"context"
	"net/http"
	"path"
	"strconv"
	"time"
)

// withRetry runs op until it succeeds, at most attempts times.
func withRetry(ctx context.Context, attempts int, op func() error) error {
	var err error
	for range attempts {
		if err = op(); err == nil {
			return nil
		}
	}
	return err
}

type matches struct {
	s *syncer
}

// A marker written through a retry helper, nested once, for every match.
func (m *matches) consume(ctx context.Context, in <-chan string) error { // want consume:"kvhotkey"
	for id := range in {
		if err := withRetry(ctx, 3, func() error { return m.s.put(ctx, "match/"+id, "done") }); err != nil {
			return err
		}
		err := withRetry(ctx, 3, func() error {
			return withRetry(ctx, 2, func() error {
				return m.s.put(ctx, "leaderboard/dirty", "1") // want `this loop writes the same KV key on every iteration`
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Quiet: a retry of one write, outside any loop.
func (m *matches) markDirty(ctx context.Context) error {
	return withRetry(ctx, 3, func() error {
		return withRetry(ctx, 2, func() error { return m.s.put(ctx, "leaderboard/dirty", "1") })
	})
}

// A handler factory's key, joined once from constants.
func (m *matches) handleOpen() http.HandlerFunc { // want handleOpen:"kvhotkey"
	lastOpen := path.Join("stats", "portal", "last_open")
	return func(w http.ResponseWriter, r *http.Request) {
		_ = m.s.put(r.Context(), lastOpen, strconv.FormatInt(time.Now().Unix(), 10)) // want `this handler writes the same KV key on every request`
	}
}

// Quiet: each request names its own key.
func (m *matches) handleSeen() http.HandlerFunc {
	seen := path.Join("stats", "seen")
	return func(w http.ResponseWriter, r *http.Request) {
		_ = m.s.put(r.Context(), path.Join(seen, r.PathValue("id")), strconv.FormatInt(time.Now().Unix(), 10))
	}
}
