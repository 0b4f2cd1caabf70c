package store

import (
	"context"
	"errors"
	"strconv"
	"testing"
)

// pagedLister serves fixed pages of two keys each.
type pagedLister struct {
	keys  []string
	calls int
}

func (p *pagedLister) List(_ context.Context, opts ListOptions) (Page, error) {
	p.calls++
	start := 0
	if opts.Cursor != "" {
		start, _ = strconv.Atoi(opts.Cursor)
	}
	end := min(start+2, len(p.keys))
	page := Page{Complete: end == len(p.keys)}
	for _, k := range p.keys[start:end] {
		page.Keys = append(page.Keys, Key{Name: k})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func TestKeysStopsEarly(t *testing.T) {
	l := &pagedLister{keys: []string{"a", "b", "c", "d", "e"}}
	n := 0
	for _, err := range Keys(context.Background(), l, "") {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 3 {
			break
		}
	}
	if l.calls != 2 {
		t.Errorf("calls = %d, want 2", l.calls)
	}
}

func TestCollectBudget(t *testing.T) {
	l := &pagedLister{keys: []string{"a", "b", "c", "d", "e"}}
	keys, err := Collect(context.Background(), l, "", 2)
	if !errors.Is(err, ErrBudgetExceeded) || len(keys) != 4 {
		t.Fatalf("Collect = %d keys, %v", len(keys), err)
	}
}
