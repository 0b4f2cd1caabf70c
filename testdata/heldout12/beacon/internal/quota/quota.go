// Package quota enforces each tenant's daily push allowance.
package quota

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/beacon/internal/consts"
)

// ErrExceeded is returned when a send would go over the tenant's allowance.
var ErrExceeded = errors.New("quota: daily allowance exceeded")

// Enforcer reads limits and usage from the tenants namespace.
type Enforcer struct {
	client       *cloudflare.Client
	accountID    string
	namespaceID  string
	defaultDaily int
}

func NewEnforcer(client *cloudflare.Client, accountID, namespaceID string, defaultDaily int) *Enforcer {
	return &Enforcer{client: client, accountID: accountID, namespaceID: namespaceID, defaultDaily: defaultDaily}
}

func dayKey(tenant string) string {
	return consts.PrefixQuota.Key(tenant, time.Now().UTC().Format("20060102"))
}

// Consume records n sends for tenant, or returns ErrExceeded.
func (e *Enforcer) Consume(ctx context.Context, tenant string, n int) error {
	key := dayKey(tenant)
	used, err := e.read(ctx, key)
	if err != nil {
		return err
	}
	limit, err := e.limitFor(ctx, tenant)
	if err != nil {
		return err
	}
	if used+n > limit {
		return fmt.Errorf("%w: %d of %d used", ErrExceeded, used, limit)
	}
	_, err = e.client.KV.Namespaces.Values.Update(ctx, e.namespaceID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(e.accountID),
		Value:         cloudflare.F(strconv.Itoa(used + n)),
		ExpirationTTL: cloudflare.F(float64(48 * 60 * 60)),
	})
	return err
}

// read returns the integer stored at key, or 0 when the key is missing.
func (e *Enforcer) read(ctx context.Context, key string) (int, error) {
	res, err := e.client.KV.Namespaces.Values.Get(ctx, e.namespaceID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.accountID),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// limitFor returns the tenant's configured daily limit.
func (e *Enforcer) limitFor(ctx context.Context, tenant string) (int, error) {
	res, err := e.client.KV.Namespaces.Values.Get(ctx, e.namespaceID, consts.PrefixQuotaLimit.Key(tenant), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(e.accountID),
	})
	if err != nil {
		return 0, fmt.Errorf("quota: limit for %s: %w", tenant, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return e.defaultDaily, nil
	}
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// SetLimit stores a tenant's daily limit, set from the admin console.
func (e *Enforcer) SetLimit(ctx context.Context, tenant string, limit int) error {
	_, err := e.client.KV.Namespaces.Values.Update(ctx, e.namespaceID, consts.PrefixQuotaLimit.Key(tenant), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(e.accountID),
		Value:     cloudflare.F(strconv.Itoa(limit)),
	})
	return err
}
