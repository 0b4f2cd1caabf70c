package publish_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/newsroom/internal/drafts"
	"example.com/newsroom/internal/publish"
	"example.com/newsroom/internal/store/memstore"
)

type tagRecorder map[string][]string

func (t tagRecorder) Add(tag, id string) error {
	t[tag] = append(t[tag], id)
	return nil
}

func TestPublishFlow(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	ds := drafts.New(mem)
	tags := tagRecorder{}
	p := publish.New(mem, ds, tags)

	if err := ds.Autosave(ctx, drafts.Draft{ID: "d1", Title: "Storm Éowyn hits the coast", Tags: []string{"weather"}}, "ana"); err != nil {
		t.Fatal(err)
	}
	art, err := p.Publish(ctx, "d1", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if art.Slug != "storm-owyn-hits-the-coast" || art.Status != publish.StatusLive {
		t.Fatalf("article = %+v", art)
	}
	if len(tags["weather"]) != 1 {
		t.Fatalf("tags = %v", tags)
	}
	got, err := p.BySlug(ctx, art.Slug)
	if err != nil || got.ID != "d1" {
		t.Fatalf("BySlug = %+v, %v", got, err)
	}

	if err := ds.Autosave(ctx, drafts.Draft{ID: "d2", Title: "Storm Éowyn hits the coast"}, "ben"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Publish(ctx, "d2", time.Time{}); !errors.Is(err, publish.ErrSlugTaken) {
		t.Fatalf("duplicate slug err = %v", err)
	}
}

func TestWithdraw(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	ds := drafts.New(mem)
	p := publish.New(mem, ds, tagRecorder{})
	_ = ds.Autosave(ctx, drafts.Draft{ID: "d1", Title: "Minister resigns"}, "ana")
	if _, err := p.Publish(ctx, "d1", time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Withdraw(ctx, "d1", "Legal advice."); err != nil {
		t.Fatal(err)
	}
	got, _ := p.BySlug(ctx, "minister-resigns")
	if got.Status != publish.StatusWithdrawn {
		t.Fatalf("status = %s", got.Status)
	}
}
