package admin

import (
	"context"
	"errors"
	"strings"
	"testing"

	"example.com/community/internal/store"
	"example.com/community/internal/store/memstore"
	"example.com/community/internal/users"
)

func TestExport(t *testing.T) {
	ctx := context.Background()
	ukv, blobs := memstore.New(), memstore.New()
	for _, h := range []string{"ann", "ben"} {
		_ = store.PutJSON(ctx, ukv, users.UserPrefix+h, users.User{ID: h, Handle: h, Email: h + "@example.com"})
	}
	e := NewExporter(ukv, blobs)
	key, err := e.Export(ctx, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := blobs.Get(ctx, key)
	if err != nil || strings.Count(string(b), "\n") != 3 {
		t.Fatalf("csv = %q %v", b, err)
	}
	if _, err := e.Export(ctx, "req-1"); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("want ErrDuplicate, got %v", err)
	}
}
