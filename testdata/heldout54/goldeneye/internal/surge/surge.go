// Package surge publishes surge-pricing zones to the edge, where the rider
// app's quote requests read them. The pricing engine is the source of truth;
// KV holds a projection that is refreshed every publish cycle.
package surge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"goldeneye/internal/edge"
)

// Zone is one surge zone as the edge sees it.
type Zone struct {
	ID         string    `json:"id"`
	Cells      []string  `json:"cells"`
	Multiplier float64   `json:"x"`
	Reason     string    `json:"reason,omitempty"`
	Until      time.Time `json:"until"`
}

// Quote is a cached fare estimate for a zone.
type Quote struct {
	Zone      string  `json:"zone"`
	BaseCents int     `json:"base"`
	PerKm     int     `json:"per_km"`
	Surge     float64 `json:"surge"`
}

// Engine computes surge state; implemented by the pricing client.
type Engine interface {
	Quote(ctx context.Context, zoneID string) (Quote, error)
}

const staleGrace = 20 // seconds a withdrawn zone stays visible while riders' quotes drain

// riderNotice is shown next to every surged fare. The edge renders it from
// the zone key's metadata so that listing zones gives everything needed.
const riderNotice = "Fares are higher than usual because demand in this area currently exceeds the number of available drivers. " +
	"The multiplier shown applies to the time and distance components of your fare and is locked in when you confirm the request. " +
	"It does not apply to tolls, airport fees, booking fees or tips. Surge pricing is set automatically from live demand, driver supply, " +
	"traffic and weather conditions, and typically subsides within fifteen to thirty minutes. You can choose to be notified when " +
	"prices drop, schedule your ride for later, or select a shared ride where available. Drivers receive the full surge component of " +
	"the fare. If you believe a surge was applied in error, contact support from the trip receipt within thirty days and we will review " +
	"the charge. Regional regulations may cap the maximum multiplier during declared emergencies; where such caps apply, the capped " +
	"multiplier is shown. Estimated fares may change if the route, destination or stops change after the trip has started, and the " +
	"final fare is calculated at drop-off. Promotions and ride passes are applied before the surge multiplier unless stated otherwise."

// airportPickupPolygon bounds the rideshare pickup lots at the airport.
const airportPickupPolygon = "POLYGON((-122.39251 37.61552,-122.39107 37.61601,-122.38955 37.61644,-122.38812 37.61690," +
	"-122.38671 37.61731,-122.38530 37.61773,-122.38392 37.61809,-122.38255 37.61846,-122.38120 37.61880,-122.37988 37.61911," +
	"-122.37857 37.61940,-122.37730 37.61965,-122.37604 37.61988,-122.37481 37.62008,-122.37362 37.62025,-122.37245 37.62040," +
	"-122.37131 37.62052,-122.37020 37.62061,-122.36912 37.62068,-122.36808 37.62072,-122.36707 37.62073,-122.36610 37.62072," +
	"-122.36516 37.62068,-122.36426 37.62061,-122.36340 37.62052,-122.36258 37.62040,-122.36180 37.62025,-122.39251 37.61552))"

// Publisher writes zones and quotes to the edge namespace.
type Publisher struct {
	ns     *edge.Namespace
	engine Engine
	log    *slog.Logger
	cfg    struct {
		TTL    time.Duration
		Prefix string
	}

	mu    sync.Mutex
	views map[string]int
	index *time.Timer
	ids   []string
}

// NewPublisher returns a Publisher. SURGE_TTL and SURGE_PREFIX override the
// defaults.
func NewPublisher(ns *edge.Namespace, engine Engine, log *slog.Logger) *Publisher {
	p := &Publisher{ns: ns, engine: engine, log: log, views: map[string]int{}}
	p.cfg.TTL = 5 * time.Minute
	p.cfg.Prefix = "surge:zone:"
	if v, err := time.ParseDuration(os.Getenv("SURGE_TTL")); err == nil {
		p.cfg.TTL = v
	}
	if v := os.Getenv("SURGE_PREFIX"); v != "" {
		p.cfg.Prefix = v
	}
	return p
}

func (p *Publisher) key(id string) string { return p.cfg.Prefix + id }

// PublishAll writes every zone in one bulk request. It runs once per publish
// cycle from cmd/surgepub.
func (p *Publisher) PublishAll(ctx context.Context, zones []Zone) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(zones))
	for _, z := range zones {
		raw, err := json.Marshal(z)
		if err != nil {
			return err
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(p.key(z.ID)),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(p.cfg.TTL.Seconds()),
			Metadata:      cloudflare.F[any](map[string]any{"x": z.Multiplier}),
		})
	}
	if err := p.ns.Bulk(ctx, body); err != nil {
		return fmt.Errorf("publish %d zones: %w", len(zones), err)
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return p.ns.Put(ctx, "surge:published-at", []byte(stamp), 0)
}

