package export_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"example.com/lantern/internal/export"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/store/memstore"
)

func TestAttendeesCSV(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	e := &export.Exporter{Store: m, Opts: export.Options{PageSize: 2, MaxPages: 10}, Clock: time.Now}
	for _, u := range []string{"u1", "u2", "u3"} {
		_ = m.Put(ctx, "rsvp:e1:"+u, []byte(`{}`), store.PutOptions{})
	}
	var out bytes.Buffer
	if err := e.AttendeesCSV(ctx, &out, "e1"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "\n"); got != 4 {
		t.Fatalf("rows = %d\n%s", got, out.String())
	}
}

func TestCheckinsAndSitemap(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	e := &export.Exporter{Store: m, Opts: export.Options{PageSize: 10, MaxPages: 2}, Clock: time.Now}
	for _, tk := range []string{"t1", "t2"} {
		if err := e.AppendCheckin(ctx, "e1", tk, "north"); err != nil {
			t.Fatal(err)
		}
	}
	raw, _ := m.Get(ctx, "checkins:e1.csv")
	if strings.Count(string(raw), "\n") != 3 {
		t.Fatalf("sheet:\n%s", raw)
	}
	_ = m.Put(ctx, "slug:go-night", []byte("e1"), store.PutOptions{})
	var out bytes.Buffer
	if err := e.Sitemap(ctx, &out, "https://lantern.example.org"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "https://lantern.example.org/e/go-night") {
		t.Fatal(out.String())
	}
}
