package kvlimits

import (
	"context"

	"kvlint.test/cfv6/optional"
	"kvlint.test/cfv6/optstore"
)

// A Limit held by pointer, read by the adapter with a default of 1,000.

func activeSessions(ctx context.Context, st *optstore.Store) ([]string, string, error) {
	return st.Keys(ctx, optstore.ListOpts{
		Prefix: optional.Ptr("session:"),
		Limit:  optional.Ptr(5000), // want `a Limit of 5000 is refused`
	})
}

func recentOrders(ctx context.Context, st *optstore.Store, cursor string) ([]string, string, error) {
	return st.Keys(ctx, optstore.ListOpts{Prefix: optional.Ptr("order:"), Limit: optional.Ptr(500), Cursor: cursor})
}

func anyPage(ctx context.Context, st *optstore.Store, cursor string) ([]string, string, error) {
	return st.Keys(ctx, optstore.ListOpts{Cursor: cursor})
}
