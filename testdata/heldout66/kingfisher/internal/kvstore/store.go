// Package kvstore is Kingfisher's adapter over the Cloudflare REST API for
// Workers KV (cloudflare-go v4). Backend services (the order router, the
// notification workers and the admin tool) all reach KV through it.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

const (
	// MinTTL is the shortest expiration KV accepts.
	MinTTL = time.Minute
	// maxBulkPairs is the most pairs the bulk endpoints take per request.
	maxBulkPairs = 10_000
)

// Store reads and writes one KV namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	log       *slog.Logger
}

// New returns a Store for namespaceID in accountID.
func New(client *cloudflare.Client, accountID, namespaceID string, log *slog.Logger) *Store {
	if log == nil {
		log = slog.Default()
	}
	return &Store{client: client, accountID: accountID, nsID: namespaceID, log: log.With("kv_namespace", namespaceID)}
}

// FromEnv builds a Store from CF_API_TOKEN, CF_ACCOUNT_ID and the namespace
// id held in the variable nsVar.
func FromEnv(nsVar string, log *slog.Logger) (*Store, error) {
	token, account, ns := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv(nsVar)
	if token == "" || account == "" || ns == "" {
		return nil, fmt.Errorf("kvstore: CF_API_TOKEN, CF_ACCOUNT_ID and %s must be set", nsVar)
	}
	client := cloudflare.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	return New(client, account, ns, log), nil
}

// Namespace returns the namespace id.
func (s *Store) Namespace() string { return s.nsID }

// Get returns the raw value stored under key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// Lookup is Get with the miss reported as ok == false instead of an error.
func (s *Store) Lookup(ctx context.Context, key string) ([]byte, bool, error) {
	raw, err := s.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return raw, true, nil
}

// GetJSON decodes the JSON value stored under key into v.
func (s *Store) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := s.Get(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("kv decode %q: %w", key, err)
	}
	return nil
}

// Put stores value under key. A zero ttl stores it without expiry.
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutJSON encodes v and stores it under key.
func (s *Store) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	buf, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("kv encode %q: %w", key, err)
	}
	return s.Put(ctx, key, buf, ttl)
}

// PutCache stores a cache entry. Lifetimes shorter than MinTTL are raised to
// MinTTL, so callers can pass whatever their upstream's max-age says.
func (s *Store) PutCache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return s.Put(ctx, key, value, ttl)
}

// PutWithMeta stores value with list-visible metadata.
func (s *Store) PutWithMeta(ctx context.Context, key string, value []byte, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F[any](meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.nsID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page is one page of a key listing. Cursor is empty on the last page.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// ListPage returns one page of keys under prefix, starting at cursor.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return Page{}, fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

// Entry is one pair for PutMany.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// PutMany writes entries with the bulk endpoint, in requests of at most
// 10,000 pairs.
func (s *Store) PutMany(ctx context.Context, entries []Entry) error {
	for start := 0; start < len(entries); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range entries[start:end] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(string(e.Value)),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(max(e.TTL, MinTTL).Seconds())
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F(e.Metadata)
			}
			body = append(body, b)
		}
		res, err := s.client.KV.Namespaces.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			return fmt.Errorf("kv bulk put [%d:%d]: %w", start, end, err)
		}
		s.log.DebugContext(ctx, "bulk put", "pairs", len(body), "successful", res.SuccessfulKeyCount)
	}
	return nil
}

// DeleteMany removes keys with the bulk endpoint.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += maxBulkPairs {
		end := min(start+maxBulkPairs, len(keys))
		_, err := s.client.KV.Namespaces.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      keys[start:end],
		})
		if err != nil {
			return fmt.Errorf("kv bulk delete: %w", err)
		}
	}
	return nil
}

// AppendCapped appends item to the JSON array stored under key and keeps
// the newest max items.
func (s *Store) AppendCapped(ctx context.Context, key string, item json.RawMessage, max int, ttl time.Duration) error {
	var items []json.RawMessage
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("kv decode %q: %w", key, err)
		}
	}
	items = append(items, item)
	if len(items) > max {
		items = items[len(items)-max:]
	}
	buf, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, buf, ttl) // EXPECT kvrace
}
