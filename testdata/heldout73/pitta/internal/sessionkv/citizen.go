// Package sessionkv implements scs session stores on top of Workers KV so
// that the edge Worker and the booking API can share citizen sessions.
package sessionkv

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/cityofpitta/pitta/internal/kvstore"
)

// Compile-time checks: scs uses the context-aware methods when present and
// the iterable variant for SessionManager.Iterate.
var (
	_ scs.CtxStore         = (*CitizenStore)(nil)
	_ scs.IterableCtxStore = (*CitizenStore)(nil)
)

const (
	citizenPrefix = "sess:citizen:"
	// listPages bounds AllCtx: 20 pages of 1,000 keys covers several times
	// the number of citizens signed in on the busiest day so far.
	listPages  = 20
	bulkGetMax = 100
)

// CitizenStore keeps citizen sessions under sess:citizen:<token>.
type CitizenStore struct {
	ns *kvstore.Namespace
}

// NewCitizenStore returns a store over ns.
func NewCitizenStore(ns *kvstore.Namespace) *CitizenStore {
	return &CitizenStore{ns: ns}
}

// FindCtx implements scs.CtxStore.
func (s *CitizenStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	b, err := s.ns.Get(ctx, citizenPrefix+token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// CommitCtx implements scs.CtxStore. scs hands us the absolute expiry of
// the session; KV wants a relative TTL of at least a minute.
func (s *CitizenStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	ttl := time.Until(expiry)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.ns.Put(ctx, citizenPrefix+token, b, ttl) // DEBATABLE kvsession
}

// DeleteCtx implements scs.CtxStore; scs calls it from Destroy and
// RenewToken.
func (s *CitizenStore) DeleteCtx(ctx context.Context, token string) error {
	return s.ns.Delete(ctx, citizenPrefix+token) // EXPECT kvsession
}

// AllCtx implements scs.IterableCtxStore. Values are fetched in bulk, 100
// keys per request, and the walk stops after listPages pages.
func (s *CitizenStore) AllCtx(ctx context.Context) (map[string][]byte, error) {
	out := make(map[string][]byte)
	cursor := ""
	for page := 0; page < listPages; page++ {
		keys, next, err := s.ns.ListPage(ctx, citizenPrefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(keys))
		for _, k := range keys {
			names = append(names, k.Name)
		}
		for start := 0; start < len(names); start += bulkGetMax {
			batch := names[start:min(start+bulkGetMax, len(names))]
			values, err := s.ns.BulkGetText(ctx, batch)
			if err != nil {
				return nil, err
			}
			for k, v := range values {
				out[strings.TrimPrefix(k, citizenPrefix)] = []byte(v)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// Find implements scs.Store.
func (s *CitizenStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *CitizenStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *CitizenStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
