// Package db is the key-value query layer, written in the style of sqlc
// output: one method per query, each next to its key format.
package db

import (
	"context"
	"time"
)

// DBTX is the subset of the KV adapter the queries need.
type DBTX interface {
	QueryRow(ctx context.Context, key string) ([]byte, error)
	Exec(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Remove(ctx context.Context, key string) error
}

// New returns Queries bound to db.
func New(db DBTX) *Queries {
	return &Queries{db: db}
}

// Queries runs the key-value queries.
type Queries struct {
	db DBTX
}

// WithNamespace returns Queries bound to another namespace handle.
func (q *Queries) WithNamespace(db DBTX) *Queries {
	return &Queries{db: db}
}
