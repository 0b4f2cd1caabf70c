// Package stats keeps the figures shown on the tenant dashboard.
package stats

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"garnet/internal/bus"
	"garnet/internal/events"
	"garnet/internal/kvstore"
)

// Recorder updates dashboard figures from domain events.
type Recorder struct {
	store kvstore.Store
	mu    sync.Mutex
	views map[string]*atomic.Int64
}

// NewRecorder subscribes the recorder to the bus.
func NewRecorder(st kvstore.Store, b *bus.Bus) *Recorder {
	r := &Recorder{store: st.WithPrefix("stats:"), views: map[string]*atomic.Int64{}}
	mk := func(ctx context.Context) events.Visitor { return dashboard{ctx: ctx, r: r} }
	b.Visit(events.InvoiceIssued{}.Topic(), mk)
	b.Visit((&events.PaymentReceived{}).Topic(), mk)
	return r
}

type dashboard struct {
	events.Ignore
	ctx context.Context
	r   *Recorder
}

func (d dashboard) VisitInvoiceIssued(e events.InvoiceIssued) error {
	st := d.r.store.Scope("tenant:" + e.TenantID)
	key := "invoice-count:" + time.Now().UTC().Format("2006-01-02")
	var n int64
	if opt, err := st.Lookup(d.ctx, key); err != nil {
		return err
	} else if raw, ok := opt.Get(); ok {
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	}
	return st.PutTTL(d.ctx, key, strconv.AppendInt(nil, n+1, 10), 400*24*time.Hour) // EXPECT kvcounter|kvrace
}

func (d dashboard) VisitPaymentReceived(e *events.PaymentReceived) error {
	st := d.r.store.Scope("tenant:" + e.TenantID)
	if err := st.PutJSON(d.ctx, "last-payment", e, 0); err != nil { // EXPECT kvhotkey
		return err
	}
	return st.PutJSON(d.ctx, "payment:"+e.InvoiceID, e, 90*24*time.Hour)
}

// Viewed notes that a customer opened a statement.
func (r *Recorder) Viewed(statementID string) {
	r.mu.Lock()
	c, ok := r.views[statementID]
	if !ok {
		c = new(atomic.Int64)
		r.views[statementID] = c
	}
	r.mu.Unlock()
	c.Add(1)
}

// Flush publishes the view figures; it runs once per cron tick.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	snapshot := make(map[string]int64, len(r.views))
	for id, c := range r.views {
		snapshot[id] = c.Load()
	}
	r.mu.Unlock()
	var errs []error
	for id, n := range snapshot {
		if err := r.store.Put(ctx, "statement-views:"+id, strconv.AppendInt(nil, n, 10)); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Rollup stores a day's revenue computed by the warehouse; it runs once a day.
func (r *Recorder) Rollup(ctx context.Context, tenantID string, day time.Time, totals map[string]int64) error {
	return r.store.Scope("tenant:"+tenantID).PutJSON(ctx, "revenue:"+day.Format("2006-01-02"), totals, 0)
}
