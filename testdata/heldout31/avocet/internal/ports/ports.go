// Package ports declares the storage ports as structs of function fields:
// adapters fill them, main wires them, tests fill them with closures.
package ports

import (
	"context"
	"errors"
	"time"

	"example.com/avocet/internal/domain"
)

type SessionStore struct {
	Load func(ctx context.Context, id string) (domain.Session, error)
	Save func(ctx context.Context, s domain.Session) error
	Drop func(ctx context.Context, id string) error
}

// DraftStore keeps the per-creator episode wizard drafts.
type DraftStore struct {
	Load  func(ctx context.Context, creator string) ([]byte, bool, error)
	Save  func(ctx context.Context, creator string, doc []byte) error
	Clear func(ctx context.Context, creator string) error
}

// TokenCache keeps short-lived credentials for upstream APIs.
type TokenCache struct {
	Get func(ctx context.Context, name string) (string, bool, error)
	Put func(ctx context.Context, name, token string, ttl time.Duration) error
}

const DefaultLimit = 100

// Query selects a page of keys.
type Query struct {
	Prefix string
	Limit  int
	After  string // opaque cursor from a previous Page
}

func (q Query) WithDefaults() Query {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	return q
}

// Page is one page of keys plus the cursor to continue from.
type Page struct {
	Keys []string
	Next string
	Done bool
}

// Catalog is a read port over a key range: find keys page by page and load
// single values. Load returns domain.ErrNotFound for absent keys.
type Catalog struct {
	Find func(ctx context.Context, q Query) (Page, error)
	Load func(ctx context.Context, key string) ([]byte, error)
}

func IsNotFound(err error) bool { return errors.Is(err, domain.ErrNotFound) }

type Documents struct {
	Read  func(ctx context.Context, key string) ([]byte, error)
	Write func(ctx context.Context, key string, doc []byte) error
}
