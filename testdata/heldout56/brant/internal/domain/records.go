package domain

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned by stores when a key does not exist.
var ErrNotFound = errors.New("domain: not found")

// Session is a rider's signed-in session.
type Session struct {
	ID        string    `json:"id"`
	RiderID   string    `json:"rider_id"`
	City      string    `json:"city"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	Deleted   bool      `json:"deleted,omitempty"`
}

// UnlockCode is a short code a rider types on a vehicle's pad.
type UnlockCode struct {
	VehicleID string    `json:"vehicle_id"`
	RiderID   string    `json:"rider_id"`
	Code      string    `json:"code"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Hold reserves a vehicle for a rider for a short time.
type Hold struct {
	VehicleID string    `json:"vehicle_id"`
	RiderID   string    `json:"rider_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Receipt is the rider-facing summary of a finished trip.
type Receipt struct {
	TripID     string        `json:"trip_id"`
	RiderID    string        `json:"rider_id"`
	City       string        `json:"city"`
	Duration   time.Duration `json:"duration"`
	AmountCent int64         `json:"amount_cents"`
	Surge      float64       `json:"surge"`
}

// SurgeConfig is the pricing multiplier published to the edge for one city.
type SurgeConfig struct {
	City       string             `json:"city"`
	Multiplier float64            `json:"multiplier"`
	Zones      map[string]float64 `json:"zones,omitempty"`
	Version    int                `json:"version"`
	Published  time.Time          `json:"published"`
}

// TripEvent is emitted by vehicles when a trip starts or ends.
type TripEvent struct {
	Type      string    `json:"type"`
	TripID    string    `json:"trip_id"`
	RiderID   string    `json:"rider_id"`
	VehicleID string    `json:"vehicle_id"`
	City      string    `json:"city"`
	At        time.Time `json:"at"`
	Cents     int64     `json:"cents"`
}

// Redemption records which riders used a promo code.
type Redemption struct {
	Code    string   `json:"code"`
	Riders  []string `json:"riders"`
	Cap     int      `json:"cap"`
	Revoked bool     `json:"revoked,omitempty"`
}

// RefreshToken is the long-lived credential behind a session.
type RefreshToken struct {
	ID        string `json:"id"`
	RiderID   string `json:"rider_id"`
	RevokedAt int64  `json:"revoked_at,omitempty"`
}

// ReadOpts are optional read settings; nil fields take the store default.
type ReadOpts struct {
	CacheTTL *time.Duration
}

// WriteOpts are optional write settings; nil fields mean no expiry.
type WriteOpts struct {
	TTL      *time.Duration
	ExpireAt *time.Time
}

// ListOpts are optional list settings.
type ListOpts struct {
	Prefix *string
	Limit  *int
	Cursor string
}

// Page is one page of listed keys.
type Page struct {
	Keys     []string
	Cursor   string
	Complete bool
}

// EdgeStore is the Worker's view of a KV namespace.
type EdgeStore interface {
	Get(ctx context.Context, key string, o ReadOpts) (string, bool, error)
	Put(ctx context.Context, key, value string, o WriteOpts) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, o ListOpts) (Page, error)
}

// BlobStore is the backend's view of a KV namespace.
type BlobStore interface {
	Read(ctx context.Context, key string) ([]byte, error)
	Write(ctx context.Context, key string, value []byte, o WriteOpts) error
	Remove(ctx context.Context, key string) error
}
