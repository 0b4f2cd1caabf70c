// Package edgekv is the backend's adapter for the Workers KV namespaces that the
// edge reads. Postgres stays the source of truth; everything written here is a
// projection that the door Worker and the fan site read close to the user.
package edgekv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/boxoffice/crossbill/internal/telemetry"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("edgekv: key not found")

// Store talks to one KV namespace through the Cloudflare REST API.
type Store struct {
	API         *cloudflare.Client
	AccountID   string
	NamespaceID string
	Name        string // label used in metrics, e.g. "sessions" or "seats"
}

// Open builds a Store from an API token.
func Open(token, accountID, namespaceID, name string) *Store {
	return &Store{
		API:         cloudflare.NewClient(option.WithAPIToken(token)),
		AccountID:   accountID,
		NamespaceID: namespaceID,
		Name:        name,
	}
}

func (s *Store) observe(op string) *prometheus.Timer {
	return prometheus.NewTimer(telemetry.KVLatency.WithLabelValues(s.Name, op))
}

// Get reads a value. Missing keys come back as ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	t := s.observe("get")
	defer t.ObserveDuration()
	res, err := s.API.KV.Namespaces.Values.Get(ctx, s.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			telemetry.KVMisses.WithLabelValues(s.Name).Inc()
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("edgekv get %s: %w", key, err)
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Put writes a value. A zero ttl means the key does not expire; otherwise the
// ttl is sent in whole seconds.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	t := s.observe("put")
	defer t.ObserveDuration()
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.API.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, params)
	if err != nil {
		return fmt.Errorf("edgekv put %s: %w", key, err)
	}
	return nil
}

// PutCache writes a cache entry. KV refuses lifetimes under a minute, so short
// lifetimes are raised to one minute here.
func (s *Store) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// PutUntil writes a value that expires at an absolute time.
func (s *Store) PutUntil(ctx context.Context, key string, value []byte, at time.Time, meta any) error {
	t := s.observe("put")
	defer t.ObserveDuration()
	params := kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.AccountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	_, err := s.API.KV.Namespaces.Values.Update(ctx, s.NamespaceID, key, params)
	return err
}

// Delete removes a key.
func (s *Store) Delete(ctx context.Context, key string) error {
	t := s.observe("delete")
	defer t.ObserveDuration()
	_, err := s.API.KV.Namespaces.Values.Delete(ctx, s.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	return err
}

// Page returns one page of keys under prefix and the cursor for the next one
// ("" when there is nothing more).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	t := s.observe("list")
	defer t.ObserveDuration()
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.API.KV.Namespaces.Keys.List(ctx, s.NamespaceID, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// Entry is one pair for BulkPut.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  any
}

// MaxBulk is the most pairs one bulk request may carry.
const MaxBulk = 10_000

// BulkPut writes entries in requests of at most MaxBulk pairs.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) error {
	t := s.observe("bulk_put")
	defer t.ObserveDuration()
	for start := 0; start < len(entries); start += MaxBulk {
		end := min(start+MaxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL >= time.Minute {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Meta != nil {
				b.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, b)
		}
		if _, err := s.API.KV.Namespaces.BulkUpdate(ctx, s.NamespaceID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.AccountID),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("edgekv bulk put [%d:%d]: %w", start, end, err)
		}
	}
	return nil
}

// Update applies fn to the current value of key (nil when missing) and stores
// the result with the given ttl.
func (s *Store) Update(ctx context.Context, key string, ttl time.Duration, fn func(old []byte) ([]byte, error)) error {
	old, err := s.Get(ctx, key)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	next, err := fn(old)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, next, ttl) // EXPECT kvrace
}
