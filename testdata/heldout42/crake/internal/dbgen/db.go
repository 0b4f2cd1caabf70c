// Package dbgen is the key-value data layer, written in the style of sqlc
// output: one method per query, with the key format of each query declared
// as a constant next to it. It runs against anything that satisfies DBTX,
// which is the Workers KV adapter at the edge and the REST client in the
// back-office tools.
package dbgen

import (
	"context"
	"time"
)

// DefaultNamespace is the logical namespace used by New.
const DefaultNamespace = "FLEET_KV"

// KeyPage is one page of a key listing.
type KeyPage struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// DBTX is the subset of a key-value store that the queries need.
// GetValue reports ok=false for a key that does not exist.
type DBTX interface {
	GetValue(ctx context.Context, ns, key string) ([]byte, bool, error)
	PutValue(ctx context.Context, ns, key string, val []byte, ttl time.Duration) error
	DeleteValue(ctx context.Context, ns, key string) error
	ListKeys(ctx context.Context, ns, prefix, cursor string, limit int) (KeyPage, error)
}

// New returns Queries bound to the default namespace.
func New(db DBTX) *Queries {
	return &Queries{db: db, ns: DefaultNamespace}
}

// Queries runs the key-value queries against one namespace.
type Queries struct {
	db DBTX
	ns string
}

// WithNamespace returns a copy of q that runs against ns.
func (q *Queries) WithNamespace(ns string) *Queries {
	return &Queries{db: q.db, ns: ns}
}

// Namespace reports the namespace q runs against.
func (q *Queries) Namespace() string { return q.ns }
