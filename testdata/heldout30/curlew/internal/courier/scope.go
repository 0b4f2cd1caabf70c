package courier

import (
	"context"
	"encoding/json"
	"time"

	"example.com/curlew/internal/kv"
)

// Store is the courier key space: positions, preferences and revocations.
type Store struct {
	kv.Store
	prefix string
}

// NewStore returns the courier key space on s.
func NewStore(s kv.Store) *Store { return &Store{Store: s, prefix: "courier:"} }

// scope is created for each authenticated request and builds every key
// from the courier the request belongs to.
type scope struct {
	*Store
	courier string
}

// For returns the request scope of courierID.
func (s *Store) For(courierID string) scope { return scope{Store: s, courier: courierID} }

func (sc scope) key(name string) string { return sc.prefix + sc.courier + ":" + name }

var defaultPrefs = []byte(`{"language":"en","navigation":"in-app","dark_mode":false}`)

// EnsurePrefs seeds default preferences on a courier's first login.
func (sc scope) EnsurePrefs(ctx context.Context) error {
	if _, err := sc.Get(ctx, sc.key("prefs")); err != nil { // EXPECT kvnull
		return sc.Put(ctx, sc.key("prefs"), defaultPrefs)
	}
	return nil
}

// Ping is one GPS fix from the courier app.
type Ping struct {
	Lat float64   `json:"lat"`
	Lng float64   `json:"lng"`
	At  time.Time `json:"at"`
}

// RecordPings stores a batch of fixes uploaded by the app after a dead spot.
func (sc scope) RecordPings(ctx context.Context, pings []Ping) error {
	for _, p := range pings {
		raw, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if err := sc.Put(ctx, sc.key("position"), raw, kv.WithTTL(10*time.Minute)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ReportDeviceLost revokes the device tokens of a lost handheld until every
// shift they could belong to is over.
func (sc scope) ReportDeviceLost(ctx context.Context, tokenHashes []string) error {
	for _, h := range tokenHashes {
		if err := sc.Put(ctx, "revoked:"+h, []byte(sc.courier), kv.WithTTL(36*time.Hour)); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}
