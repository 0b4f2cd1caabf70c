// Package webhooks receives provider webhooks exactly once and manages the
// tenants' outgoing webhook endpoints.
package webhooks

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// Deduper remembers delivery IDs that were already processed.
type Deduper struct {
	ns *kv.Namespace
}

// NewDeduper binds the WEBHOOKS namespace.
func NewDeduper() (*Deduper, error) {
	ns, err := kv.NewNamespace(config.BindingWebhooks)
	if err != nil {
		return nil, err
	}
	return &Deduper{ns: ns}, nil
}

func deliveryKey(provider, id string) string { return "wh-delivery:" + provider + ":" + id }

// Claim returns true the first time a delivery ID is seen. Providers retry
// for up to a day, so the marker is kept that long.
func (d *Deduper) Claim(provider, id string) (bool, error) {
	key := deliveryKey(provider, id)
	v, err := d.ns.GetString(key, nil)
	if err != nil {
		return false, err
	}
	if !kvstore.Missing(v) {
		return false, nil
	}
	err = d.ns.PutString(key, strconv.FormatInt(time.Now().Unix(), 10), &kv.PutOptions{
		ExpirationTTL: int(config.WebhookDedupeTTL.Seconds()),
	})
	return err == nil, err
}

// Lock marks a delivery as being processed by this isolate so that a
// concurrent retry backs off.
func (d *Deduper) Lock(provider, id, owner string) error {
	return d.ns.PutString("wh-lock:"+provider+":"+id, owner, &kv.PutOptions{ExpirationTTL: config.WebhookLockSeconds}) // EXPECT kvttl
}

// Unlock releases the processing marker.
func (d *Deduper) Unlock(provider, id string) error {
	return d.ns.Delete("wh-lock:" + provider + ":" + id)
}

// Forget drops a delivery marker so a replay from the provider dashboard is
// processed again.
func (d *Deduper) Forget(provider, id string) error {
	key := deliveryKey(provider, id)
	v, err := d.ns.GetString(key, nil)
	if err != nil || kvstore.Missing(v) {
		return err
	}
	return d.ns.Delete(key)
}
