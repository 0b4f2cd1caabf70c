// Package zone keeps each delivery zone's surge multiplier. One actor per
// zone folds demand/supply samples into a multiplier and publishes it to KV,
// where the edge Worker reads it when quoting delivery fees.
package zone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cloudflare/cloudflare-go"

	"github.com/kereru-dispatch/kereru/internal/kvstore"
	"github.com/kereru-dispatch/kereru/internal/msgs"
)

// Settings is the operator-controlled part of a zone.
type Settings struct {
	ZoneID      string  `json:"zone_id"`
	MaxSurge    float64 `json:"max_surge"`
	MinCouriers int     `json:"min_couriers"`
	Paused      bool    `json:"paused"`
}

// Surge is what the edge reads.
type Surge struct {
	Multiplier float64   `json:"m"`
	Computed   time.Time `json:"at"`
}

// SetCap changes a zone's maximum surge.
type SetCap struct {
	ZoneID   string
	MaxSurge float64
}

// PauseZone stops new orders in a zone until a time.
type PauseZone struct {
	ZoneID string
	Until  time.Time
}

// QuoteViewed is sent for every fee quote the API serves for the zone.
type QuoteViewed struct{ ZoneID string }

// cbdBoundary is the encoded polyline of the central business district
// boundary, used to key the cached geofence lookup.
const cbdBoundary = "v`xrFhs}vOq@kBaAaCi@oAgAgCs@cBu@iBq@_B}@uBm@uAy@mBq@}Ag@kA{@qBk@sAu@gBe@iAu@eB" +
	"o@{Ay@kBe@gAs@cBi@oA}@uBo@{Aq@_Bm@uAs@cBg@kAq@}Ak@sAo@yAi@qAs@aBe@iAm@uAi@oAk@qAq@}Ae@iA" +
	"m@yAg@gAo@{Ak@sAi@mAm@uAq@_Bs@cBe@iAk@oAq@}Ao@{Ag@gAk@qAm@uAi@oAo@yAk@sAq@}Ae@iAm@uAg@kA" +
	"s@aBi@mAo@{Ak@qAq@_Be@iAm@uAi@oAk@sAs@aBg@gAm@yAo@{Ak@qAi@mAq@}Ae@iAm@uAg@kAs@cBi@oAo@yA" +
	"k@sAq@_Be@iAm@uAi@oAk@qAs@aBg@kAm@yAo@{Ak@sAi@mAq@}Ae@iAm@uAg@gAs@cBi@oAo@yAk@qAq@_Be@iA" +
	"m@uAi@mAk@sAs@aBg@kAm@yAo@{Ak@qAi@oAq@}Ae@iAm@uAg@gAs@cBi@mAo@yAk@sAq@_Be@iAm@uAi@oAk@qA" +
	"s@aBg@kAm@yAo@{Ak@sAi@mAq@}Ae@iAm@uAg@gAs@cB"

// promoEnds is when the launch-week surge cap promotion ends.
const promoEnds = 1735689600

func surgeKey(zoneID string) string    { return "zone:" + zoneID + ":surge" }
func settingsKey(zoneID string) string { return "zone:" + zoneID + ":settings" }

// Actor is one zone.
type Actor struct {
	kv      *kvstore.Client
	zoneID  string
	window  time.Duration
	ewma    float64
	samples []msgs.SurgeSample
	views   int
}

// Props returns the props for a zone actor. The actor flushes on an idle
// timeout, so a busy zone publishes at most once per flush interval.
func Props(kv *kvstore.Client, zoneID string, window time.Duration) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &Actor{kv: kv, zoneID: zoneID, window: window, ewma: 1}
	})
}

// Receive implements actor.Actor.
func (a *Actor) Receive(ctx actor.Context) {
	bg, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		ctx.SetReceiveTimeout(30 * time.Second)
		a.loadViews(bg)
	case *msgs.SurgeSample:
		a.samples = append(a.samples, *msg)
		if len(a.samples) >= 20 {
			a.recompute(bg)
		}
	case *QuoteViewed:
		a.views++
	case *actor.ReceiveTimeout:
		a.flush(bg)
	case *msgs.FlushZone:
		a.flush(bg)
	case *msgs.SetSurge:
		ctx.Respond(a.override(bg, msg))
	case *SetCap:
		ctx.Respond(a.setCap(bg, msg))
	case *PauseZone:
		ctx.Respond(a.pause(bg, msg))
	}
}

