package prefs

import (
	"context"
	"testing"
	"time"

	"example.com/foundry/internal/kvstore"
	"example.com/foundry/internal/kvstore/memstore"
)

func TestSaveLoad(t *testing.T) {
	ctx := context.Background()
	r := NewRepo(memstore.New())
	in := Settings{PlayerID: "p1", Locale: "fr-FR", Volume: 70, Subtitles: true}
	if err := r.Save(ctx, &in); err != nil {
		t.Fatal(err)
	}
	out := Settings{PlayerID: "p1"}
	if err := r.Load(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if out.Locale != "fr-FR" || out.Volume != 70 || !out.Subtitles {
		t.Fatalf("loaded %+v", out)
	}
}

func TestShortTTLIsRaised(t *testing.T) {
	key, ttl, err := locate(&DraftLoadout{PlayerID: "p9"})
	if err != nil {
		t.Fatal(err)
	}
	if key != "draft-loadout/p9" || ttl != time.Minute {
		t.Fatalf("locate = %q %v", key, ttl)
	}
}

func TestMerge(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	r := NewRepo(st)
	rec := Privacy{PlayerID: "p2"}
	if err := r.Merge(ctx, &rec, map[string]any{"show_online": true}); err != nil {
		t.Fatal(err)
	}
	if err := r.Merge(ctx, &rec, map[string]any{"hide_history": true}); err != nil {
		t.Fatal(err)
	}
	if !rec.ShowOnline || !rec.HideHistory {
		t.Fatalf("merged %+v", rec)
	}
	page, _ := st.List(ctx, kvstore.ListQuery{Prefix: "privacy/"})
	if len(page.Keys) != 1 {
		t.Fatalf("keys = %v", page.Keys)
	}
}
