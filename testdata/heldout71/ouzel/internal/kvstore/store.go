// Package kvstore is the team's thin adapter over the Cloudflare REST API for
// Workers KV. Everything in the cart service that talks to KV from the origin
// goes through a *Store; the edge Worker uses the runtime binding instead.
package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"
)

// ErrNotFound is returned by Get when the key does not exist (HTTP 404).
var ErrNotFound = errors.New("kvstore: key not found")

// ErrNotInteger mirrors Redis' "value is not an integer or out of range".
var ErrNotInteger = errors.New("kvstore: value is not an integer")

// MaxBulkGet is the REST bulk-get limit per request.
const MaxBulkGet = 100

// MaxBulkWrite is the REST bulk-write limit per request.
const MaxBulkWrite = 10_000

// Store talks to a single KV namespace.
type Store struct {
	ns        *kv.NamespaceService
	accountID string
	nsID      string
}

// Open builds a Store from an API token and the account / namespace ids.
func Open(apiToken, accountID, namespaceID string) *Store {
	client := cloudflare.NewClient(option.WithAPIToken(apiToken))
	return &Store{ns: client.KV.Namespaces, accountID: accountID, nsID: namespaceID}
}

// NamespaceID reports which namespace this store writes to.
func (s *Store) NamespaceID() string { return s.nsID }

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Get returns the raw value of key, or ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	b, _, err := s.GetWithExpiry(ctx, key)
	return b, err
}

// GetWithExpiry also reports the absolute expiration carried in the
// response's `expiration` header (zero when the key never expires).
func (s *Store) GetWithExpiry(ctx context.Context, key string) ([]byte, time.Time, error) {
	res, err := s.ns.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil {
		if notFound(err) {
			return nil, time.Time{}, ErrNotFound
		}
		return nil, time.Time{}, fmt.Errorf("kv get %q: %w", key, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("kv get %q: read body: %w", key, err)
	}
	var exp time.Time
	if h := res.Header.Get("expiration"); h != "" {
		if sec, perr := strconv.ParseInt(h, 10, 64); perr == nil {
			exp = time.Unix(sec, 0)
		}
	}
	return body, exp, nil
}

// Put writes value under key. A ttl of zero or less means "no expiry".
func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	if _, err := s.ns.Values.Update(ctx, s.nsID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutMeta writes value with a JSON metadata object that list results return.
func (s *Store) PutMeta(ctx context.Context, key string, value []byte, ttl time.Duration, meta any) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if _, err := s.ns.Values.Update(ctx, s.nsID, key, params); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// PutAt writes value so that it expires at the absolute time at.
func (s *Store) PutAt(ctx context.Context, key string, value []byte, at time.Time) error {
	_, err := s.ns.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F(string(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	if err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Cache writes a derived, read-through value. Lifetimes shorter than what KV
// accepts are raised to the minimum.
func (s *Store) Cache(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Put(ctx, key, value, ttl)
}

// Delete removes key. Deleting a missing key is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.nsID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.accountID),
	})
	if err != nil && !notFound(err) {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// IncrBy adds delta to the integer stored at key and returns the new value.
// A missing key counts as zero, as in Redis.
func (s *Store) IncrBy(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	var n int64
	raw, err := s.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, ErrNotInteger
		}
	}
	n += delta
	if err := s.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), ttl); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	return n, nil
}

// Page returns one page of key names under prefix and the cursor for the
// next page ("" when there is none).
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Limit:     cloudflare.F(float64(limit)),
	}
	if prefix != "" {
		params.Prefix = cloudflare.F(prefix)
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.ns.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return nil, "", fmt.Errorf("kv list %q: %w", prefix, err)
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// AllKeys returns every key name under prefix.
func (s *Store) AllKeys(ctx context.Context, prefix string) ([]string, error) {
	pager := s.ns.Keys.ListAutoPaging(ctx, s.nsID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	})
	var names []string
	for pager.Next() {
		names = append(names, pager.Current().Name)
	}
	return names, pager.Err()
}

// HasAny reports whether at least one key exists under prefix.
func (s *Store) HasAny(ctx context.Context, prefix string) (bool, error) {
	page, err := s.ns.Keys.List(ctx, s.nsID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  any
}

// PutMany writes entries with the bulk endpoint. It returns the keys that the
// API reported as not written so the caller can retry them.
func (s *Store) PutMany(ctx context.Context, entries []Entry) ([]string, error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(e.Key),
			Value: cloudflare.F(string(e.Value)),
		}
		if e.TTL > 0 {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Meta != nil {
			b.Metadata = cloudflare.F(e.Meta)
		}
		body = append(body, b)
	}
	res, err := s.ns.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      body,
	})
	if err != nil {
		return nil, fmt.Errorf("kv bulk put (%d pairs): %w", len(entries), err)
	}
	return res.UnsuccessfulKeys, nil
}

// DeleteMany removes keys with the bulk endpoint.
func (s *Store) DeleteMany(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := s.ns.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      keys,
	})
	if err != nil {
		return fmt.Errorf("kv bulk delete (%d keys): %w", len(keys), err)
	}
	return nil
}

// GetMany reads up to MaxBulkGet keys at once. Missing keys map to nil.
func (s *Store) GetMany(ctx context.Context, keys []string) (map[string]*string, error) {
	if len(keys) > MaxBulkGet {
		return nil, fmt.Errorf("kv bulk get: %d keys, at most %d", len(keys), MaxBulkGet)
	}
	res, err := s.ns.BulkGet(ctx, s.nsID, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(s.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("kv bulk get: %w", err)
	}
	var decoded struct {
		Values map[string]*string `json:"values"`
	}
	if err := json.Unmarshal([]byte(res.JSON.RawJSON()), &decoded); err != nil {
		return nil, fmt.Errorf("kv bulk get: decode: %w", err)
	}
	return decoded.Values, nil
}
