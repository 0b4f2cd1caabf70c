// Package rollup builds the analytics rollups served to creators. It is
// used by statsd and talks to KV through the v2 Cloudflare client.
package rollup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/chiffchaff/podhost/internal/clock"
)

// ErrMissing is returned for a key that does not exist.
var ErrMissing = errors.New("rollup: key missing")

// Store is the stats namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
	clk       clock.Clock
}

// NewStore returns a Store for one namespace.
func NewStore(client *cloudflare.Client, accountID, nsID string, clk clock.Clock) *Store {
	return &Store{client: client, accountID: accountID, nsID: nsID, clk: clk}
}

func (s *Store) values() *kv.NamespaceValueService { return s.client.KV.Namespaces.Values }

// get returns the value under key.
func (s *Store) get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.values().Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return nil, ErrMissing
		}
		return nil, fmt.Errorf("rollup: get %s: %w", key, err)
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// put stores value under key without expiry.
func (s *Store) put(ctx context.Context, key string, value []byte, meta string) error {
	if meta == "" {
		meta = "{}"
	}
	_, err := s.values().Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F(string(value)),
		Metadata:  cloudflare.F(meta),
	})
	return err
}

// putTTL stores value under key for ttl seconds through the bulk endpoint,
// the only v2 write that takes an expiry.
func (s *Store) putTTL(ctx context.Context, key string, value []byte, ttlSeconds float64) error {
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(ttlSeconds),
		}},
	})
	return err
}

// putBulk writes pairs in one request.
func (s *Store) putBulk(ctx context.Context, pairs []kv.NamespaceBulkUpdateParamsBody) error {
	_, err := s.client.KV.Namespaces.Bulk.Update(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Body:      pairs,
	})
	return err
}

func (s *Store) listParams(prefix string) kv.NamespaceKeyListParams {
	return kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(1000.0),
	}
}

func dayOf(t time.Time) string { return t.UTC().Format("2006-01-02") }
