// Package admin reaches Workers KV through the Cloudflare REST API for the
// wrenadmin back-office tool.
package admin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"wren/internal/config"
	"wren/internal/store"
)

// maxBulk is the most pairs the bulk endpoints accept per request.
const maxBulk = 10_000

// Namespace is one tenant's KV namespace reached over the REST API.
type Namespace struct {
	Client    *cloudflare.Client
	AccountID string
	ID        string
	Tenant    string
}

var (
	_ store.KV          = (*Namespace)(nil)
	_ store.BulkWriter  = (*Namespace)(nil)
	_ store.BulkDeleter = (*Namespace)(nil)
)

// NewClient returns an API client authenticated with the configured token.
func NewClient(cfg config.Admin) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(3))
}

// Open returns the namespace of tenant id.
func Open(c *cloudflare.Client, cfg config.Config, tenant string) (*Namespace, error) {
	t, ok := cfg.TenantByID(tenant)
	if !ok {
		return nil, fmt.Errorf("unknown tenant %q", tenant)
	}
	return &Namespace{Client: c, AccountID: cfg.Admin.AccountID, ID: t.NamespaceID, Tenant: tenant}, nil
}

func (n *Namespace) opErr(op, key string, err error) error {
	return &store.OpError{Op: op, Namespace: n.Tenant, Key: key, Err: err}
}

// Get reads key; ok is false when the key does not exist (HTTP 404).
func (n *Namespace) Get(ctx context.Context, key string) (string, bool, error) {
	res, err := n.Client.KV.Namespaces.Values.Get(ctx, n.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.AccountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return "", false, nil
		}
		return "", false, n.opErr("get", key, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return "", false, n.opErr("get", key, err)
	}
	return string(b), true, nil
}

// Put writes value under key; ttl of zero means no expiry.
func (n *Namespace) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	return n.PutMeta(ctx, key, value, nil, ttl)
}

// PutMeta writes value with metadata under key.
func (n *Namespace) PutMeta(ctx context.Context, key, value string, meta any, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	if meta != nil {
		params.Metadata = cloudflare.F(meta)
	}
	if _, err := n.Client.KV.Namespaces.Values.Update(ctx, n.ID, key, params); err != nil {
		return n.opErr("put", key, err)
	}
	return nil
}

// Delete removes key.
func (n *Namespace) Delete(ctx context.Context, key string) error {
	_, err := n.Client.KV.Namespaces.Values.Delete(ctx, n.ID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(n.AccountID)})
	if err != nil {
		return n.opErr("delete", key, err)
	}
	return nil
}

// PutAll writes items in requests of at most maxBulk pairs.
func (n *Namespace) PutAll(ctx context.Context, ttl time.Duration, items ...store.Item) error {
	var errs []error
	for start := 0; start < len(items); start += maxBulk {
		chunk := items[start:min(start+maxBulk, len(items))]
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, it := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(it.Key), Value: cloudflare.F(it.Value)}
			if d := cmpTTL(it.TTL, ttl); d > 0 {
				b.ExpirationTTL = cloudflare.F(float64(d / time.Second))
			}
			body = append(body, b)
		}
		res, err := n.Client.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.AccountID), Body: body})
		if err != nil {
			errs = append(errs, n.opErr("bulk put", chunk[0].Key, err))
		} else if len(res.UnsuccessfulKeys) > 0 {
			errs = append(errs, n.opErr("bulk put", res.UnsuccessfulKeys[0], fmt.Errorf("%d keys not written", len(res.UnsuccessfulKeys))))
		}
	}
	return errors.Join(errs...)
}

func cmpTTL(item, batch time.Duration) time.Duration {
	if item > 0 {
		return item
	}
	return batch
}

// DeleteAll removes keys in requests of at most maxBulk keys.
func (n *Namespace) DeleteAll(ctx context.Context, keys ...string) error {
	var errs []error
	for start := 0; start < len(keys); start += maxBulk {
		chunk := keys[start:min(start+maxBulk, len(keys))]
		if _, err := n.Client.KV.Namespaces.BulkDelete(ctx, n.ID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(n.AccountID), Body: chunk}); err != nil {
			errs = append(errs, n.opErr("bulk delete", chunk[0], err))
		}
	}
	return errors.Join(errs...)
}

// Buffer collects writes and flushes the latest value of each key on a
// ticker, so a key changed many times between ticks is written once.
type Buffer struct {
	dst     store.Putter
	every   time.Duration
	ttl     time.Duration
	mu      sync.Mutex
	pending map[string]store.Item
}

// NewBuffer returns a write-behind buffer in front of dst.
func NewBuffer(dst store.Putter, every, ttl time.Duration) *Buffer {
	return &Buffer{dst: dst, every: max(every, time.Second), ttl: ttl, pending: make(map[string]store.Item)}
}

// Set queues value for key.
func (b *Buffer) Set(key, value string) {
	b.mu.Lock()
	b.pending[key] = store.Item{Key: key, Value: value}
	b.mu.Unlock()
}

// Run flushes on every tick until ctx ends, then once more.
func (b *Buffer) Run(ctx context.Context) error {
	t := time.NewTicker(b.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return b.Flush(context.WithoutCancel(ctx))
		case <-t.C:
			if err := b.Flush(ctx); err != nil {
				fmt.Printf("write-behind: %v\n", err)
			}
		}
	}
}

// Flush writes everything queued so far.
func (b *Buffer) Flush(ctx context.Context) error {
	b.mu.Lock()
	items := make([]store.Item, 0, len(b.pending))
	for _, it := range b.pending {
		items = append(items, it)
	}
	b.pending = make(map[string]store.Item)
	b.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	return store.PutAll(ctx, b.dst, b.ttl, items...)
}
