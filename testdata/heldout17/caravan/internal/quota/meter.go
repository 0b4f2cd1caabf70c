package quota

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/ledger"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage"
)

// Meter counts API calls per customer: billable calls in the ledger, and a
// daily figure for the customer dashboard.
type Meter struct {
	Store storage.Store
	DB    *ledger.DB
	Plans *Plans
	Clock clock.Clock
	Log   *slog.Logger
}

func usageKey(customer string, day time.Time) string {
	return "usage:" + customer + ":" + keys.Day(day)
}

// Record counts one call by customer and returns the billable total for the
// day.
func (m *Meter) Record(ctx context.Context, customer string) (int64, error) {
	now := m.Clock.Now()
	total, err := m.DB.Incr(ctx, "api:"+customer+":"+keys.Day(now), 1)
	if err != nil {
		return 0, err
	}
	if err := m.bumpDaily(ctx, customer, now); err != nil {
		m.Log.WarnContext(ctx, "daily usage not updated", "customer", customer, "err", err)
	}
	return total, nil
}

func (m *Meter) bumpDaily(ctx context.Context, customer string, now time.Time) error {
	key := usageKey(customer, now)
	n := 0
	raw, err := m.Store.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !storage.IsNotFound(err):
		return err
	}
	n++
	return m.Store.Put(ctx, key, []byte(strconv.Itoa(n)), 35*24*time.Hour) // EXPECT kvcounter
}

// Middleware meters every request carrying an API key and rejects customers
// over their daily allowance.
func (m *Meter) Middleware(customerOf func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		customer := customerOf(r)
		if customer == "" {
			next.ServeHTTP(w, r)
			return
		}
		total, err := m.Record(r.Context(), customer)
		if err != nil {
			http.Error(w, "metering unavailable", http.StatusServiceUnavailable)
			return
		}
		plan, err := m.Plans.Plan(r.Context(), customer)
		if err == nil && plan.DailyAPICalls > 0 && total > plan.DailyAPICalls {
			w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(clock.StartOfDay(m.Clock.Now()).Add(24*time.Hour)).Seconds())))
			http.Error(w, "daily API allowance used", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
