// Package presence tracks who is listening to a live episode: each listener's
// server-sent-events connection refreshes a presence key while it lasts.
package presence

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"example.com/avocet/internal/keys"
	"example.com/avocet/internal/ops"
)

type Tracker struct {
	exec  ops.Exec
	every time.Duration
	log   *slog.Logger
	key   func(id ...string) string

	mu    sync.Mutex
	local map[string]int // episode -> connections on this isolate
}

// New returns a Tracker refreshing presence every `every`.
func New(exec ops.Exec, every time.Duration, log *slog.Logger) *Tracker {
	return &Tracker{exec: exec, every: max(every, 15*time.Second), log: log,
		key: keys.Scoped("live")("presence"), local: map[string]int{}}
}

func (t *Tracker) join(episode string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.local[episode]++
	return t.local[episode]
}

func (t *Tracker) leave(episode string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.local[episode]--; t.local[episode] <= 0 {
		delete(t.local, episode)
	}
}

// Listen is the listener side: GET /live/{episode}/events?listener=...
func (t *Tracker) Listen(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	episode := r.PathValue("episode")
	listener := r.URL.Query().Get("listener")
	if episode == "" || listener == "" {
		http.Error(w, "episode and listener are required", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")

	n := t.join(episode)
	defer t.leave(episode)
	countKey := keys.Join("live", "listeners", episode)
	if err := t.exec.Do(ctx, ops.Put(countKey, []byte(strconv.Itoa(n)), 10*time.Minute)); err != nil { // EXPECT kvcounter
		t.log.WarnContext(ctx, "listener number not stored", "err", err)
	}

	// One key per connection, refreshed while the connection lasts and left
	// to expire when it ends.
	beat := func(ctx context.Context) error {
		stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
		return t.exec.Do(ctx, ops.Put(t.key(episode, listener), stamp, max(3*t.every, time.Minute)))
	}
	if err := beat(ctx); err != nil {
		t.log.WarnContext(ctx, "presence", "err", err)
	}
	ticker := time.NewTicker(t.every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if err := beat(ctx); err != nil {
				t.log.WarnContext(ctx, "presence", "err", err)
			}
			fmt.Fprint(w, "event: ping\ndata: {}\n\n")
			flusher.Flush()
		}
	}
}

// Host is the creator side of a live show: the host's app streams chapter
// positions, one per line, and the edge publishes the current one.
func (t *Tracker) Host(w http.ResponseWriter, r *http.Request) {
	episode := r.PathValue("episode")
	ctx := r.Context()
	positions := make(chan string)
	go func() {
		defer close(positions)
		for sc := bufio.NewScanner(r.Body); sc.Scan() && ctx.Err() == nil; {
			positions <- sc.Text()
		}
	}()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	current := "0"
	for {
		select {
		case p, ok := <-positions:
			if !ok {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			current = p
		case <-tick.C:
			if err := t.exec.Do(ctx, ops.Put(keys.Join("live", "nowplaying", episode), []byte(current), time.Hour)); err != nil { // EXPECT kvhotkey
				t.log.WarnContext(ctx, "now playing", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}
