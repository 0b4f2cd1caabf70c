package reports

import (
	"context"
	"fmt"
	"slices"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
)

// PurgeCourse removes every enrolment record of a deleted course. Run by
// the admin console after the course is archived in the database.
func (n *Nightly) PurgeCourse(ctx context.Context, courseID string) (int, error) {
	var names []string
	q := kvstore.ListQuery{Prefix: keys.Enrolment + courseID + ":", Limit: 1000}
	for {
		page, err := n.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return 0, fmt.Errorf("purge %s: %w", courseID, err)
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Done() {
			break
		}
		q.Cursor = page.Cursor
	}
	for chunk := range slices.Chunk(names, 10_000) {
		params := kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(n.account), Body: chunk}
		if _, err := n.ns.BulkDelete(ctx, n.nsID, params); err != nil {
			return 0, err
		}
	}
	return len(names), nil
}
