// Package kvrest is the KV adapter of the newer services (night audit,
// reporting). It is built on cloudflare-go/v3.
package kvrest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	cf3 "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// Item is one pair of a bulk write.
type Item struct {
	Key      string
	Value    string
	TTL      time.Duration // relative lifetime; zero for none
	ExpireAt time.Time     // absolute expiry; ignored when TTL is set
	Meta     map[string]interface{}
}

// Namespace is what the audit and reporting code needs from one namespace.
type Namespace interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, val []byte, meta map[string]interface{}) error
	PutMany(ctx context.Context, items []Item) error
	Delete(ctx context.Context, key string) error
	Client() (*cf3.Client, string, string)
}

type namespace struct {
	client    *cf3.Client
	accountID string
	id        string
}

// Open returns the namespace id of account accountID.
func Open(client *cf3.Client, accountID, id string) Namespace {
	return &namespace{client: client, accountID: accountID, id: id}
}

func (n *namespace) Client() (*cf3.Client, string, string) { return n.client, n.accountID, n.id }

func (n *namespace) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := n.client.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{
		AccountID: cf3.F(n.accountID),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (n *namespace) Put(ctx context.Context, key string, val []byte, meta map[string]interface{}) error {
	m := "{}"
	if meta != nil {
		b, err := json.Marshal(meta)
		if err != nil {
			return err
		}
		m = string(b)
	}
	_, err := n.client.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID: cf3.F(n.accountID),
		Value:     cf3.F(string(val)),
		Metadata:  cf3.F(m),
	})
	return err
}

func (n *namespace) PutMany(ctx context.Context, items []Item) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(items))
	for _, it := range items {
		b := kv.NamespaceBulkUpdateParamsBody{
			Key:   cf3.F(it.Key),
			Value: cf3.F(it.Value),
		}
		switch {
		case it.TTL > 0:
			b.ExpirationTTL = cf3.F(it.TTL.Seconds())
		case !it.ExpireAt.IsZero():
			b.Expiration = cf3.F(float64(it.ExpireAt.Unix()))
		}
		if it.Meta != nil {
			b.Metadata = cf3.F(it.Meta)
		}
		body = append(body, b)
	}
	_, err := n.client.KV.Namespaces.Bulk.Update(ctx, n.id, kv.NamespaceBulkUpdateParams{
		AccountID: cf3.F(n.accountID),
		Body:      body,
	})
	if err != nil {
		return fmt.Errorf("kv bulk update (%d items): %w", len(items), err)
	}
	return nil
}

func (n *namespace) Delete(ctx context.Context, key string) error {
	_, err := n.client.KV.Namespaces.Values.Delete(ctx, n.id, key, kv.NamespaceValueDeleteParams{
		AccountID: cf3.F(n.accountID),
	})
	return err
}
