// Package jobs holds the backend's background work: charger imports,
// site status recomputation, energy totals, reports and clean-ups.
package jobs

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/wren/backend/kvrest"
	"example.com/wren/backend/ports"
	"example.com/wren/internal/codec"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

// Runner holds the jobs' dependencies.
type Runner struct {
	kv       ports.KV
	rest     *kvrest.Client
	log      *slog.Logger
	loc      *time.Location
	maxPages int
}

// New returns a Runner. loc is the network's reporting time zone.
func New(store ports.KV, rest *kvrest.Client, log *slog.Logger, loc *time.Location) *Runner {
	return &Runner{kv: store, rest: rest, log: log, loc: loc, maxPages: 20}
}

// ChargerRecord is one row of the installer's CSV export.
type ChargerRecord struct {
	ID         string  `json:"id"`
	SiteID     string  `json:"site_id"`
	Connectors int     `json:"connectors"`
	MaxPowerKW float64 `json:"max_power_kw"`
}

// ImportChargers loads the installer CSV (id,site,connectors,power).
func (r *Runner) ImportChargers(ctx context.Context, src io.Reader) (int, error) {
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = 4
	if _, err := cr.Read(); err != nil { // header
		return 0, err
	}
	n := 0
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("jobs: import line %d: %w", n+2, err)
		}
		conns, _ := strconv.Atoi(row[2])
		kw, _ := strconv.ParseFloat(row[3], 64)
		rec := ChargerRecord{ID: strings.TrimSpace(row[0]), SiteID: strings.TrimSpace(row[1]), Connectors: conns, MaxPowerKW: kw}
		b, _ := json.Marshal(rec)
		if err := r.kv.Put(ctx, "charger:"+keys.Join(rec.SiteID, rec.ID), b); err != nil {
			return n, err
		}
		n++
		progress := fmt.Sprintf(`{"rows":%d,"last":%q}`, n, rec.ID)
		if err := r.kv.Put(ctx, "import:progress", []byte(progress)); err != nil { // EXPECT kvhotkey
			return n, err
		}
	}
}

// RecomputeSites rebuilds the status summary of each site, one goroutine per site, at most eight at a time.
func (r *Runner) RecomputeSites(ctx context.Context, siteIDs []string, compute func(context.Context, string) ([]byte, error)) error {
	sem := make(chan struct{}, 8)
	var (
		mu   sync.Mutex
		errs = map[string]error{}
		wg   sync.WaitGroup
	)
	for _, id := range siteIDs {
		select {
		case <-ctx.Done():
			wg.Wait()
			return ctx.Err()
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			b, err := compute(ctx, id)
			if err == nil {
				err = r.kv.Put(ctx, "site-status:"+id, b, ports.WithTTL(lifetime.StatusFreshness))
			}
			if err == nil {
				err = r.kv.Put(ctx, "jobs:recompute:heartbeat", []byte(time.Now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey
			}
			mu.Lock()
			errs[id] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	var all []error
	for id, err := range errs {
		if err != nil {
			all = append(all, fmt.Errorf("site %s: %w", id, err))
		}
	}
	return errors.Join(all...)
}

// AddEnergy adds delivered watt-hours to a charger's lifetime total.
func (r *Runner) AddEnergy(ctx context.Context, chargerID string, wh uint64) error {
	key := "energy:total:" + chargerID
	raw, err := r.rest.Get(ctx, "telemetry", key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	total := codec.Uint64(raw)
	return r.rest.Put(ctx, "telemetry", key, codec.PutUint64(total+wh), 0) // EXPECT kvcounter
}

// Report is a usage report.
type Report struct {
	Period    string             `json:"period"`
	Sessions  int                `json:"sessions"`
	EnergyKWh float64            `json:"energy_kwh"`
	BySite    map[string]float64 `json:"by_site"`
}

func (r *Runner) storeReport(ctx context.Context, key string, rep Report, ttl time.Duration) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	gz, err := codec.Gzip(b)
	if errors.Is(err, codec.ErrTooLarge) {
		r.log.Error("report too large to store", "key", key, "raw_bytes", len(b))
		return err
	}
	if err != nil {
		return err
	}
	return r.rest.Put(ctx, "reports", key, gz, ttl)
}

// DailyReport stores today's running report until the end of the day.
func (r *Runner) DailyReport(ctx context.Context, rep Report) error {
	now := time.Now()
	ttl := max(time.Until(lifetime.EndOfDay(now, r.loc)), lifetime.MinKVTTL)
	return r.storeReport(ctx, "report:day:"+now.In(r.loc).Format("2006-01-02"), rep, ttl)
}

// MonthlyReport stores the month-to-date report; it is replaced by the invoice run at the end of the month.
func (r *Runner) MonthlyReport(ctx context.Context, rep Report) error {
	now := time.Now().In(r.loc)
	key := "report:month:" + now.Format("2006-01")
	return r.storeReport(ctx, key, rep, lifetime.EndOfMonth(now, r.loc).Sub(now)) // EXPECT kvttl
}
