// Package ports declares the storage the domain needs, as structs of function
// fields. Adapters fill them in; main wires the adapters; tests fill them with
// closures over maps.
package ports

import (
	"context"
	"errors"
	"time"

	"example.com/shrike/internal/domain"
)

var ErrNotFound = errors.New("not found")

const DefaultLimit = 100

type Query struct {
	Prefix string
	Limit  int
	// After is the opaque cursor returned with the previous page.
	After string
}

func (q Query) WithDefaults() Query {
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	return q
}

type Page struct {
	Keys []string
	// Next is the cursor for the following page; empty when Complete.
	Next     string
	Complete bool
}

type Session struct {
	ID      string           `json:"id"`
	RiderID string           `json:"rider_id"`
	Issued  domain.Timestamp `json:"issued"`
	Expires domain.Timestamp `json:"expires"`
	Scopes  []string         `json:"scopes,omitempty"`
}

type SessionStore struct {
	Load func(ctx context.Context, id string) (Session, error)
	Save func(ctx context.Context, s Session, ttl time.Duration) error
	Drop func(ctx context.Context, id string) error
}

// RevocationList records token IDs that must no longer be accepted.
type RevocationList struct {
	Revoke  func(ctx context.Context, jti string, until time.Time) error
	Revoked func(ctx context.Context, jti string) (bool, error)
}

type StatusStore struct {
	Find func(ctx context.Context, q Query) (Page, error)
	Get  func(ctx context.Context, stationID string) (domain.StationStatus, error)
	Put  func(ctx context.Context, st domain.StationStatus) error
}

type DocStore struct {
	Read  func(ctx context.Context, key string) ([]byte, error)
	Write func(ctx context.Context, key string, doc []byte, ttl time.Duration) error
	Find  func(ctx context.Context, q Query) (Page, error)
}

type Clock func() time.Time
