package usage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
)

// ErrQuotaExceeded is returned when a tenant has no allowance left.
var ErrQuotaExceeded = errors.New("usage: daily quota exceeded")

// Quotas keeps each tenant's remaining daily allowance.
type Quotas struct {
	client  *cloudflare.Client
	account string
	ns      string
	now     func() time.Time
}

// NewQuotas returns quotas kept in the usage namespace.
func NewQuotas(client *cloudflare.Client, accountID string) *Quotas {
	return &Quotas{client: client, account: accountID, ns: config.NSUsage, now: time.Now}
}

func endOfDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Remaining returns the allowance left for tenant today.
func (q *Quotas) Remaining(ctx context.Context, tenant string) (int64, error) {
	return readInt(ctx, q.client, q.account, q.ns, keys.Quota(tenant))
}

// Consume takes n requests from tenant's allowance and returns what is left.
func (q *Quotas) Consume(ctx context.Context, tenant string, n int64) (int64, error) {
	key := keys.Quota(tenant)
	left, err := readInt(ctx, q.client, q.account, q.ns, key)
	if err != nil {
		return 0, err
	}
	if left < n {
		return left, ErrQuotaExceeded
	}
	left -= n
	_, err = q.client.KV.Namespaces.Values.Update(ctx, q.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID:  cloudflare.F(q.account),
		Value:      cloudflare.F(strconv.FormatInt(left, 10)),
		Expiration: cloudflare.F(float64(endOfDay(q.now()).Add(time.Hour).Unix())),
	})
	if err != nil {
		return 0, fmt.Errorf("quota %s: %w", tenant, err)
	}
	return left, nil
}

// Credit gives tenants extra requests for today (support goodwill).
func (q *Quotas) Credit(ctx context.Context, credits map[string]int64) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for tenant, extra := range credits {
		wg.Go(func() {
			key := keys.Quota(tenant)
			left, err := readInt(ctx, q.client, q.account, q.ns, key)
			if err == nil {
				params := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(q.account)}
				params.Value = cloudflare.F(strconv.FormatInt(left+extra, 10))
				params.ExpirationTTL = cloudflare.F(time.Until(endOfDay(q.now())).Seconds() + 3600)
				_, err = q.client.KV.Namespaces.Values.Update(ctx, q.ns, key, params) // EXPECT kvcounter|kvrace
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("credit %s: %w", tenant, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Reset sets every tenant's allowance from its plan at the start of a day.
func (q *Quotas) Reset(ctx context.Context, plans map[string]int64) error {
	tenants := slices.Sorted(maps.Keys(plans))
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(tenants))
	for _, t := range tenants {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(keys.Quota(t)),
			Value:         cloudflare.F(strconv.FormatInt(plans[t], 10)),
			ExpirationTTL: cloudflare.F(float64(26 * 60 * 60)),
		})
	}
	for chunk := range slices.Chunk(body, config.BulkChunkSize) {
		_, err := q.client.KV.Namespaces.BulkUpdate(ctx, q.ns, kv.NamespaceBulkUpdateParams{ // DEBATABLE kvcounter
			AccountID: cloudflare.F(q.account),
			Body:      chunk,
		})
		if err != nil {
			return fmt.Errorf("reset quotas: %w", err)
		}
	}
	return nil
}
