// Package payouts pays instructors their share of class fees. It predates
// the shared kvstore port and still talks to its own KV namespace through
// the v3 SDK.
package payouts

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"
)

// Ledger is the payouts namespace.
type Ledger struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
}

// NewLedger connects to the payouts namespace.
func NewLedger(accountID, namespaceID, token string, hc *http.Client) *Ledger {
	opts := []option.RequestOption{option.WithAPIToken(token)}
	if hc != nil {
		opts = append(opts, option.WithHTTPClient(hc))
	}
	return &Ledger{cf: cloudflare.NewClient(opts...), accountID: accountID, namespaceID: namespaceID}
}

var errMissing = errors.New("payouts: key not found")

func (l *Ledger) get(ctx context.Context, key string) ([]byte, error) {
	res, err := l.cf.KV.Namespaces.Values.Get(ctx, l.namespaceID, url.PathEscape(key), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(l.accountID),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return nil, errMissing
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// putExpiring writes one pair through the bulk endpoint, which is the only
// v3 write that takes an expiry.
func (l *Ledger) putExpiring(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	secs := max(ttl, time.Minute).Seconds()
	_, err := l.cf.KV.Namespaces.Bulk.Update(ctx, l.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(l.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(value)),
			ExpirationTTL: cloudflare.F(secs),
		}},
	})
	return err
}

func (l *Ledger) del(ctx context.Context, key string) error {
	_, err := l.cf.KV.Namespaces.Values.Delete(ctx, l.namespaceID, url.PathEscape(key), kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(l.accountID),
	})
	return err
}
