// Package v2mirror copies configuration keys from the namespace of the old
// dispatch service, which still writes through the v2 SDK, into the current
// namespace. It goes away once dispatch is migrated.
package v2mirror

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	kvv2 "github.com/cloudflare/cloudflare-go/v2/kv"
)

// Mirror copies keys between namespaces of one account.
type Mirror struct {
	client   *cfv2.Client
	account  string
	from, to string
	ttl      time.Duration
	maxPages int
}

// New returns a mirror from namespace from to namespace to. Copies expire
// after ttl so that keys deleted upstream disappear downstream too.
func New(client *cfv2.Client, account, from, to string, ttl time.Duration) *Mirror {
	return &Mirror{client: client, account: account, from: from, to: to, ttl: ttl, maxPages: 50}
}

// Sync copies every key under prefix and returns how many were copied.
func (m *Mirror) Sync(ctx context.Context, prefix string) (int, error) {
	copied, cursor := 0, ""
	for page := 0; page < m.maxPages; page++ {
		res, err := m.client.KV.Namespaces.Keys.List(ctx, m.from, kvv2.NamespaceKeyListParams{AccountID: cfv2.F(m.account), Prefix: cfv2.F(prefix), Cursor: cfv2.F(cursor), Limit: cfv2.F(5.0)}) // EXPECT kvlimits
		if err != nil {
			return copied, err
		}
		body := make([]kvv2.NamespaceBulkUpdateParamsBody, 0, len(res.Result))
		for _, k := range res.Result {
			resp, err := m.client.KV.Namespaces.Values.Get(ctx, m.from, k.Name, kvv2.NamespaceValueGetParams{AccountID: cfv2.F(m.account)}) // EXPECT kvlist
			if err != nil {
				return copied, fmt.Errorf("read %s: %w", k.Name, err)
			}
			if resp.StatusCode == http.StatusNotFound { // EXPECT kvnull
				continue
			}
			v, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				return copied, err
			}
			body = append(body, kvv2.NamespaceBulkUpdateParamsBody{Key: cfv2.F(k.Name), Value: cfv2.F(string(v)), ExpirationTTL: cfv2.F(float64(m.ttl))}) // EXPECT kvttl
		}
		if len(body) > 0 {
			if _, err := m.client.KV.Namespaces.Bulk.Update(ctx, m.to, kvv2.NamespaceBulkUpdateParams{AccountID: cfv2.F(m.account), Body: body}); err != nil {
				return copied, err
			}
			copied += len(body)
		}
		if res.ResultInfo.Cursor == "" {
			return copied, nil
		}
		cursor = res.ResultInfo.Cursor
	}
	return copied, fmt.Errorf("v2mirror: %s has more than %d pages", prefix, m.maxPages)
}
