// Package carrier publishes carrier configuration to the edge.
package carrier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
	"github.com/limpkin-lockers/limpkin/internal/restkv"
)

// Config is what the edge needs to know about one carrier.
type Config struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Cutoff    string        `json:"cutoff"`
	MaxDoors  int           `json:"max_doors"`
	Sizes     []string      `json:"sizes"`
	Refresh   time.Duration `json:"-"`
	Suspended bool          `json:"suspended,omitempty"`
}

// maxBulk is the largest bulk write the API accepts.
const maxBulk = 10_000

// defaultRefresh is how long a published config lives if the carrier
// does not set its own refresh period.
const defaultRefresh = 6 * time.Hour

// lockerNotice is shown on the locker screen when a carrier's parcel is
// collected; the screen reads it from the key metadata.
const lockerNotice = `By collecting this parcel you confirm that you are the addressee or have ` +
	`been authorised by the addressee to collect it. The carrier remains responsible for the parcel ` +
	`until it is collected. Parcels not collected within the holding period are returned to the ` +
	`sender at the sender's expense. Damage visible on collection must be reported at the locker ` +
	`screen before the door is closed; damage reported later is handled under the carrier's general ` +
	`terms and conditions. Limpkin Lockers acts only as a storage provider and is not a party to ` +
	`the contract of carriage. Personal data shown on this screen is processed under the carrier's ` +
	`privacy notice; Limpkin Lockers processes the phone number and PIN only for the purpose of ` +
	`releasing the parcel and deletes them thirty days after collection. Dangerous goods, perishable ` +
	`food and live animals must not be placed in the locker. In case of a fault, call the number ` +
	`printed on the locker frame or use the help button; do not force the door. Video recording is in ` +
	`operation at this site for the prevention and detection of crime. For complaints, contact the ` +
	`carrier first; unresolved complaints may be referred to the postal services regulator.`

func body(c Config) (kv.NamespaceBulkUpdateParamsBody, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return kv.NamespaceBulkUpdateParamsBody{}, err
	}
	ttl := kvx.FirstNonZero(c.Refresh, defaultRefresh)
	return kv.NamespaceBulkUpdateParamsBody{
		Key:           cloudflare.F("carrier:" + c.ID),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(float64(kvx.Seconds(ttl))),
		Metadata:      cloudflare.F(map[string]interface{}{"name": c.Name, "suspended": c.Suspended}),
	}, nil
}

// Publish writes every config in chunks the bulk API accepts.
func Publish(ctx context.Context, ns restkv.Namespace, cfgs []Config) error {
	batch := make([]kv.NamespaceBulkUpdateParamsBody, 0, min(len(cfgs), maxBulk))
	var errs []error
	for _, c := range cfgs {
		b, err := body(c)
		if err != nil {
			errs = append(errs, fmt.Errorf("carrier %s: %w", c.ID, err))
			continue
		}
		batch = append(batch, b)
		if len(batch) == maxBulk {
			errs = append(errs, ns.BulkPut(ctx, batch))
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		errs = append(errs, ns.BulkPut(ctx, batch))
	}
	return errors.Join(errs...)
}

// PublishNotices writes the locker-screen notice for each carrier. The
// notice text travels in metadata so the screen can list it without a get.
func PublishNotices(ctx context.Context, ns restkv.Namespace, cfgs []Config) error {
	batch := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(cfgs))
	for _, c := range cfgs {
		refresh := kvx.FirstNonZero(c.Refresh, defaultRefresh)
		batch = append(batch, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("notice:" + c.ID),
			Value:         cloudflare.F(c.Name),
			ExpirationTTL: cloudflare.F(float64(refresh)),                                              // EXPECT kvttl
			Metadata:      cloudflare.F(map[string]interface{}{"carrier": c.ID, "text": lockerNotice}), // EXPECT kvlimits
		})
	}
	return ns.BulkPut(ctx, batch)
}

// Apply writes configs one at a time, as the admin UI does for small edits,
// and stamps the time of the last change for the edge to show.
func Apply(ctx context.Context, ns restkv.Namespace, cfgs []Config) error {
	for _, c := range cfgs {
		raw, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if err := ns.Put(ctx, "carrier:"+c.ID, raw, kvx.FirstNonZero(c.Refresh, defaultRefresh)); err != nil {
			return err
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := ns.Put(ctx, "carriers:updated", stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// doorSlots is the number of door slots in a region's addressing plan.
const doorSlots = 12_288

// SeedRegion writes an empty slot record for every door slot of a new
// region, so the edge can tell "never used" from "unknown door".
func SeedRegion(ctx context.Context, ns restkv.Namespace, region string) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, doorSlots)
	for i := range doorSlots {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(fmt.Sprintf("slot:%[1]s:%05[2]d", region, i)),
			Value: cloudflare.F("{}"),
		})
	}
	return ns.BulkPut(ctx, body) // EXPECT kvlimits
}

// defaultLimits are written for a carrier that has none yet.
var defaultLimits = []byte(`{"max_doors":20,"sizes":["S","M","L"]}`)

// EnsureDefaults writes default limits for carriers that have none.
func EnsureDefaults(ctx context.Context, ns restkv.Namespace, ids []string) error {
	for _, id := range ids {
		key := "carrier-limits:" + id
		if _, err := ns.Get(ctx, key); err != nil { // EXPECT kvnull
			if err := ns.Put(ctx, key, defaultLimits, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetLimits overwrites a carrier's limits, as chosen in the admin UI.
func SetLimits(ctx context.Context, ns restkv.Namespace, id string, maxDoors int, sizes []string) error {
	raw, _ := json.Marshal(map[string]any{"max_doors": maxDoors, "sizes": sizes})
	return ns.Put(ctx, "carrier-limits:"+id, raw, 0)
}

// Limits reads a carrier's limits, falling back to the defaults only when
// the key does not exist.
func Limits(ctx context.Context, ns restkv.Namespace, id string) ([]byte, error) {
	raw, err := ns.Get(ctx, "carrier-limits:"+id)
	if errors.Is(err, restkv.ErrNotFound) {
		return defaultLimits, nil
	}
	return raw, err
}
