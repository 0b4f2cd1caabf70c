package kvlist

import (
	"context"
	"net/http"
	"testing"
)

// Quiet: a test lists a fake's few keys, to the end.
func TestAll(t *testing.T) {
	cursor := ""
	for {
		names, next, err := page(context.Background(), http.DefaultClient, "t:", cursor)
		if err != nil {
			t.Fatal(err)
		}
		_ = names
		if next == "" {
			break
		}
		cursor = next
	}
}
