// Package usage meters API calls per customer. Each API instance counts in
// memory and flushes its totals to KV; the worker rolls days up into months
// and the portal shows a summary.
package usage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/labstack/echo/v4"
	"github.com/sourcegraph/conc/iter"
	"github.com/sourcegraph/conc/pool"

	"github.com/lapwing-billing/lapwing/internal/billing"
	"github.com/lapwing-billing/lapwing/internal/config"
	"github.com/lapwing-billing/lapwing/internal/kvstore"
)

const rollupIndexKey = "usage:rollup:index"

func dayKey(customerID string, day time.Time) string {
	return fmt.Sprintf("usage:count:%s:%s", customerID, day.Format("20060102"))
}

func monthPrefix(customerID string, month time.Time) string {
	return fmt.Sprintf("usage:count:%s:%s", customerID, month.Format("200601"))
}

func monthKey(customerID string, month time.Time) string {
	return fmt.Sprintf("usage:month:%s:%s", customerID, month.Format("200601"))
}

// Meter counts calls in memory.
type Meter struct {
	ns  *kvstore.Namespace
	cfg config.Usage
	log *slog.Logger

	mu     sync.Mutex
	day    time.Time
	totals map[string]int64 // today's calls per customer, this instance
}

// NewMeter returns an empty meter.
func NewMeter(ns *kvstore.Namespace, cfg config.Usage, log *slog.Logger) *Meter {
	return &Meter{ns: ns, cfg: cfg, log: log, day: today(), totals: map[string]int64{}}
}

func today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }

// Middleware counts each request against the customer set by
// portal.RequireAPIToken.
func (m *Meter) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if id, _ := c.Get("customer_id").(string); id != "" {
				m.mu.Lock()
				if d := today(); !d.Equal(m.day) {
					m.day, m.totals = d, map[string]int64{}
				}
				m.totals[id]++
				m.mu.Unlock()
			}
			return next(c)
		}
	}
}

// Flush writes this instance's totals.
func (m *Meter) Flush(ctx context.Context) error {
	m.mu.Lock()
	day, totals := m.day, maps.Clone(m.totals)
	m.mu.Unlock()

	p := pool.New().WithErrors().WithMaxGoroutines(16)
	for cust, total := range totals {
		p.Go(func() error {
			if err := m.ns.Put(ctx, dayKey(cust, day), []byte(strconv.FormatInt(total, 10)), m.cfg.DayRetention); err != nil { // EXPECT kvcounter
				return err
			}
			remaining := int64(m.cfg.DailyQuota) - total
			return m.ns.Put(ctx, "quota:remaining-today:"+cust, []byte(strconv.FormatInt(remaining, 10)), 35*24*time.Hour) // EXPECT kvcounter
		})
	}
	return p.Wait()
}

// Loop flushes on the configured interval until ctx ends.
func (m *Meter) Loop(ctx context.Context) {
	t := time.NewTicker(m.cfg.FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = m.Flush(context.WithoutCancel(ctx))
			return
		case <-t.C:
			if err := m.Flush(ctx); err != nil {
				m.log.Warn("usage flush", "err", err)
			}
		}
	}
}

// Rollup sums day counters into month counters.
type Rollup struct {
	NS     *kvstore.Namespace
	Ledger billing.Ledger
	Log    *slog.Logger
}

type monthTotal struct {
	customer string
	total    int64
	err      error
}

// Month rolls up the given month for every customer with usage.
func (r *Rollup) Month(ctx context.Context, month time.Time) error {
	customers, err := r.Ledger.Customers(ctx)
	if err != nil {
		return err
	}
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	totals := iter.Map(customers, func(c *billing.Customer) monthTotal {
		if ok, err := r.NS.HasAny(ctx, monthPrefix(c.ID, first)); err != nil || !ok {
			return monthTotal{customer: c.ID, err: err}
		}
		var sum int64
		for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
			raw, err := r.NS.Get(ctx, dayKey(c.ID, d))
			if errors.Is(err, kvstore.ErrNotFound) {
				continue
			} else if err != nil {
				return monthTotal{customer: c.ID, err: err}
			}
			n, err := strconv.ParseInt(string(raw), 10, 64)
			if err != nil {
				return monthTotal{customer: c.ID, err: err}
			}
			sum += n
		}
		return monthTotal{customer: c.ID, total: sum}
	})

	var index []string
	var errs []error
	for _, t := range totals {
		if t.err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.customer, t.err))
			continue
		}
		if err := r.NS.Put(ctx, monthKey(t.customer, first), []byte(strconv.FormatInt(t.total, 10)), 400*24*time.Hour); err != nil { // DEBATABLE kvcounter
			errs = append(errs, err)
			continue
		}
		index = append(index, t.customer)
		if err := r.NS.PutJSON(ctx, rollupIndexKey, map[string]any{"month": first.Format("2006-01"), "customers": index}, 0); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Summary is what the portal's usage page shows.
type Summary struct {
	Month      string           `json:"month"`
	Total      int64            `json:"total"`
	DailyQuota int              `json:"daily_quota"`
	Days       map[string]int64 `json:"days"`
	Generated  time.Time        `json:"generated"`
}

// Reports builds usage summaries.
type Reports struct {
	NS  *kvstore.Namespace
	Cfg config.Usage
}

// Summary returns this month's usage, cached until the end of the month.
func (r *Reports) Summary(ctx context.Context, customerID string) (Summary, error) {
	now := time.Now().UTC()
	key := "usage:summary:" + customerID + ":" + now.Format("200601")
	var sum Summary
	if err := r.NS.GetJSON(ctx, key, &sum); err == nil && now.Sub(sum.Generated) < time.Hour {
		return sum, nil
	}
	page, err := r.NS.List(ctx, monthPrefix(customerID, now), "", 100)
	if err != nil {
		return sum, err
	}
	if page.Cursor != "" {
		return sum, fmt.Errorf("usage: more than 100 day keys for %s", customerID)
	}
	counts := iter.Map(page.Keys, func(k *kv.Key) int64 {
		raw, err := r.NS.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return 0
		}
		n, _ := strconv.ParseInt(string(raw), 10, 64)
		return n
	})
	sum = Summary{Month: now.Format("2006-01"), DailyQuota: r.Cfg.DailyQuota, Days: map[string]int64{}, Generated: now}
	for i, k := range page.Keys {
		day := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
		sum.Days[day] = counts[i]
		sum.Total += counts[i]
	}
	raw, _ := json.Marshal(sum)
	if err := r.NS.PutUntil(ctx, key, raw, endOfMonth(now)); err != nil { // DEBATABLE kvttl
		return sum, err
	}
	return sum, nil
}

func endOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// Handlers serves the usage API.
type Handlers struct{ Reports *Reports }

// Register mounts the routes on the API group.
func (h Handlers) Register(g *echo.Group) {
	g.GET("/usage", func(c echo.Context) error {
		id, _ := c.Get("customer_id").(string)
		sum, err := h.Reports.Summary(c.Request().Context(), id)
		if err != nil {
			return echo.NewHTTPError(http.StatusServiceUnavailable, "usage is unavailable right now")
		}
		return c.JSON(http.StatusOK, sum)
	})
}
