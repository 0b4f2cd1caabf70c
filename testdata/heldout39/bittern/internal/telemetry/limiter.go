// Package telemetry enforces per-device ingest limits and daily quotas.
package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bittern/internal/config"
)

// UnknownTenantError is returned for a tenant without a telemetry namespace.
type UnknownTenantError struct{ Tenant string }

func (e *UnknownTenantError) Error() string {
	return "telemetry: no namespace for tenant " + e.Tenant
}

// Policy overrides the default limits for one device.
type Policy struct {
	PerWindow int    `json:"per_window"`
	Note      string `json:"note"`
}

// Limiter counts messages per device in fixed windows.
type Limiter struct {
	api        *cloudflare.API
	rc         *cloudflare.ResourceContainer
	namespaces map[string]string
	window     time.Duration
	perWindow  int
}

// NewLimiter returns a limiter for the tenants in namespaces.
func NewLimiter(api *cloudflare.API, accountID string, namespaces map[string]string, cfg config.Telemetry) *Limiter {
	return &Limiter{
		api:        api,
		rc:         cloudflare.AccountIdentifier(accountID),
		namespaces: namespaces,
		window:     cfg.Window,
		perWindow:  cfg.PerWindow,
	}
}

func (l *Limiter) namespace(tenant string) (string, error) {
	ns, ok := l.namespaces[tenant]
	if !ok {
		return "", &UnknownTenantError{Tenant: tenant}
	}
	return ns, nil
}

func isNotFound(err error) bool {
	var nf *cloudflare.NotFoundError
	return errors.As(err, &nf)
}

// Allow reports whether device may send another message in the current
// window, and counts the message if so.
func (l *Limiter) Allow(ctx context.Context, tenant, device string) (bool, error) {
	ns, err := l.namespace(tenant)
	if err != nil {
		return false, err
	}
	limit := l.limitFor(ctx, ns, device)
	bucket := time.Now().Unix() / int64(l.window/time.Second)
	key := fmt.Sprintf("ratelimit/%s/%d", device, bucket)

	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: key}) // EXPECT kvnull
	n := 0
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= limit {
		return false, nil
	}
	_, err = l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter|kvrace
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         strconv.Itoa(n + 1),
			ExpirationTTL: int(max(2*l.window, 3*time.Second).Seconds()), // EXPECT kvttl
		}},
	})
	if err != nil {
		return false, fmt.Errorf("rate limit %s: %w", device, err)
	}
	return true, nil
}

func (l *Limiter) limitFor(ctx context.Context, ns, device string) int {
	raw, err := l.api.GetWorkersKV(ctx, l.rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: "policy/" + device}) // DEBATABLE kvnull
	if err != nil && !isNotFound(err) {
		return l.perWindow
	}
	var p Policy
	if json.Unmarshal(raw, &p) != nil || p.PerWindow <= 0 {
		return l.perWindow
	}
	return p.PerWindow
}

// cooldownSeconds is how long a device that tripped its limit is told to
// back off before sending again.
const cooldownSeconds = 30

// Cooldown tells device to stop sending for a while; the ingest edge reads
// the key and answers 429 without touching the pipeline.
func (l *Limiter) Cooldown(ctx context.Context, tenant, device, reason string) error {
	ns, err := l.namespace(tenant)
	if err != nil {
		return err
	}
	pair := &cloudflare.WorkersKVPair{Key: "cooldown/" + device, Value: reason}
	pair.ExpirationTTL = cooldownSeconds // EXPECT kvttl
	_, err = l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs:         []*cloudflare.WorkersKVPair{pair},
	})
	return err
}

// Mute silences device until the given time, for planned maintenance.
func (l *Limiter) Mute(ctx context.Context, tenant, device string, until time.Time) error {
	ns, err := l.namespace(tenant)
	if err != nil {
		return err
	}
	ttl := max(time.Until(until), time.Minute)
	_, err = l.api.WriteWorkersKVEntries(ctx, l.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           "cooldown/" + device,
			Value:         "maintenance",
			ExpirationTTL: int(ttl.Seconds()),
		}},
	})
	return err
}
