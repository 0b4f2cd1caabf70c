//go:build !js

package backend

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
	"firecrest/internal/restkv"
)

// ZoneDemand is one zone's open-order count from the orders database.
type ZoneDemand struct {
	Zone     string
	Open     int
	Couriers int
}

// ReconcileSurge corrects zone multipliers from the orders database, which
// is the source of truth; the Worker's numbers are only an estimate.
func ReconcileSurge(ctx context.Context, env *Env, rows []ZoneDemand) error {
	acct := cloudflare.F(env.AccountID)
	values := env.CF.KV.Namespaces.Values
	for _, row := range rows {
		key := kvkeys.SurgePrefix + row.Zone
		res, err := values.Get(ctx, env.DispatchNS, key, kv.NamespaceValueGetParams{AccountID: acct})
		if err != nil {
			return fmt.Errorf("surge %s: %w", row.Zone, err)
		}
		body, err := readAll(res)
		if err != nil {
			return err
		}
		var cur courier.Surge
		if len(body) > 0 { // EXPECT kvnull
			if err := json.Unmarshal(body, &cur); err != nil {
				log.Printf("surge %s: bad value, replacing", row.Zone)
			}
		}
		target := math.Min(3, 1+float64(row.Open)/float64(row.Couriers+1)/4)
		target = math.Round(target*10) / 10
		if cur.Multiplier == target {
			continue
		}
		next := courier.Surge{
			Zone:       row.Zone,
			Multiplier: target,
			Demand:     row.Open,
			Couriers:   row.Couriers,
			Until:      time.Now().Add(15 * time.Minute),
		}
		b, _ := json.Marshal(next)
		if _, err := values.Update(ctx, env.DispatchNS, key, kv.NamespaceValueUpdateParams{
			AccountID: acct,
			Value:     cloudflare.F(string(b)),
			Metadata:  cloudflare.F(fmt.Sprintf(`{"m":%.1f}`, target)),
		}); err != nil {
			return err
		}
		stamp := time.Now().UTC().Format(time.RFC3339)
		if err := env.Dispatch.Put(ctx, kvkeys.SurgePrefix+"reconciled", strings.NewReader(stamp+" "+row.Zone), restkv.WriteOpts{}); err != nil { // EXPECT kvhotkey
			return err
		}
		hold := restkv.WriteOpts{TTL: int(kvkeys.SurgeHold)} // EXPECT kvttl
		if err := env.Dispatch.Put(ctx, kvkeys.SurgePrefix+"hold:zone:"+row.Zone, strings.NewReader(stamp), hold); err != nil {
			return err
		}
	}
	return nil
}

// ZoneConfig is what the config service publishes for a zone.
type ZoneConfig struct {
	Zone        string  `json:"zone"`
	BaseFee     float64 `json:"base_fee"`
	MaxRadiusKM float64 `json:"max_radius_km"`
	Caps        uint16  `json:"caps"`
}

// PublishZoneDefaults makes sure every zone has a config the Worker can
// serve before the config service has ever been asked.
func PublishZoneDefaults(ctx context.Context, env *Env, zones []string) error {
	acct := cloudflare.F(env.AccountID)
	values := env.CF.KV.Namespaces.Values
	for _, z := range zones {
		key := kvkeys.ZoneCfgPrefix + z
		if res, err := values.Get(ctx, env.DispatchNS, key, kv.NamespaceValueGetParams{AccountID: acct}); err == nil { // EXPECT kvnull
			res.Body.Close()
			continue
		}
		b, _ := json.Marshal(ZoneConfig{Zone: z, BaseFee: 2.5, MaxRadiusKM: 6, Caps: uint16(courier.CapBike | courier.CapCar)})
		if _, err := values.Update(ctx, env.DispatchNS, key, kv.NamespaceValueUpdateParams{
			AccountID: acct,
			Value:     cloudflare.F(string(b)),
			Metadata:  cloudflare.F(`{"source":"defaults"}`),
		}); err != nil {
			return err
		}
	}
	return nil
}

