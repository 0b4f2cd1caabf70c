// Package defaultopts is an adapter whose write options are optional: a
// nil *WriteOptions is put in place by an empty literal, and a lifetime
// goes through the bulk endpoint as a one-pair write.
package defaultopts

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type Namespace struct {
	client  *cloudflare.Client
	id      string
	account string
}

// WriteOptions are optional: nil means no expiry.
type WriteOptions struct {
	TTL      *time.Duration
	ExpireAt *time.Time
}

type Entry struct {
	Key      string
	Value    []byte
	TTL      *time.Duration
	ExpireAt *time.Time
}

func (n *Namespace) Put(ctx context.Context, key string, value []byte, o *WriteOptions) error {
	if o == nil {
		o = &WriteOptions{}
	}
	if o.TTL == nil && o.ExpireAt == nil {
		_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(n.account),
			Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
		})
		return err
	}
	return n.PutMany(ctx, []Entry{{Key: key, Value: value, TTL: o.TTL, ExpireAt: o.ExpireAt}})
}

// PutSession defaults to a lifetime of its own where none is given.
func (n *Namespace) PutSession(ctx context.Context, key string, value []byte, o *WriteOptions) error {
	if o == nil {
		o = &WriteOptions{TTL: new(20 * time.Minute)}
	}
	return n.PutMany(ctx, []Entry{{Key: key, Value: value, TTL: o.TTL}})
}

func (n *Namespace) PutMany(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		b := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(string(e.Value))}
		if e.TTL != nil {
			b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.ExpireAt != nil {
			b.Expiration = cloudflare.F(float64(e.ExpireAt.Unix()))
		}
		body = append(body, b)
	}
	_, err := n.client.KV.Namespaces.BulkUpdate(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(n.account),
		Body:      body,
	})
	return err
}
