// Package rollout tracks staged firmware rollouts. It is the first service
// written against cloudflare-go v2.
package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// MissingError reports a key that does not exist.
type MissingError struct{ Key string }

func (e *MissingError) Error() string { return "rollout: no value at " + e.Key }

// StoreError wraps a failed KV request.
type StoreError struct {
	Op, Key string
	Err     error
}

func (e *StoreError) Error() string { return fmt.Sprintf("rollout %s %s: %v", e.Op, e.Key, e.Err) }
func (e *StoreError) Unwrap() error { return e.Err }

// kvClient is a thin layer over the v2 KV service for one namespace.
type kvClient struct {
	cf      *cloudflare.Client
	account string
	ns      string
}

func (c kvClient) get(ctx context.Context, key string) ([]byte, error) {
	res, err := c.cf.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, &MissingError{Key: key}
		}
		return nil, &StoreError{Op: "get", Key: key, Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, &StoreError{Op: "get", Key: key, Err: err}
	}
	return b, nil
}

func (c kvClient) update(ctx context.Context, key string, value []byte, meta any) error {
	m, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	_, err = c.cf.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(string(m)),
	})
	if err != nil {
		return &StoreError{Op: "update", Key: key, Err: err}
	}
	return nil
}

func (c kvClient) bulk(ctx context.Context, body ...kv.NamespaceBulkUpdateParamsBody) error {
	_, err := c.cf.KV.Namespaces.Bulk.Update(ctx, c.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      body,
	})
	if err != nil {
		return &StoreError{Op: "bulk", Err: err}
	}
	return nil
}

func (c kvClient) delete(ctx context.Context, key string) error {
	_, err := c.cf.KV.Namespaces.Values.Delete(ctx, c.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return &StoreError{Op: "delete", Key: key, Err: err}
	}
	return nil
}