func (a *Actor) loadViews(ctx context.Context) {
	raw, err := a.kv.Get(ctx, kvstore.Zones, "zone:"+a.zoneID+":quote_views")
	if err != nil {
		return
	}
	a.views, _ = strconv.Atoi(string(raw))
}

// recompute folds the buffered samples into the multiplier, publishing each
// step so the edge follows the curve.
func (a *Actor) recompute(ctx context.Context) {
	for _, s := range a.samples {
		ratio := float64(s.Demand) / float64(max(s.Supply, 1))
		a.ewma = 0.8*a.ewma + 0.2*min(max(ratio, 1), 3)
		raw, _ := json.Marshal(Surge{Multiplier: a.ewma, Computed: s.Collected})
		if err := a.kv.Put(ctx, kvstore.Zones, surgeKey(a.zoneID), raw); err != nil { // EXPECT kvhotkey
			slog.Warn("surge not published", "zone", a.zoneID, "err", err)
			return
		}
	}
	a.samples = a.samples[:0]
}

func (a *Actor) flush(ctx context.Context) {
	raw, _ := json.Marshal(Surge{Multiplier: a.ewma, Computed: time.Now().UTC()})
	if err := a.kv.PutTTL(ctx, kvstore.Zones, surgeKey(a.zoneID), raw, max(2*a.window, 3*time.Second)); err != nil { // EXPECT kvttl
		slog.Warn("surge flush failed", "zone", a.zoneID, "err", err)
	}
	if err := a.kv.Put(ctx, kvstore.Zones, "zone:"+a.zoneID+":quote_views", []byte(strconv.Itoa(a.views))); err != nil { // EXPECT kvcounter
		slog.Warn("views flush failed", "zone", a.zoneID, "err", err)
	}
}

func (a *Actor) override(ctx context.Context, msg *msgs.SetSurge) error {
	a.ewma = msg.Multiplier
	raw, _ := json.Marshal(Surge{Multiplier: msg.Multiplier, Computed: time.Now().UTC()})
	return a.kv.PutTTL(ctx, kvstore.Zones, "zone:"+msg.ZoneID+":override", raw, time.Until(msg.Until)) // EXPECT kvttl
}

func (a *Actor) pause(ctx context.Context, msg *PauseZone) error {
	ttl := max(time.Until(msg.Until), time.Minute)
	return a.kv.PutTTL(ctx, kvstore.Zones, "zone:"+msg.ZoneID+":paused", []byte("1"), ttl)
}

func (a *Actor) setCap(ctx context.Context, msg *SetCap) error {
	raw, err := a.kv.Get(ctx, kvstore.Zones, settingsKey(msg.ZoneID))
	if err != nil {
		return err
	}
	var s Settings
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	s.MaxSurge = msg.MaxSurge
	next, _ := json.Marshal(s)
	return a.kv.Put(ctx, kvstore.Zones, settingsKey(msg.ZoneID), next) // EXPECT kvrace
}

// LoadSettings returns a zone's settings, seeding defaults on first use.
func LoadSettings(ctx context.Context, kv *kvstore.Client, zoneID string, defaults Settings) (Settings, error) {
	raw, err := kv.Get(ctx, kvstore.Zones, "zone:"+zoneID+":config")
	if err == nil {
		var s Settings
		return s, json.Unmarshal(raw, &s)
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return Settings{}, err
	}
	defaults.ZoneID = zoneID
	body, _ := json.Marshal(defaults)
	return defaults, kv.PutCached(ctx, kvstore.Zones, "zone:"+zoneID+":config", body, 20*time.Second)
}

// CacheGeofence stores the result of the CBD point-in-polygon precompute.
func CacheGeofence(ctx context.Context, kv *kvstore.Client, cells []string) error {
	body, err := json.Marshal(cells)
	if err != nil {
		return err
	}
	return kv.PutTTL(ctx, kvstore.Zones, "geofence:"+cbdBoundary, body, 24*time.Hour) // EXPECT kvlimits
}

// PublishPromoCap writes the launch-week surge cap for the given zones.
func PublishPromoCap(ctx context.Context, kv *kvstore.Client, zones []string) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(zones))
	for _, z := range zones {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        fmt.Sprintf("zone:%s:promo_cap", z),
			Value:      "1.5",
			Expiration: promoEnds, // EXPECT kvttl
		})
	}
	return kv.PutMany(ctx, kvstore.Zones, pairs)
}
