// Package logtail stores function log lines and serves live tails to the
// console and the CLI. Lines live in key metadata so that a listing returns
// them without a read per line; each tail session keeps its cursor in KV so
// that a reconnecting client resumes where it stopped.
package logtail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/frogmouth-dev/frogmouth/internal/kvstore"
)

const (
	lineTTL        = 24 * time.Hour
	maxLineBytes   = 800
	maxLinesPerRun = 200
	tailPoll       = time.Second
	tailSessionTTL = time.Hour
)

// Line is the metadata stored with each log key.
type Line struct {
	Level string `json:"l"`
	Text  string `json:"t"`
}

// Tail is the log namespace.
type Tail struct {
	store *kvstore.Store

	mu      sync.Mutex
	dropped map[string]int64
}

// New returns a Tail over the log namespace.
func New(store *kvstore.Store) *Tail {
	return &Tail{store: store, dropped: make(map[string]int64)}
}

func linePrefix(tenant, fn string) string { return "log:" + tenant + ":" + fn + ":" }

// Append stores the log lines of one invocation.
func (t *Tail) Append(ctx context.Context, tenant, fn, invocationID string, lines []Line) error {
	if n := len(lines) - maxLinesPerRun; n > 0 {
		lines = lines[:maxLinesPerRun]
		if err := t.noteDropped(ctx, tenant, fn, int64(n)); err != nil {
			return err
		}
	}
	stamp := fmt.Sprintf("%020d", time.Now().UnixNano())
	entries := make([]kvstore.Entry, 0, len(lines))
	for i, l := range lines {
		if len(l.Text) > maxLineBytes {
			l.Text = l.Text[:maxLineBytes]
		}
		entries = append(entries, kvstore.Entry{
			Key:      fmt.Sprintf("%s%s:%s:%04d", linePrefix(tenant, fn), stamp, invocationID, i),
			TTL:      lineTTL,
			Metadata: l,
		})
	}
	_, err := t.store.PutMany(ctx, entries)
	return err
}

func (t *Tail) noteDropped(ctx context.Context, tenant, fn string, n int64) error {
	t.mu.Lock()
	t.dropped[tenant+":"+fn] += n
	total := t.dropped[tenant+":"+fn]
	t.mu.Unlock()
	return t.store.Put(ctx, "dropped-count:"+tenant+":"+fn, []byte(strconv.FormatInt(total, 10)), 0) // EXPECT kvcounter
}

func lineOf(meta any) Line {
	m, _ := meta.(map[string]any)
	lvl, _ := m["l"].(string)
	txt, _ := m["t"].(string)
	return Line{Level: lvl, Text: txt}
}

// Backfill returns the lines stored after cursor, for `frogmouth logs
// --since`.
func (t *Tail) Backfill(ctx context.Context, tenant, fn, cursor string) ([]Line, string, error) {
	var out []Line
	for {
		page, err := t.store.List(ctx, linePrefix(tenant, fn), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			out = append(out, lineOf(k.Metadata))
		}
		if len(out) >= 5000 {
			return out, page.Cursor, nil
		}
		cursor = page.Cursor
	}
	return out, cursor, nil
}

func cursorKey(tailID string) string { return "tail:" + tailID + ":cursor" }

// Resume returns the saved cursor of a tail session, if any.
func (t *Tail) Resume(ctx context.Context, tailID string) (string, error) {
	raw, err := t.store.Get(ctx, cursorKey(tailID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", nil
	}
	return string(raw), err
}

// Stream serves a live tail as server-sent events until the client leaves.
func (t *Tail) Stream(w http.ResponseWriter, r *http.Request, tenant, fn, tailID string) error {
	ctx := r.Context()
	flusher, ok := w.(http.Flusher)
	if !ok {
		return errors.New("logtail: streaming unsupported")
	}
	cursor, err := t.Resume(ctx, tailID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	for {
		page, err := t.store.List(ctx, linePrefix(tenant, fn), cursor, 100)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			l := lineOf(k.Metadata)
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", l.Level, strings.ReplaceAll(l.Text, "\n", "\ndata: "))
		}
		flusher.Flush()
		if page.Cursor != "" {
			cursor = page.Cursor
		}
		if err := t.store.Put(ctx, cursorKey(tailID), []byte(cursor), tailSessionTTL); err != nil { // EXPECT kvhotkey
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(tailPoll):
		}
	}
}
