//go:build !js

package cfkv

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"grosbeak/internal/museum"
)

// SDK wraps cloudflare-go for one namespace.
type SDK struct {
	CF          *cloudflare.Client
	AccountID   string
	NamespaceID string
}

// NewSDK builds a client from an API token.
func NewSDK(token, account, namespace string) *SDK {
	return &SDK{
		CF:          cloudflare.NewClient(option.WithAPIToken(token)),
		AccountID:   account,
		NamespaceID: namespace,
	}
}

// Values is the namespace's value service.
func (s *SDK) Values() *kv.NamespaceValueService { return s.CF.KV.Namespaces.Values }

// Keys is the namespace's key service.
func (s *SDK) Keys() *kv.NamespaceKeyService { return s.CF.KV.Namespaces.Keys }

// Read returns the value under key, or a *museum.NotFoundError.
func (s *SDK) Read(ctx context.Context, key string) ([]byte, error) {
	res, err := s.Values().Get(ctx, s.NamespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, &museum.NotFoundError{Key: key}
		}
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Write stores value for ttl.
func (s *SDK) Write(ctx context.Context, key, value string, ttl time.Duration) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		params.ExpirationTTL = cloudflare.F(float64(int(ttl.Seconds())))
	}
	_, err := s.Values().Update(ctx, s.NamespaceID, key, params)
	return err
}

// WriteCache stores a cache entry; entries live at least a minute.
func (s *SDK) WriteCache(ctx context.Context, key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return s.Write(ctx, key, value, ttl)
}

// Remove deletes key.
func (s *SDK) Remove(ctx context.Context, key string) error {
	_, err := s.Values().Delete(ctx, s.NamespaceID, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	return err
}

// RemoveMany deletes keys in one request.
func (s *SDK) RemoveMany(ctx context.Context, names []string) error {
	_, err := s.CF.KV.Namespaces.BulkDelete(ctx, s.NamespaceID, kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.AccountID),
		Body:      names,
	})
	return err
}
