package invites

import "example.com/foundry/internal/kvstore"

func kvstoreQuery(prefix string) kvstore.ListQuery {
	return kvstore.ListQuery{Prefix: prefix, Limit: 100}
}
