package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/trellis/internal/keys"
)

// deliveryRetention is how long delivery entries are kept for support.
const deliveryRetention = 7 * 24 * time.Hour

// DeliveryLog records deliveries and per-supplier rates through the embedded API client.
type DeliveryLog struct {
	*cf.API
	rc        *cf.ResourceContainer
	namespace string
	perMinute int
}

// NewDeliveryLog returns a DeliveryLog allowing perMinute deliveries per supplier.
func NewDeliveryLog(api *cf.API, accountID, namespaceID string, perMinute int) *DeliveryLog {
	return &DeliveryLog{API: api, rc: cf.AccountIdentifier(accountID), namespace: namespaceID, perMinute: perMinute}
}

// Record stores one delivery and points the support console at it.
func (l *DeliveryLog) Record(ctx context.Context, tenant keys.TenantID, supplier string, ev Event, status int) error {
	entry, err := json.Marshal(map[string]any{"supplier": supplier, "event": ev.ID, "type": ev.Type, "status": status, "at": ev.At})
	if err != nil {
		return err
	}
	key := tenant.Prefix() + "delivery:" + supplier + ":" + ev.At.UTC().Format("20060102T150405") + ":" + ev.ID
	_, err = l.WriteWorkersKVEntries(ctx, l.rc, cf.WriteWorkersKVEntriesParams{
		NamespaceID: l.namespace,
		KVs:         []*cf.WorkersKVPair{{Key: key, Value: string(entry), ExpirationTTL: int(deliveryRetention.Seconds())}},
	})
	if err != nil {
		return err
	}
	_, err = l.WriteWorkersKVEntry(ctx, l.rc, cf.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
		NamespaceID: l.namespace,
		Key:         "webhooks:latest",
		Value:       entry,
	})
	return err
}

// Throttle counts a delivery in the current minute and reports whether the supplier is over.
func (l *DeliveryLog) Throttle(ctx context.Context, tenant keys.TenantID, supplier string, now time.Time) (bool, error) {
	key := fmt.Sprintf("%srate:%s:%d", tenant.Prefix(), supplier, now.Unix()/60)
	n := 0
	raw, err := l.GetWorkersKV(ctx, l.rc, cf.GetWorkersKVParams{NamespaceID: l.namespace, Key: key})
	var nf *cf.NotFoundError
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return false, err
		}
	case !errors.As(err, &nf):
		return false, err
	}
	n++
	_, err = l.WriteWorkersKVEntries(ctx, l.rc, cf.WriteWorkersKVEntriesParams{ // EXPECT kvcounter
		NamespaceID: l.namespace,
		KVs:         []*cf.WorkersKVPair{{Key: key, Value: strconv.Itoa(n), ExpirationTTL: 120}},
	})
	return n > l.perMinute, err
}
