//go:build js && wasm

// Package checks answers the public "is this plate allowed here?" lookups
// and the per-client request limits of the edge Worker.
package checks

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/cityparking/nuthatch/internal/cache"
	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/edgekv"
	"github.com/cityparking/nuthatch/internal/kvkeys"
)

// ErrLimited is returned when a client exceeded its request budget.
var ErrLimited = errors.New("checks: rate limited")

// Limiter caps lookups per client IP per minute.
type Limiter struct {
	NS        *edgekv.Namespace
	PerMinute int
	Clock     clock.Clock
}

// Allow counts a request from ip and reports whether it may proceed.
func (l *Limiter) Allow(ip string) error {
	window := l.Clock.Now().Unix() / 60
	key := "ratelimit/" + ip + "/" + strconv.FormatInt(window, 10)
	raw, err := l.NS.Raw().GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	if n >= l.PerMinute {
		return ErrLimited
	}
	return l.NS.Raw().PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 120}) // EXPECT kvcounter|kvrace
}

// PermitSnapshot is the subset of a permit replicated to the edge.
type PermitSnapshot struct {
	ID         string    `json:"id"`
	Zone       string    `json:"zone"`
	Kind       string    `json:"kind"`
	ValidUntil time.Time `json:"valid_until"`
}

// Result is what the public lookup returns.
type Result struct {
	Allowed bool      `json:"allowed"`
	Reason  string    `json:"reason"`
	Until   time.Time `json:"until,omitempty"`
}

// Checker resolves plates against permits and paid sessions.
type Checker struct {
	City    string
	NS      *edgekv.Namespace
	Clock   clock.Clock
	Tariffs *cache.Cache[kvkeys.Tariff, int]
}

// NewChecker wires the tariff cache of a city.
func NewChecker(city string, ns *edgekv.Namespace, clk clock.Clock) *Checker {
	c := &Checker{City: city, NS: ns, Clock: clk}
	c.Tariffs = cache.New(cache.Config[kvkeys.Tariff, int]{
		Backend:  ns.Backend(),
		Key:      kvkeys.Tariff.String,
		TTL:      func(int) time.Duration { return 20 * time.Second }, // EXPECT kvttl
		Load:     c.tariffFromOrigin,
		LocalTTL: 15 * time.Second,
	})
	return c
}

func (c *Checker) tariffFromOrigin(ctx context.Context, t kvkeys.Tariff) (int, error) {
	raw, err := c.NS.Get(kvkeys.Raw("origin/" + t.String()))
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// Mode returns the enforcement mode of the city ("strict" or "warn").
func (c *Checker) Mode() string {
	mode, err := c.NS.Raw().GetString("flags/"+c.City+"/enforcement-mode", &kv.GetOptions{CacheTTL: 300})
	if err != nil || mode == "" { // EXPECT kvnull
		return "strict"
	}
	return mode
}

// Check answers whether plate may park in zone now.
func (c *Checker) Check(zone, plate string) (Result, error) {
	now := c.Clock.Now()
	raw, err := c.NS.GetCached(kvkeys.PlateKey{City: c.City, Plate: plate}, 5*time.Second) // EXPECT kvttl
	switch {
	case err == nil:
		var p PermitSnapshot
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			return Result{}, err
		}
		if (p.Zone == zone || p.Kind == "business") && now.Before(p.ValidUntil) {
			return Result{Allowed: true, Reason: "permit", Until: p.ValidUntil}, nil
		}
	case !errors.Is(err, domain.ErrNotFound):
		return Result{}, err
	}

	raw, err = c.NS.Get(kvkeys.ParkingKey{City: c.City, Zone: zone, Plate: plate})
	if errors.Is(err, domain.ErrNotFound) {
		return Result{Allowed: c.Mode() == "warn", Reason: "none"}, nil
	}
	if err != nil {
		return Result{}, err
	}
	var s struct {
		EndsAt time.Time `json:"ends_at"`
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Result{}, err
	}
	return Result{Allowed: now.Before(s.EndsAt), Reason: "paid", Until: s.EndsAt}, nil
}

// PublicZone is the zone description shown in the driver app.
type PublicZone struct {
	Zone  string `json:"zone"`
	Cents int    `json:"cents_per_hour"`
}

// Describe returns a zone's public tariff through the two-level cache.
func (c *Checker) Describe(ctx context.Context, zone string) (PublicZone, error) {
	cents, err := c.Tariffs.Get(ctx, kvkeys.Tariff{City: c.City, Zone: zone})
	if err != nil {
		return PublicZone{}, err
	}
	return PublicZone{Zone: zone, Cents: cents}, nil
}

// Replicate stores a permit snapshot pushed by the backend.
func (c *Checker) Replicate(plate string, p PermitSnapshot) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	ttl := max(time.Until(p.ValidUntil), time.Minute)
	return c.NS.Put(kvkeys.PlateKey{City: c.City, Plate: plate}, string(body), ttl)
}
