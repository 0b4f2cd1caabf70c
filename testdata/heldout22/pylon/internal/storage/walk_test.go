package storage

import (
	"context"
	"errors"
	"strconv"
	"testing"
)

// pagedLister serves n pages of two keys each.
type pagedLister struct{ pages int }

func (p pagedLister) List(_ context.Context, o ListOptions) (Page, error) {
	i, _ := strconv.Atoi(o.Cursor)
	page := Page{Keys: []KeyInfo{{Name: o.Prefix + strconv.Itoa(2*i)}, {Name: o.Prefix + strconv.Itoa(2*i+1)}}}
	if i+1 >= p.pages {
		page.Complete = true
		return page, nil
	}
	page.Cursor = strconv.Itoa(i + 1)
	return page, nil
}

func TestWalkBoundedStops(t *testing.T) {
	n := 0
	cursor, err := WalkBounded(context.Background(), pagedLister{pages: 10}, "k:", Budget{MaxPages: 3}, func(KeyInfo) error {
		n++
		return nil
	})
	if !errors.Is(err, ErrBudget) || cursor != "3" || n != 6 {
		t.Fatalf("cursor=%q n=%d err=%v", cursor, n, err)
	}
}
