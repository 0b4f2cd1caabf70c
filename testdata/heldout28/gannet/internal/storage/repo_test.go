package storage

import (
	"context"
	"encoding/json"
	"testing"

	"example.com/gannet/internal/codec"
)

type note struct {
	Text string `json:"text"`
}

func TestRepoRoundTripAndMigration(t *testing.T) {
	ctx := context.Background()
	mem := NewMemory()
	repo := NewRepo(mem, "note",
		WithSchema[note](1, codec.Migrations{"note": {0: codec.Rename(map[string]string{"body": "text"})}}),
		RewriteMigrated[note](),
	)

	legacy, _ := json.Marshal(map[string]string{"body": "hello"})
	if err := mem.Put(ctx, repo.Key("a"), legacy, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := repo.Get(ctx, "a")
	if err != nil || !ok || got.Text != "hello" {
		t.Fatalf("Get = %+v, %v, %v", got, ok, err)
	}
	if err := repo.Put(ctx, "b", note{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	var seen int
	if _, err := Scan(ctx, mem, "note:", 3, func(ListedKey) error { seen++; return nil }); err != nil {
		t.Fatal(err)
	}
	if seen != 2 {
		t.Fatalf("scan saw %d keys", seen)
	}
}
