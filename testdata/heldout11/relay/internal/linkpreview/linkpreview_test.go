package linkpreview

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/relay/internal/store/memstore"
)

type fakeFetcher struct {
	calls int
	err   error
}

func (f *fakeFetcher) Fetch(_ context.Context, url string) (Preview, time.Duration, error) {
	f.calls++
	return Preview{Title: "Example " + url}, 10 * time.Second, f.err
}

func TestReadThrough(t *testing.T) {
	ctx := context.Background()
	f := &fakeFetcher{}
	c := New(memstore.New(), f, time.Hour)
	for i := 0; i < 3; i++ {
		p, err := c.Get(ctx, "https://example.com/a")
		if err != nil || p.Title != "Example https://example.com/a" {
			t.Fatalf("Get = %+v, %v", p, err)
		}
	}
	if f.calls != 1 {
		t.Fatalf("fetched %d times, want 1", f.calls)
	}
	if got := c.ttlFor(10 * time.Second); got != time.Minute {
		t.Fatalf("ttlFor(10s) = %v", got)
	}
}

func TestFailureIsRemembered(t *testing.T) {
	ctx := context.Background()
	f := &fakeFetcher{err: errors.New("boom")}
	c := New(memstore.New(), f, time.Hour)
	for i := 0; i < 2; i++ {
		if _, err := c.Get(ctx, "https://example.com/dead"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Get: %v", err)
		}
	}
	if f.calls != 1 {
		t.Fatalf("fetched %d times, want 1", f.calls)
	}
}
