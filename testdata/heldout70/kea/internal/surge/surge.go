// Package surge computes and publishes per-zone surge multipliers.
package surge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/kea-mobility/kea/internal/kvstore"
	"github.com/kea-mobility/kea/internal/ring"
)

// Update is a surge decision. It travels between cluster members inside
// gossip messages, so the lifetime is carried with it.
type Update struct {
	Zone       string        `json:"zone"`
	Multiplier float64       `json:"multiplier"`
	ValidFor   time.Duration `json:"valid_for"`
	Issued     time.Time     `json:"issued"`
	Origin     string        `json:"origin"`
}

// Expires is when the update stops applying.
func (u Update) Expires() time.Time { return u.Issued.Add(u.ValidFor) }

// Publisher is how the engine hands an update to the cluster.
type Publisher interface {
	Publish(u Update)
}

// Demand is a zone's open requests and idle drivers.
type Demand struct {
	Requests int
	Idle     int
}

const (
	defaultWindow  = 5 * time.Minute
	burstWindow    = 45 * time.Second
	lastAppliedKey = "surge:last-applied"
)

func zoneKey(zone string) string { return "surge:" + zone }

// Engine owns surge decisions for the zones this node is responsible for.
type Engine struct {
	kv     *kvstore.Store
	pub    Publisher
	node   string
	recent *ring.Ring[Update]

	mu      sync.Mutex
	current map[string]Update
}

// NewEngine returns an engine writing to kv and gossiping through pub.
func NewEngine(kv *kvstore.Store, pub Publisher, node string) *Engine {
	return &Engine{kv: kv, pub: pub, node: node, recent: ring.New[Update](128), current: map[string]Update{}}
}

// SetPublisher attaches the cluster once it is up.
func (e *Engine) SetPublisher(p Publisher) { e.pub = p }

// Apply writes an update to KV and records it locally.
func (e *Engine) Apply(ctx context.Context, u Update) error {
	body := strconv.FormatFloat(u.Multiplier, 'f', 2, 64)
	if err := e.kv.Put(ctx, zoneKey(u.Zone), []byte(body), u.ValidFor); err != nil {
		return err
	}
	e.mu.Lock()
	e.current[u.Zone] = u
	e.mu.Unlock()
	e.recent.Push(u)
	return nil
}

// Recompute prices a zone from its demand, applies the result and gossips it.
func (e *Engine) Recompute(ctx context.Context, zone string, d Demand) (Update, error) {
	m := multiplier(d)
	u := Update{Zone: zone, Multiplier: m, ValidFor: defaultWindow, Issued: time.Now(), Origin: e.node}
	if err := e.Apply(ctx, u); err != nil {
		return u, err
	}
	if e.pub != nil {
		e.pub.Publish(u)
	}
	return u, nil
}

// Burst reacts to a sudden spike (stadium exit, rain) with a short surge.
func (e *Engine) Burst(ctx context.Context, zone string, m float64) error {
	err := e.Apply(ctx, Update{Zone: zone, Multiplier: m, ValidFor: burstWindow, Issued: time.Now(), Origin: e.node}) // EXPECT kvttl
	if err == nil && e.pub != nil {
		e.pub.Publish(Update{Zone: zone, Multiplier: m, ValidFor: burstWindow, Issued: time.Now(), Origin: e.node})
	}
	return err
}

// Override sets a surge chosen by an operator for the given period.
func (e *Engine) Override(ctx context.Context, zone string, m float64, period time.Duration) error {
	u := Update{Zone: zone, Multiplier: m, ValidFor: max(period, time.Minute), Issued: time.Now(), Origin: "ops"}
	return e.Apply(ctx, u)
}

// ApplyBatch applies updates received in one gossip exchange and records
// which one was written last.
func (e *Engine) ApplyBatch(ctx context.Context, batch []Update) error {
	var errs []error
	for _, u := range batch {
		if err := e.Apply(ctx, u); err != nil {
			errs = append(errs, fmt.Errorf("zone %s: %w", u.Zone, err))
			continue
		}
		mark, _ := json.Marshal(struct {
			Zone string    `json:"zone"`
			At   time.Time `json:"at"`
		}{u.Zone, time.Now()})
		errs = append(errs, e.kv.PutForever(ctx, lastAppliedKey, mark)) // EXPECT kvhotkey
	}
	return errors.Join(errs...)
}

// Current returns the multiplier for zone: from memory when this node set
// it, else from KV, else from the zone's live demand.
func (e *Engine) Current(ctx context.Context, zone string, demand func(string) Demand) (float64, error) {
	e.mu.Lock()
	u, ok := e.current[zone]
	e.mu.Unlock()
	if ok && time.Now().Before(u.Expires()) {
		return u.Multiplier, nil
	}
	raw, found, err := e.kv.Lookup(ctx, zoneKey(zone))
	if err != nil {
		return 1, err
	}
	if found {
		return strconv.ParseFloat(string(raw), 64)
	}
	m := multiplier(demand(zone))
	if err := e.kv.PutCache(ctx, zoneKey(zone), []byte(strconv.FormatFloat(m, 'f', 2, 64)), 30*time.Second); err != nil {
		return m, err
	}
	return m, nil
}

// Snapshot returns the updates still in force, for cluster state sync.
func (e *Engine) Snapshot() []Update {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Update, 0, len(e.current))
	now := time.Now()
	for _, u := range e.current {
		if now.Before(u.Expires()) {
			out = append(out, u)
		}
	}
	return out
}

// Recent lists the last applied updates, oldest first.
func (e *Engine) Recent() []Update { return e.recent.Snapshot() }

func multiplier(d Demand) float64 {
	if d.Idle == 0 {
		return 2.5
	}
	r := float64(d.Requests) / float64(d.Idle)
	return math.Round(min(max(1, 0.8+0.4*r), 3)*4) / 4
}
