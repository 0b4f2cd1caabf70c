// Package refresher extends the lifetime of KV entries that would
// otherwise expire, e.g. cached pages during a database outage.
package refresher

import (
	"context"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
)

// Refresher rewrites entries with a new lifetime.
type Refresher struct {
	client   *cloudflare.Client
	account  string
	ns       string
	extend   time.Duration
	maxPages int
}

// New returns a refresher that gives entries extend more time.
func New(client *cloudflare.Client, accountID, namespaceID string, extend time.Duration) *Refresher {
	return &Refresher{
		client:   client,
		account:  accountID,
		ns:       namespaceID,
		extend:   extend,
		maxPages: config.MaxListPages,
	}
}

// Prefix refreshes every key under prefix, a page of keys at a time, and
// returns how many were rewritten.
func (r *Refresher) Prefix(ctx context.Context, prefix string) (int, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.account),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(config.BulkGetSize)),
	}
	total := 0
	for page := 0; page < r.maxPages; page++ {
		res, err := r.client.KV.Namespaces.Keys.List(ctx, r.ns, params)
		if err != nil {
			return total, fmt.Errorf("list %q: %w", prefix, err)
		}
		if len(res.Result) > 0 {
			n, err := r.rewrite(ctx, res.Result)
			total += n
			if err != nil {
				return total, err
			}
		}
		if res.ResultInfo.Cursor == "" {
			return total, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return total, fmt.Errorf("refresh %q: stopped after %d pages", prefix, r.maxPages)
}

func (r *Refresher) rewrite(ctx context.Context, page []kv.Key) (int, error) {
	names := make([]string, len(page))
	for i, k := range page {
		names[i] = k.Name
	}
	got, err := r.client.KV.Namespaces.BulkGet(ctx, r.ns, kv.NamespaceBulkGetParams{
		AccountID: cloudflare.F(r.account),
		Keys:      cloudflare.F(names),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return 0, err
	}
	values := edge.TextValues(got)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(values))
	for _, k := range page {
		v, ok := values[k.Name]
		if !ok {
			continue
		}
		entry := kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(k.Name),
			Value:         cloudflare.F(v),
			ExpirationTTL: cloudflare.F(r.extend.Seconds()),
		}
		if k.Metadata != nil {
			entry.Metadata = cloudflare.F(k.Metadata)
		}
		body = append(body, entry)
	}
	if len(body) == 0 {
		return 0, nil
	}
	_, err = r.client.KV.Namespaces.BulkUpdate(ctx, r.ns, kv.NamespaceBulkUpdateParams{ // DEBATABLE kvrace
		AccountID: cloudflare.F(r.account),
		Body:      body,
	})
	if err != nil {
		return 0, err
	}
	return len(body), nil
}

// Key rewrites a single entry whose value the caller already has.
func (r *Refresher) Key(ctx context.Context, key, value string) error {
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		ExpirationTTL: cloudflare.F(float64(r.extend.Milliseconds())), // EXPECT kvttl
	})
	return err
}

// Until rewrites a single entry to expire at the given time.
func (r *Refresher) Until(ctx context.Context, key, value string, at time.Time) error {
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(r.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		Expiration: cloudflare.F(float64(at.Unix())),
	})
	return err
}
