// Package kvlegacy wraps the v0 cloudflare-go client that fleetsync still
// uses for the export namespace. Single writes through this client carry no
// lifetime; anything that must expire goes through Write with per-pair TTLs.
package kvlegacy

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// Bucket is a namespace narrowed to a key prefix.
type Bucket struct {
	api    *cloudflare.API
	rc     *cloudflare.ResourceContainer
	ns     string
	prefix string
}

// Dial builds a Bucket for the namespace with an API token.
func Dial(token, accountID, namespace string) (Bucket, error) {
	api, err := cloudflare.NewWithAPIToken(token)
	if err != nil {
		return Bucket{}, fmt.Errorf("cloudflare client: %w", err)
	}
	return Bucket{api: api, rc: cloudflare.AccountIdentifier(accountID), ns: namespace}, nil
}

// Scope narrows the bucket by one or more segments.
func (b Bucket) Scope(parts ...string) Bucket {
	for _, p := range parts {
		if p = strings.Trim(p, "/"); p != "" {
			b.prefix += p + "/"
		}
	}
	return b
}

func (b Bucket) Key(name string) string { return b.prefix + name }
func (b Bucket) Prefix() string         { return b.prefix }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var nf cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Get returns the raw value. A missing key is reported as an error for which
// IsNotFound is true.
func (b Bucket) Get(ctx context.Context, name string) ([]byte, error) {
	return b.api.GetWorkersKV(ctx, b.rc, cloudflare.GetWorkersKVParams{NamespaceID: b.ns, Key: b.Key(name)})
}

// Put writes a value with no expiry.
func (b Bucket) Put(ctx context.Context, name string, value []byte) error {
	params := cloudflare.WriteWorkersKVEntryParams{NamespaceID: b.ns, Key: b.Key(name), Value: value}
	_, err := b.api.WriteWorkersKVEntry(ctx, b.rc, params)
	return err
}

// Write stores pairs in a single bulk request. Pair keys are relative to the
// bucket and are prefixed here.
func (b Bucket) Write(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	for _, p := range pairs {
		p.Key = b.Key(p.Key)
	}
	_, err := b.api.WriteWorkersKVEntries(ctx, b.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: b.ns, KVs: pairs})
	return err
}

// Delete removes one key.
func (b Bucket) Delete(ctx context.Context, name string) error {
	_, err := b.api.DeleteWorkersKVEntry(ctx, b.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: b.ns, Key: b.Key(name)})
	return err
}

// Keys lists one page under the bucket prefix.
func (b Bucket) Keys(ctx context.Context, cursor string, limit int) ([]cloudflare.StorageKey, string, error) {
	params := cloudflare.ListWorkersKVsParams{NamespaceID: b.ns, Prefix: b.prefix, Cursor: cursor, Limit: limit}
	res, err := b.api.ListWorkersKVKeys(ctx, b.rc, params)
	if err != nil {
		return nil, "", err
	}
	return res.Result, res.Cursor, nil
}

// Raw returns the client and resource container for direct calls.
func (b Bucket) Raw() (*cloudflare.API, *cloudflare.ResourceContainer, string) {
	return b.api, b.rc, b.ns
}
