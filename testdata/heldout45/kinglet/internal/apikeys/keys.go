// Package apikeys manages the API keys customers use for the invoicing API.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"kinglet/internal/kvstore"
)

// ErrUnauthenticated is returned for unknown keys.
var ErrUnauthenticated = errors.New("apikeys: unknown key")

// Key is the stored record for one API key. The secret itself is never
// stored, only its hash.
type Key struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Label      string    `json:"label"`
	Scopes     []string  `json:"scopes"`
	Created    time.Time `json:"created"`
}

// Registry stores keys in the keys namespace.
type Registry struct {
	Store     *kvstore.Store
	Namespace string
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Create mints a key and returns its plaintext once.
func (r Registry) Create(ctx context.Context, customerID, label string, scopes []string) (string, Key, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", Key{}, err
	}
	secret := "kgl_" + hex.EncodeToString(buf)
	k := Key{
		ID:         hex.EncodeToString(buf[:6]),
		CustomerID: customerID,
		Label:      label,
		Scopes:     slices.Sorted(slices.Values(scopes)),
		Created:    time.Now().UTC(),
	}
	if err := r.Store.PutJSON(ctx, r.Namespace, "apikey:"+hashSecret(secret), k, 0); err != nil {
		return "", Key{}, err
	}
	meta := map[string]any{"label": label, "created": k.Created.Unix(), "hash": hashSecret(secret)}
	if err := r.Store.PutWithMeta(ctx, r.Namespace, fmt.Sprintf("apikey-meta:%s:%s", customerID, k.ID), nil, 0, meta); err != nil {
		return "", Key{}, err
	}
	if err := r.Store.AppendJSON(ctx, r.Namespace, "apikey-log:"+customerID, map[string]any{"created": k.ID, "at": k.Created}, 0); err != nil {
		return "", Key{}, err
	}
	return secret, k, nil
}

// Authenticate resolves a presented secret to its key.
func (r Registry) Authenticate(ctx context.Context, secret string) (Key, error) {
	if !strings.HasPrefix(secret, "kgl_") {
		return Key{}, ErrUnauthenticated
	}
	raw, err := r.Store.Get(ctx, r.Namespace, "apikey:"+hashSecret(secret))
	if err != nil {
		return Key{}, fmt.Errorf("lookup key: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return Key{}, ErrUnauthenticated
	}
	var k Key
	if err := json.Unmarshal(raw, &k); err != nil {
		return Key{}, err
	}
	return k, nil
}

// List returns the keys of a customer for the settings page.
func (r Registry) List(ctx context.Context, customerID string) ([]map[string]any, error) {
	keys, _, err := r.Store.ListPage(ctx, r.Namespace, fmt.Sprintf("apikey-meta:%s:", customerID), "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		m, _ := k.Metadata.(map[string]any)
		out = append(out, map[string]any{"key": strings.TrimPrefix(k.Name, "apikey-meta:"+customerID+":"), "meta": m})
	}
	return out, nil
}

// Revoke deletes a key; requests with it fail once the delete has spread.
func (r Registry) Revoke(ctx context.Context, customerID, id, hash string) error {
	if err := r.Store.Delete(ctx, r.Namespace, "apikey:"+hash); err != nil { // DEBATABLE kvsession
		return err
	}
	if err := r.Store.Delete(ctx, r.Namespace, fmt.Sprintf("apikey-meta:%s:%s", customerID, id)); err != nil {
		return err
	}
	return r.Store.AppendJSON(ctx, r.Namespace, "apikey-log:"+customerID, map[string]any{"revoked": id, "at": time.Now().UTC()}, 0)
}

// Usage counts requests per key in memory and flushes daily totals.
type Usage struct {
	Registry Registry

	mu   sync.Mutex
	hits map[string]int
}

// Hit records one request made with key id.
func (u *Usage) Hit(id string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.hits == nil {
		u.hits = make(map[string]int)
	}
	u.hits[id]++
}

type flushResult struct {
	id  string
	err error
}

// Flush writes the collected totals, one goroutine per key.
func (u *Usage) Flush(ctx context.Context, day time.Time) error {
	u.mu.Lock()
	snapshot := u.hits
	u.hits = nil
	u.mu.Unlock()

	ids := slices.Sorted(maps.Keys(snapshot))
	results := make(chan flushResult, len(ids))
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func(id string, n int) {
			defer wg.Done()
			key := fmt.Sprintf("apikey-hits:%s:%s", id, day.Format("20060102"))
			err := u.Registry.Store.Put(ctx, u.Registry.Namespace, key, []byte(strconv.Itoa(n)), 40*24*time.Hour) // EXPECT kvcounter
			results <- flushResult{id: id, err: err}
		}(id, snapshot[id])
	}
	wg.Wait()
	close(results)
	var errs []error
	for res := range results {
		if res.err != nil {
			errs = append(errs, fmt.Errorf("flush %s: %w", res.id, res.err))
		}
	}
	return errors.Join(errs...)
}
