// Package auth verifies SigV4 requests and presigned URLs, and keeps access
// keys, upload tickets and console sessions in KV.
package auth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"tui/internal/kvstore"
	"tui/internal/s3"
)

// AccessKey is an S3 credential pair owned by an account.
type AccessKey struct {
	ID       string    `json:"id"`
	Secret   string    `json:"secret"`
	OwnerID  string    `json:"owner"`
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"last_used,omitzero"`
}

// Keys resolves access keys with a short in-process cache.
type Keys struct {
	KV *kvstore.Store

	mu    sync.Mutex
	cache map[string]cachedKey
}

type cachedKey struct {
	key *AccessKey
	at  time.Time
}

func accessKeyKey(id string) string { return "akey/" + id }

// Lookup returns the access key for an ID.
func (k *Keys) Lookup(ctx context.Context, id string) (*AccessKey, error) {
	k.mu.Lock()
	if c, ok := k.cache[id]; ok && time.Since(c.at) < 30*time.Second {
		k.mu.Unlock()
		return c.key, nil
	}
	k.mu.Unlock()
	raw, err := k.fetch(ctx, accessKeyKey(id))
	if err != nil {
		return nil, err
	}
	var ak AccessKey
	if err := json.Unmarshal(raw, &ak); err != nil {
		return nil, err
	}
	k.mu.Lock()
	if k.cache == nil {
		k.cache = map[string]cachedKey{}
	}
	k.cache[id] = cachedKey{key: &ak, at: time.Now()}
	k.mu.Unlock()
	return &ak, nil
}

// fetch reads a key straight from the API so the raw status is visible.
func (k *Keys) fetch(ctx context.Context, key string) ([]byte, error) {
	resp, err := k.KV.Client().KV.Namespaces.Values.Get(ctx, k.KV.Namespace(), key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(k.KV.AccountID()),
	})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, s3.ErrAccessDenied
	}
	return raw, nil
}

// Touch records when a key was last used; shown in the console.
func (k *Keys) Touch(ctx context.Context, ak *AccessKey) error {
	if time.Since(ak.LastUsed) < time.Minute {
		return nil
	}
	ak.LastUsed = time.Now().UTC()
	raw, _ := json.Marshal(ak)
	return k.KV.Put(ctx, accessKeyKey(ak.ID), raw, kvstore.PutOptions{}) // EXPECT kvsession|kvrace
}

// Create stores a newly generated key pair.
func (k *Keys) Create(ctx context.Context, ak *AccessKey) error {
	raw, _ := json.Marshal(ak)
	return k.KV.Put(ctx, accessKeyKey(ak.ID), raw, kvstore.PutOptions{})
}

// Revoke deletes an access key, e.g. after a leak or on rotation.
func (k *Keys) Revoke(ctx context.Context, id string) error {
	k.mu.Lock()
	delete(k.cache, id)
	k.mu.Unlock()
	return k.KV.Delete(ctx, accessKeyKey(id)) // EXPECT kvsession
}

// RecordFailure counts bad signatures per key so the gateway can lock out
// credential stuffing.
func (k *Keys) RecordFailure(ctx context.Context, id string) (int, error) {
	key := "sigfail-attempts/" + id
	n := 0
	raw, err := k.KV.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	n++
	return n, k.KV.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.PutOptions{TTL: 15 * time.Minute}) // EXPECT kvcounter
}
