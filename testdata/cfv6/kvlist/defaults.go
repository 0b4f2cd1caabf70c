package kvlist

import (
	"context"

	"kvlint.test/cfv6/pagedstore"
)

// The adapter's default page of 1,000, used as if it held every session.
func sessionsOf(ctx context.Context, ps *pagedstore.Store, user string) ([]string, error) { // want sessionsOf:"kvlist"
	page, err := ps.List(ctx, "sess-by-user:"+user, "", 0) // want `only the first page of this list is used`
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, k := range page.Keys {
		ids = append(ids, k.Name)
	}
	return ids, nil
}

// Quiet: a handful to show, on purpose.
func recentSessions(ctx context.Context, ps *pagedstore.Store, user string) ([]string, error) {
	page, err := ps.List(ctx, "sess-by-user:"+user, "", 5)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, k := range page.Keys {
		ids = append(ids, k.Name)
	}
	return ids, nil
}

// Quiet: a page size the caller chooses, paged on purpose.
func someSessions(ctx context.Context, ps *pagedstore.Store, user string, n int) ([]pagedstore.Page, error) {
	page, err := ps.List(ctx, "sess-by-user:"+user, "", n)
	return []pagedstore.Page{page}, err
}