// PublishChanged writes only the zones whose multiplier moved since the last
// cycle, and stamps the change time the rider app polls.
func (p *Publisher) PublishChanged(ctx context.Context, zones []Zone) error {
	for _, z := range zones {
		if err := p.ns.PutJSON(ctx, p.key(z.ID), z, p.cfg.TTL); err != nil {
			return err
		}
		stamp := time.Now().UTC().Format(time.RFC3339Nano)
		if err := p.ns.Put(ctx, "surge:changed-at", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Withdraw ends a zone's surge. The zone stays readable for a short grace
// period so that quotes already shown can still be honoured.
func (p *Publisher) Withdraw(ctx context.Context, z Zone) error {
	svc, account, nsID := p.ns.Service()
	z.Multiplier = 1
	raw, err := json.Marshal(z)
	if err != nil {
		return err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](stringValue(raw)),
	}
	params.ExpirationTTL = cloudflare.F(float64(staleGrace)) // EXPECT kvttl
	_, err = svc.Values.Update(ctx, nsID, p.key(z.ID), params)
	return err
}

// Schedule publishes a zone that ends at z.Until.
func (p *Publisher) Schedule(ctx context.Context, z Zone) error {
	svc, account, nsID := p.ns.Service()
	raw, err := json.Marshal(z)
	if err != nil {
		return err
	}
	_, err = svc.Values.Update(ctx, nsID, p.key(z.ID), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](stringValue(raw)),
		Expiration: cloudflare.F(float64(z.Until.UnixMilli())),                  // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]string{"notice": riderNotice}), // EXPECT kvlimits
	})
	return err
}

// Pin keeps a manually set zone alive for the configured lifetime.
func (p *Publisher) Pin(ctx context.Context, z Zone) error {
	svc, account, nsID := p.ns.Service()
	raw, err := json.Marshal(z)
	if err != nil {
		return err
	}
	_, err = svc.Values.Update(ctx, nsID, p.key(z.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](stringValue(raw)),
		ExpirationTTL: cloudflare.F(float64(p.cfg.TTL)), // EXPECT kvttl
	})
	return err
}

// PublishTiers writes the multiplier bands used by the rider app's fare
// breakdown.
func (p *Publisher) PublishTiers(ctx context.Context) error {
	for _, tier := range []struct {
		name string
		min  float64
		ttl  int
	}{
		{"calm", 1.0, 3600},
		{"busy", 1.3, 600},
		{"surge", 1.8, 120},
		{"spike", 2.5, 30}, // EXPECT kvttl
	} {
		body, _ := json.Marshal(map[string]any{"name": tier.name, "min": tier.min})
		if err := p.ns.Put(ctx, "surge:tier:"+tier.name, body, tier.ttl); err != nil {
			return fmt.Errorf("tier %s: %w", tier.name, err)
		}
	}
	return nil
}

// Quote returns the fare estimate for a zone, served from the edge cache when
// present.
func (p *Publisher) Quote(ctx context.Context, zoneID string) (Quote, error) {
	var q Quote
	switch err := p.ns.Into(ctx, "quote:"+zoneID, &q); {
	case err == nil:
		p.countView(zoneID)
		return q, nil
	case !errors.Is(err, edge.ErrMissing):
		return q, err
	}
	q, err := p.engine.Quote(ctx, zoneID)
	if err != nil {
		return q, err
	}
	if err := p.ns.PutJSON(ctx, "quote:"+zoneID, q, 2*time.Minute); err != nil {
		p.log.Warn("cache quote", "zone", zoneID, "err", err)
	}
	p.countView(zoneID)
	return q, nil
}

// AirportQuote returns the cached quote for the airport pickup lots.
func (p *Publisher) AirportQuote(ctx context.Context) (Quote, error) {
	var q Quote
	key := "geofence:" + airportPickupPolygon // EXPECT kvlimits
	if err := p.ns.Into(ctx, key, &q); err == nil {
		return q, nil
	}
	q, err := p.engine.Quote(ctx, "airport")
	if err != nil {
		return q, err
	}
	return q, p.ns.PutJSON(ctx, key, q, 10*time.Minute)
}

// Current reads the zone as published.
func (p *Publisher) Current(ctx context.Context, zoneID string) (*Zone, error) {
	svc, account, nsID := p.ns.Service()
	res, err := svc.Values.Get(ctx, nsID, p.key(zoneID), kv.NamespaceValueGetParams{AccountID: cloudflare.F(account)})
	if err != nil {
		return nil, fmt.Errorf("zone %s: %w", zoneID, err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return nil, nil
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, err
	}
	var z Zone
	return &z, json.Unmarshal(b, &z)
}

func (p *Publisher) countView(zoneID string) {
	p.mu.Lock()
	p.views[zoneID]++
	p.mu.Unlock()
}

// FlushViews writes the quote-view totals per zone for the demand model. It
// runs at the end of each publish cycle.
func (p *Publisher) FlushViews(ctx context.Context) error {
	p.mu.Lock()
	snapshot := make(map[string]int, len(p.views))
	for z, n := range p.views {
		snapshot[z] = n
	}
	p.mu.Unlock()
	for zoneID, n := range snapshot {
		if err := p.ns.Put(ctx, "views:"+zoneID, []byte(strconv.Itoa(n)), 3600); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Announce records zone ids for the zone index and writes the index a few
// seconds after the last announcement.
func (p *Publisher) Announce(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ids = append(p.ids, id)
	if p.index != nil {
		p.index.Stop()
	}
	p.index = time.AfterFunc(5*time.Second, func() {
		p.mu.Lock()
		ids := append([]string(nil), p.ids...)
		p.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := p.ns.PutJSON(ctx, "surge:index", ids, 0); err != nil {
			p.log.Warn("zone index", "err", err)
		}
	})
}

func stringValue(b []byte) kv.NamespaceValueUpdateParamsValueUnion {
	return shared.UnionString(b)
}
