package apikeys_test

import (
	"context"
	"strings"
	"testing"

	"example.com/identity/internal/apikeys"
	"example.com/identity/internal/store/memstore"
)

func TestIssueAndList(t *testing.T) {
	ctx := context.Background()
	svc := apikeys.New(memstore.New())
	key, err := svc.Issue(ctx, apikeys.Request{Owner: "ops@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(key, ".")
	if err := svc.Revoke(ctx, id); err != nil {
		t.Fatal(err)
	}
	rows, cursor, err := svc.ListForAdmin(ctx, "")
	if err != nil || len(rows) != 1 || cursor != "" {
		t.Fatalf("list: %v %q %v", rows, cursor, err)
	}
	if rows[0].Owner != "ops@example.com" {
		t.Fatalf("owner from metadata = %q", rows[0].Owner)
	}
}
