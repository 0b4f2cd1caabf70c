package apikeys

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/keys"
)

// QuotaMeter tracks monthly usage for keys that are metered by the control
// plane instead of the edge (partner integrations calling the admin API).
type QuotaMeter struct {
	ns  cfkv.Namespace
	now func() time.Time
}

// NewQuotaMeter returns a meter on ns.
func NewQuotaMeter(ns cfkv.Namespace) *QuotaMeter { return &QuotaMeter{ns: ns, now: time.Now} }

// Consume charges one call to keyID and reports whether it was allowed.
func (q *QuotaMeter) Consume(ctx context.Context, keyID string, limit int) (bool, error) {
	k := keys.Quota(keyID, q.now())
	used := 0
	resp, err := q.ns.Client.KV.Namespaces.Values.Get(ctx, q.ns.ID, k, kv.NamespaceValueGetParams{AccountID: cloudflare.F(q.ns.AccountID)})
	switch {
	case err == nil:
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return false, rerr
		}
		if used, err = strconv.Atoi(string(b)); err != nil {
			return false, fmt.Errorf("quota %s: %w", k, err)
		}
	case cfkv.IsNotFound(err):
		// first call this month
	default:
		return false, err
	}
	if used >= limit {
		return false, nil
	}
	_, err = q.ns.Client.KV.Namespaces.Values.Update(ctx, q.ns.ID, k, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(q.ns.AccountID), Value: cloudflare.F(strconv.Itoa(used + 1))}) // EXPECT kvcounter
	return err == nil, err
}
