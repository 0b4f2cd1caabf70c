package jobs

import (
	"context"
	"testing"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ibex/internal/kvstore"
)

// pagedLister serves fixed pages; the cursor is the index of the next page.
type pagedLister struct {
	pages [][]string
	calls int
}

func (p *pagedLister) ListPage(_ context.Context, _, cursor string, _ int) (kvstore.Page, error) {
	p.calls++
	i := 0
	if cursor != "" {
		i = int(cursor[0] - '0')
	}
	var page kvstore.Page
	for _, n := range p.pages[i] {
		page.Keys = append(page.Keys, cloudflare.StorageKey{Name: n})
	}
	if i+1 < len(p.pages) {
		page.Cursor = string(rune('0' + i + 1))
	}
	return page, nil
}

var _ pageLister = (*pagedLister)(nil)

func TestSessionCensus(t *testing.T) {
	l := &pagedLister{pages: [][]string{{"session:a", "session:b"}, {}, {"session:c"}}}
	n, err := SessionCensus(context.Background(), l)
	if err != nil || n != 3 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if l.calls != 3 {
		t.Fatalf("calls=%d", l.calls)
	}
}
