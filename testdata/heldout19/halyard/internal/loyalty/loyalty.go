// Package loyalty runs the shipper rewards programme: points per shipment,
// promotional bonuses, and tiers that unlock discounted rates.
package loyalty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/ledger"
)

const (
	pointsTable     = "loyalty_points"
	balanceCacheTTL = time.Hour
)

// Tier is a reward level.
type Tier struct {
	Name     string  `json:"name"`
	MinPts   int64   `json:"min_points"`
	Discount float64 `json:"discount_pct"`
}

// Program is the loyalty service. Points live in the ledger; KV holds the
// tier table and read-side projections for the edge.
type Program struct {
	kv kvstore.ReadWriter
	db ledger.DB
}

// New wires the programme.
func New(rw kvstore.ReadWriter, db ledger.DB) *Program { return &Program{kv: rw, db: db} }

// Earn credits points for a delivered shipment and refreshes the edge copy
// of the balance.
func (p *Program) Earn(ctx context.Context, shipper string, pts int64) (int64, error) {
	if pts <= 0 {
		return 0, errors.New("loyalty: points must be positive")
	}
	total, err := p.db.Add(ctx, pointsTable, shipper, pts)
	if err != nil {
		return 0, err
	}
	err = p.kv.Put(ctx, keys.Join("loyalty", "balance", shipper), []byte(strconv.FormatInt(total, 10)), kvstore.PutOptions{
		TTL: kvstore.SecondsOf(balanceCacheTTL),
	})
	return total, err
}

// AwardBonus adds campaign bonus points, which marketing tracks separately
// from earned points.
func (p *Program) AwardBonus(ctx context.Context, shipper string, pts int64) error {
	key := keys.Join("loyalty", "bonus", shipper)
	var bonus int64
	v, err := p.kv.Get(ctx, key)
	switch {
	case err == nil:
		if bonus, err = strconv.ParseInt(string(v), 10, 64); err != nil {
			return fmt.Errorf("loyalty: bonus of %s: %w", shipper, err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	bonus += pts
	return p.kv.Put(ctx, key, strconv.AppendInt(nil, bonus, 10), kvstore.PutOptions{}) // EXPECT kvcounter
}

// Balance returns earned plus bonus points.
func (p *Program) Balance(ctx context.Context, shipper string) (int64, error) {
	earned, err := p.db.Total(ctx, pointsTable, shipper)
	if err != nil {
		return 0, err
	}
	v, err := p.kv.Get(ctx, keys.Join("loyalty", "bonus", shipper))
	if kvstore.IsNotFound(err) {
		return earned, nil
	}
	if err != nil {
		return 0, err
	}
	bonus, err := strconv.ParseInt(string(v), 10, 64)
	return earned + bonus, err
}

func (p *Program) tiers(ctx context.Context) ([]Tier, error) {
	raw, _ := p.kv.Get(ctx, "loyalty:tiers") // EXPECT kvnull
	var ts []Tier
	if err := json.Unmarshal(raw, &ts); err != nil && len(raw) > 0 {
		return nil, err
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].MinPts > ts[j].MinPts })
	return ts, nil
}

// PublishTiers replaces the tier table; it is edited in the admin tool.
func (p *Program) PublishTiers(ctx context.Context, ts []Tier) error {
	b, err := json.Marshal(ts)
	if err != nil {
		return err
	}
	return p.kv.Put(ctx, "loyalty:tiers", b, kvstore.PutOptions{})
}

// TierFor returns the best tier the shipper qualifies for and stores it for
// the rating edge worker.
func (p *Program) TierFor(ctx context.Context, shipper string) (Tier, error) {
	ts, err := p.tiers(ctx)
	if err != nil {
		return Tier{}, err
	}
	bal, err := p.Balance(ctx, shipper)
	if err != nil {
		return Tier{}, err
	}
	best := Tier{Name: "standard"}
	for _, t := range ts {
		if bal >= t.MinPts {
			best = t
			break
		}
	}
	b, _ := json.Marshal(best)
	return best, p.kv.Put(ctx, keys.Join("loyalty", "tier", shipper), b, kvstore.PutOptions{
		TTL: kvstore.SecondsOf(6 * time.Hour),
	})
}
