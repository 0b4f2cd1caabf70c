// Package kvstore is wagtail's adapter for Cloudflare Workers KV. It wraps the
// REST clients of cloudflare-go (v0 for single-key and bulk operations, v3 for
// listing and metadata) behind plain functions that the domain packages use.
package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
	cfv3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// MinTTL is the shortest expiration KV accepts.
const MinTTL = 60 * time.Second

// Clients, set once by Init at startup.
var (
	API       *cloudflare.API
	V3        *cfv3.Client
	Account   *cloudflare.ResourceContainer
	AccountID string
)

// Init creates the Cloudflare clients. It must be called before any other
// function of this package.
func Init(accountID, token string) error {
	api, err := cloudflare.NewWithAPIToken(token, cloudflare.UsingRetryPolicy(3, 1, 8))
	if err != nil {
		return fmt.Errorf("kvstore: %w", err)
	}
	API = api
	V3 = cfv3.NewClient(option.WithAPIToken(token), option.WithMaxRetries(3))
	Account = cloudflare.AccountIdentifier(accountID)
	AccountID = accountID
	return nil
}

// GetBytes reads the value at key. A missing key returns a *MissError.
func GetBytes(ctx context.Context, ns, key string) ([]byte, error) {
	raw, err := API.GetWorkersKV(ctx, Account, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key})
	if err != nil {
		var nf *cloudflare.NotFoundError
		if errors.As(err, &nf) {
			return nil, &MissError{Namespace: ns, Key: key}
		}
		return nil, fmt.Errorf("kv get %s: %w", key, err)
	}
	return raw, nil
}

// PutBytes writes value at key. A zero ttl writes a key that never expires.
func PutBytes(ctx context.Context, ns, key string, value []byte, ttl time.Duration) error {
	var err error
	if ttl == 0 {
		_, err = API.WriteWorkersKVEntry(ctx, Account, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: key, Value: value})
	} else {
		_, err = API.WriteWorkersKVEntries(ctx, Account, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: ns,
			KVs:         []*cloudflare.WorkersKVPair{{Key: key, Value: string(value), ExpirationTTL: int(ttl.Seconds())}},
		})
	}
	if err != nil {
		return fmt.Errorf("kv put %s: %w", key, err)
	}
	return nil
}

// PutWithMeta writes value and metadata at key, expiring at the absolute
// time exp (Unix seconds) when exp is non-zero.
func PutWithMeta(ctx context.Context, ns, key string, value []byte, meta map[string]any, exp int64) error {
	pair := &cloudflare.WorkersKVPair{Key: key, Value: string(value), Metadata: meta}
	if exp > 0 {
		if min := time.Now().Add(MinTTL).Unix(); exp < min {
			exp = min
		}
		pair.Expiration = int(exp)
	}
	_, err := API.WriteWorkersKVEntries(ctx, Account, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// Delete removes key. Deleting a missing key is not an error.
func Delete(ctx context.Context, ns, key string) error {
	_, err := API.DeleteWorkersKVEntry(ctx, Account, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: ns, Key: key})
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return nil
	}
	return err
}

// DeleteMany removes up to 10,000 keys in one request.
func DeleteMany(ctx context.Context, ns string, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := API.DeleteWorkersKVEntries(ctx, Account, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: keys})
	return err
}

// ListPage returns one page of keys under prefix and the cursor of the next
// page ("" when the listing is complete).
func ListPage(ctx context.Context, ns, prefix, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	resp, err := API.ListWorkersKVKeys(ctx, Account, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", fmt.Errorf("kv list %s: %w", prefix, err)
	}
	return resp.Result, resp.Cursor, nil
}

// PutValue encodes v as JSON and writes it at key. If v knows its own
// lifetime (an Expiry method) that lifetime is used, never below MinTTL.
func PutValue(ctx context.Context, ns, key string, v any) error {
	if k, ok := v.(interface{ CacheKey() string }); ok && key == "" {
		key = k.CacheKey()
	}
	var ttl time.Duration
	if e, ok := v.(interface{ Expiry() time.Duration }); ok {
		ttl = e.Expiry()
		if ttl != 0 && ttl < MinTTL {
			ttl = MinTTL
		}
	}
	raw, err := marshal(v)
	if err != nil {
		return err
	}
	return PutBytes(ctx, ns, key, raw, ttl)
}
