package homepage

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.com/newsroom/internal/config"
	"example.com/newsroom/internal/store/memstore"
)

type fakeSource struct{}

func (fakeSource) Latest(_ context.Context, desk string, n int) ([]Story, error) {
	return []Story{{ID: "1", Slug: "a-" + desk, Title: "Story for " + desk, Desk: desk}}, nil
}

type fakeFrags map[string]string

func (f fakeFrags) Fragment(_ context.Context, name string) (string, error) { return f[name], nil }

func TestRebuildWritesFronts(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	b := New(mem, fakeSource{}, fakeFrags{"hero": "<b>Live</b>"}, config.Default(), []string{"world", "sport"}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := b.Rebuild(ctx, time.Unix(1700000000, 0)); err != nil {
		t.Fatal(err)
	}
	home, err := mem.Get(ctx, "home:html")
	if err != nil || !strings.Contains(string(home), "<b>Live</b>") {
		t.Fatalf("home = %q, %v", home, err)
	}
	if _, err := mem.Get(ctx, "front:sport"); err != nil {
		t.Fatalf("front:sport: %v", err)
	}
}

func TestSitemap(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	for _, s := range []string{"a", "b", "c"} {
		_ = mem.Put(ctx, "slug:"+s, []byte(s))
	}
	b := New(mem, fakeSource{}, fakeFrags{}, config.Default(), nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := b.Sitemap(ctx); err != nil {
		t.Fatal(err)
	}
	sm, err := mem.Get(ctx, "sitemap.xml")
	if err != nil || strings.Count(string(sm), "<loc>") != 3 {
		t.Fatalf("sitemap = %s, %v", sm, err)
	}
}
