// Package cfstore adapts the Workers KV REST API (cloudflare-go) to ops.Exec.
package cfstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/avocet/internal/ops"
)

type Store struct {
	ns        *kv.NamespaceService
	account   string
	namespace string
}

func New(client *cloudflare.Client, account, namespace string) *Store {
	return &Store{ns: client.KV.Namespaces, account: account, namespace: namespace}
}

// Namespaces exposes the SDK service for callers that need bulk endpoints.
func (s *Store) Namespaces() *kv.NamespaceService { return s.ns }

func (s *Store) Account() string { return s.account }

func (s *Store) NamespaceID() string { return s.namespace }

// IsNotFound reports whether err is the API's 404 for a missing key.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func transient(err error) error {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && (apiErr.StatusCode == http.StatusTooManyRequests || apiErr.StatusCode >= 500) {
		return fmt.Errorf("%w: %v", ops.ErrTransient, err)
	}
	return err
}

// Read returns the raw value of key, or the API error.
func (s *Store) Read(ctx context.Context, key string) ([]byte, error) {
	res, err := s.ns.Values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Write stores v under key; a zero ttl keeps it forever.
func (s *Store) Write(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	p := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F(string(v))}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(ttl.Seconds())
	}
	_, err := s.ns.Values.Update(ctx, s.namespace, key, p)
	return err
}

func (s *Store) Remove(ctx context.Context, key string) error {
	_, err := s.ns.Values.Delete(ctx, s.namespace, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
	return err
}

func (s *Store) Exec(ctx context.Context, op ops.Op) (ops.Result, error) {
	switch op.Kind {
	case ops.OpGet:
		v, err := s.Read(ctx, op.Key)
		if IsNotFound(err) {
			return ops.Result{}, nil
		}
		if err != nil {
			return ops.Result{}, transient(err)
		}
		return ops.Result{Value: v, Found: true}, nil
	case ops.OpPut:
		p := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F(string(op.Value))}
		if op.TTL > 0 {
			p.ExpirationTTL = cloudflare.F(op.TTL.Seconds())
		} else if !op.ExpireAt.IsZero() {
			p.Expiration = cloudflare.F(float64(op.ExpireAt.Unix()))
		}
		_, err := s.ns.Values.Update(ctx, s.namespace, op.Key, p)
		return ops.Result{}, transient(err)
	case ops.OpDelete:
		return ops.Result{}, transient(s.Remove(ctx, op.Key))
	case ops.OpList:
		p := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F(op.Prefix)}
		if op.Limit > 0 {
			p.Limit = cloudflare.F(float64(op.Limit))
		}
		if op.Cursor != "" {
			p.Cursor = cloudflare.F(op.Cursor)
		}
		page, err := s.ns.Keys.List(ctx, s.namespace, p)
		if err != nil {
			return ops.Result{}, transient(err)
		}
		res := ops.Result{Cursor: page.ResultInfo.Cursor, Complete: page.ResultInfo.Cursor == ""}
		for _, k := range page.Result {
			res.Keys = append(res.Keys, k.Name)
		}
		return res, nil
	}
	return ops.Result{}, ops.ErrUnsupported
}

var _ ops.Exec = (&Store{}).Exec
