// Package usage meters API calls per tenant and publishes usage and quota
// figures to Workers KV, where the edge gateway reads them.
package usage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
)

// Meter accumulates calls in memory and flushes them to KV periodically.
type Meter struct {
	client  *cloudflare.Client
	account string
	ns      string

	mu      sync.Mutex
	pending map[string]int64
	now     func() time.Time
}

// NewMeter returns a meter writing to the usage namespace.
func NewMeter(client *cloudflare.Client, accountID string) *Meter {
	return &Meter{
		client:  client,
		account: accountID,
		ns:      config.NSUsage,
		pending: make(map[string]int64),
		now:     time.Now,
	}
}

// Add records calls for tenant.
func (m *Meter) Add(tenant string, calls int64) {
	m.mu.Lock()
	m.pending[tenant] += calls
	m.mu.Unlock()
}

// Run flushes every interval until ctx is done.
func (m *Meter) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = m.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			_ = m.Flush(ctx)
		}
	}
}

// Flush publishes the pending deltas, one goroutine per tenant with at
// most config.Workers in flight.
func (m *Meter) Flush(ctx context.Context) error {
	m.mu.Lock()
	batch := m.pending
	m.pending = make(map[string]int64, len(batch))
	m.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}

	day := m.now()
	sem := make(chan struct{}, config.Workers)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for tenant, delta := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := m.addTo(ctx, keys.UsageDay(tenant, day), delta); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("tenant %s: %w", tenant, err))
				mu.Unlock()
				m.Add(tenant, delta)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (m *Meter) addTo(ctx context.Context, key string, delta int64) error {
	cur, err := readInt(ctx, m.client, m.account, m.ns, key)
	if err != nil {
		return err
	}
	_, err = m.client.KV.Namespaces.Values.Update(ctx, m.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter|kvrace
		AccountID:     cloudflare.F(m.account),
		Value:         cloudflare.F(strconv.FormatInt(cur+delta, 10)),
		ExpirationTTL: cloudflare.F(config.UsageRetention.Seconds()),
	})
	return err
}

// readInt returns the integer under key, zero when the key is missing.
func readInt(ctx context.Context, client *cloudflare.Client, account, ns, key string) (int64, error) {
	res, err := client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(account),
	})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return 0, nil
		}
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}
