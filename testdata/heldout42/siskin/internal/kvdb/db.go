// Package kvdb is a small query layer over KV in the style of sqlc output:
// one method per query, with the key format of each query declared next to it.
package kvdb

import (
	"context"
	"encoding/json"
)

// DBTX is satisfied by *cfkv.Client.
type DBTX interface {
	GetValue(ctx context.Context, namespace, key string) ([]byte, error)
	PutValue(ctx context.Context, namespace, key string, value []byte, ttlSeconds int) error
	DeleteValue(ctx context.Context, namespace, key string) error
}

// Queries runs the queries of this package against one namespace.
type Queries struct {
	db DBTX
	ns string
}

// New returns Queries over db. Call WithNamespace before use.
func New(db DBTX) *Queries {
	return &Queries{db: db}
}

// WithNamespace returns a copy of q bound to namespace ns.
func (q *Queries) WithNamespace(ns string) *Queries {
	return &Queries{db: q.db, ns: ns}
}

func (q *Queries) getJSON(ctx context.Context, key string, dst any) error {
	raw, err := q.db.GetValue(ctx, q.ns, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

func (q *Queries) putJSON(ctx context.Context, key string, v any, ttlSeconds int) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return q.db.PutValue(ctx, q.ns, key, b, ttlSeconds)
}
