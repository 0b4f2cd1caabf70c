// Package tariff publishes electricity tariff tables to KV, where the edge
// worker and the devices read them.
package tariff

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/motmot-energy/motmot/internal/choose"
	"github.com/motmot-energy/motmot/internal/keys"
	"github.com/motmot-energy/motmot/internal/kvv6"
)

const (
	tableLifetime  = 400 * 24 * time.Hour
	cacheLifetime  = 15 * time.Minute
	slotsPerDay    = 48
	daysPerYear    = 365
	defaultListMax = 500
)

// disclosure is attached to every published table so that devices can show it
// offline.
const disclosure = "Prices shown include all applicable taxes and network charges as published by " +
	"the distribution network operator for the region. Time-of-use periods follow local standard " +
	"time and shift with daylight saving. Export credits are paid at the rate in force on the day " +
	"of export and may differ from the import rate for the same period. Demand charges, where they " +
	"apply, are computed from the highest half-hourly average in the billing month. Rates may change " +
	"with thirty days notice; the version number on this table identifies the rates in force. The " +
	"platform displays tariffs for information only and is not the retailer of record. Contact your " +
	"retailer for the binding terms of your supply contract, including fixed daily charges, any " +
	"minimum spend, and concession or hardship arrangements available to you. Savings estimates " +
	"assume the device schedule is followed and do not account for weather, occupancy or appliance " +
	"changes. Historical prices are retained for statements and are not a forecast of future prices. " +
	"Figures are rounded to the nearest tenth of a cent."

// Period is one time-of-use band.
type Period struct {
	Name     string  `json:"name"`
	StartMin int     `json:"start"`
	EndMin   int     `json:"end"`
	CentsKWh float64 `json:"c"`
}

// Table is the tariff of one plan in one region.
type Table struct {
	Region  string   `json:"region"`
	Plan    string   `json:"plan"`
	Version int      `json:"v"`
	Periods []Period `json:"periods"`
}

// Publisher writes tariff tables.
type Publisher struct {
	KV *kvv6.Store
	// Origin loads a table from the billing database.
	Origin func(ctx context.Context, region, plan string) (*Table, error)
}

// Publish writes all tables of a region and moves its current pointer.
func (p *Publisher) Publish(ctx context.Context, region string, tables []Table) error {
	pairs := make([]kvv6.Pair, 0, len(tables)+1)
	version := 0
	for _, t := range tables {
		body, err := json.Marshal(t)
		if err != nil {
			return err
		}
		pairs = append(pairs, kvv6.Pair{
			Key:   keys.Tariff(region, t.Plan, t.Version),
			Value: body,
			TTL:   tableLifetime,
			Meta:  map[string]any{"plan": t.Plan, "v": t.Version, "periods": len(t.Periods)},
		})
		version = max(version, t.Version)
	}
	pairs = append(pairs, kvv6.Pair{Key: keys.TariffCurrent(region), Value: strconv.AppendInt(nil, int64(version), 10)})
	return p.KV.BulkPut(ctx, pairs)
}

// PublishWithDisclosure writes one table and carries the consumer disclosure
// in its metadata.
func (p *Publisher) PublishWithDisclosure(ctx context.Context, t Table) error {
	body, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return p.KV.Put(ctx, keys.Tariff(t.Region, t.Plan, t.Version), body, kvv6.PutOpts{
		TTL:  tableLifetime,
		Meta: map[string]string{"plan": t.Plan, "disclosure": disclosure}, // EXPECT kvlimits
	})
}

// PublishHalfHourly expands a table into one price per half hour of the
// coming year so that devices can fetch a single slot.
func (p *Publisher) PublishHalfHourly(ctx context.Context, t Table, from time.Time) error {
	pairs := make([]kvv6.Pair, 0, slotsPerDay*daysPerYear)
	for i := 0; i < slotsPerDay*daysPerYear; i++ {
		at := from.Add(time.Duration(i) * 30 * time.Minute)
		minute := at.Hour()*60 + at.Minute()
		price := 0.0
		for _, per := range t.Periods {
			if minute >= per.StartMin && minute < per.EndMin {
				price = per.CentsKWh
			}
		}
		pairs = append(pairs, kvv6.Pair{
			Key:   fmt.Sprintf("price:%[1]s:%[2]s:%[3]d", t.Region, t.Plan, at.Unix()),
			Value: []byte(strconv.FormatFloat(price, 'f', 3, 64)),
			TTL:   time.Until(at.Add(24 * time.Hour)), // DEBATABLE kvttl
		})
	}
	return p.KV.BulkPut(ctx, pairs) // EXPECT kvlimits
}

// Current returns the current table of a plan, reading through KV to the
// billing database.
func (p *Publisher) Current(ctx context.Context, region, plan string) (*Table, error) {
	b := p.KV.Bind(ctx)
	key := "tariff-cache:" + region + ":" + plan
	if raw, err := b.Get(key); err == nil {
		var t Table
		if json.Unmarshal(raw, &t) == nil {
			return &t, nil
		}
	} else if !errors.Is(err, kvv6.ErrNotFound) {
		return nil, err
	}
	t, err := p.Origin(ctx, region, plan)
	if err != nil {
		return nil, err
	}
	if err := b.Put(cacheEntry(key, t, cacheLifetime)); err != nil {
		return t, nil
	}
	return t, nil
}

// cacheEntry is the (key, value, opts) of a cached table; the lifetime is
// spread by up to a fifth so that regions do not all expire together.
func cacheEntry(key string, t *Table, base time.Duration) (string, []byte, kvv6.PutOpts) {
	body, _ := json.Marshal(t)
	return key, body, kvv6.PutOpts{TTL: base + rand.N(base/5)}
}

// Plans lists the plans published for region, one page at a time.
func (p *Publisher) Plans(ctx context.Context, region, cursor string, limit int) ([]string, string, error) {
	page, err := p.KV.ListPage(ctx, "tariff:"+region+":", cursor, choose.Between(cmp.Or(limit, defaultListMax), 10, 1000))
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		names = append(names, k.Name)
	}
	return names, page.Cursor, nil
}

// Regions returns the regions with a current pointer.
func (p *Publisher) Regions(ctx context.Context) ([]string, error) {
	page, err := p.KV.ListPage(ctx, "tariff:", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range page.Keys {
		if len(k.Name) > 8 && k.Name[len(k.Name)-8:] == ":current" {
			out = append(out, k.Name[len("tariff:"):len(k.Name)-8])
		}
	}
	return out, nil
}
