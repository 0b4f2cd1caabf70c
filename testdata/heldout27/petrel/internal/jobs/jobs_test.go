package jobs

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"example.com/petrel/internal/storage"
)

// pagedStore returns its keys two at a time.
type pagedStore struct {
	keys map[string]any
	puts []string
}

func (p *pagedStore) Get(_ context.Context, k string) ([]byte, error) {
	return nil, &storage.NotFoundError{Key: k}
}
func (p *pagedStore) Put(_ context.Context, k string, _ []byte, _ storage.PutOptions) error {
	p.puts = append(p.puts, k)
	return nil
}
func (p *pagedStore) Delete(_ context.Context, k string) error { delete(p.keys, k); return nil }
func (p *pagedStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	var names []string
	for k := range p.keys {
		if strings.HasPrefix(k, q.Prefix) && k > q.Cursor {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var page storage.Page
	for i, n := range names {
		if i == 2 {
			page.Cursor = names[1]
			return page, nil
		}
		page.Keys = append(page.Keys, storage.KeyInfo{Name: n, Metadata: p.keys[n]})
	}
	page.Complete = true
	return page, nil
}

func TestScheduledRemovesExpired(t *testing.T) {
	past := map[string]any{"e": float64(time.Now().Add(-time.Hour).Unix())}
	st := &pagedStore{keys: map[string]any{
		"preview/meta/a": past,
		"preview/meta/b": past,
		"preview/meta/c": map[string]any{"e": float64(time.Now().Add(time.Hour).Unix())},
	}}
	var removed []string
	sw := ProvideSweeper(st, func(_ context.Context, k string) { removed = append(removed, k) })
	if err := sw.Scheduled(context.Background(), ScheduledEvent{Cron: "*/5 * * * *", ScheduledTime: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Fatalf("removed %v", removed)
	}
	if len(st.puts) == 0 || st.puts[len(st.puts)-1] != "jobs/sweep/last-run" {
		t.Fatalf("puts %v", st.puts)
	}
}