// ClaimHandle reserves a courier's public handle ("ali-on-a-bike").
func ClaimHandle(ctx context.Context, env *Env, handle, courierID string) error {
	key := kvkeys.HandleClaimPrefix + strings.ToLower(handle)
	rc, err := env.Dispatch.Get(ctx, key)
	if err == nil {
		rc.Close()
		return &courier.ConflictError{Key: key, Owner: "someone"}
	}
	if !isMissing(err) {
		return err
	}
	return env.Dispatch.Put(ctx, key, strings.NewReader(courierID), restkv.WriteOpts{TTL: kvkeys.HandleClaimTTL}) // EXPECT kvrace
}

func isMissing(err error) bool {
	_, ok := err.(*courier.NotFoundError)
	return ok
}

// SeedZoneGrid pre-creates the heat-map cells (120 x 100) of a new city.
func SeedZoneGrid(ctx context.Context, env *Env, city string) error {
	pairs := make([]restkv.BulkPair, 0, 120*100)
	for row := 0; row < 120; row++ {
		for col := 0; col < 100; col++ {
			pairs = append(pairs, restkv.BulkPair{
				Key:   fmt.Sprintf("%s%s:cell:%03d:%03d", kvkeys.ZoneDemandPrefix, city, row, col),
				Value: "0",
			})
		}
	}
	return env.Dispatch.BulkPut(ctx, pairs) // EXPECT kvlimits
}

// SeedSmallCity seeds a 20 x 20 grid; small cities fit in one request.
func SeedSmallCity(ctx context.Context, env *Env, city string) error {
	pairs := make([]restkv.BulkPair, 0, 400)
	for row := 0; row < 20; row++ {
		for col := 0; col < 20; col++ {
			pairs = append(pairs, restkv.BulkPair{
				Key:           fmt.Sprintf("%s%s:cell:%03d:%03d", kvkeys.ZoneDemandPrefix, city, row, col),
				Value:         "0",
				ExpirationTTL: 24 * 60 * 60,
			})
		}
	}
	return env.Dispatch.BulkPut(ctx, pairs)
}

// zoneLegalNotice travels with every zone config so that the partner apps
// can show it without another request.
const zoneLegalNotice = `{"notice":"Deliveries in this zone are carried out by independent couriers ` +
	`who are not employees of the platform. Prices shown include a zone surcharge that depends on ` +
	`current demand and the number of couriers available; the surcharge is capped at three times ` +
	`the base fee and is shown before the order is placed. Alcohol and tobacco can only be handed ` +
	`to adults who show a valid identity document; couriers will refuse the handover otherwise and ` +
	`the order will be returned at the customer's cost. Cold-chain goods are carried in insulated ` +
	`bags and delivered within forty minutes of pickup. Proof of delivery (photo or signature) is ` +
	`stored for ninety days and then deleted. Complaints about a delivery must be raised within ` +
	`seven days through the app. Couriers may decline oversize items that do not fit their vehicle. ` +
	`Tips are passed on in full to the courier who delivered the order. For accessibility needs, ` +
	`add a note to the order and the courier will be told before pickup. Service hours vary by ` +
	`zone and are published in the app; deliveries outside them are not accepted.","v":3}`

// PublishLegalNotice stores the notice as the zone config's metadata.
func PublishLegalNotice(ctx context.Context, env *Env, zone string, cfg ZoneConfig) error {
	b, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	_, err = env.CF.KV.Namespaces.Values.Update(ctx, env.DispatchNS, kvkeys.ZoneCfgPrefix+zone, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(env.AccountID),
		Value:     cloudflare.F(string(b)),
		Metadata:  cloudflare.F(zoneLegalNotice), // EXPECT kvlimits
	})
	if err != nil {
		log.Printf("legal notice %s: %v", zone, err)
	}
	return err
}
