package ratewin

import (
	"context"
	"errors"
	"strconv"
	"time"

	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

// usageRetention keeps daily tallies long enough for monthly invoicing.
const usageRetention = 35 * 24 * time.Hour

type incr struct {
	apiKey string
	n      int
}

type flushReq struct {
	ctx   context.Context
	reply chan error
}

// Usage tallies billable calls per API key and day. One goroutine owns the
// tallies; callers talk to it over channels.
type Usage struct {
	st      store.Store
	incs    chan incr
	flushes chan flushReq
	done    chan struct{}
	day     func() string

	tally map[string]int // owned by run
}

// NewUsage starts the owning goroutine. Call Close to stop it.
func NewUsage(st store.Store) *Usage {
	return newUsage(st, func() string { return time.Now().UTC().Format("2006-01-02") })
}

func newUsage(st store.Store, day func() string) *Usage {
	u := &Usage{
		st:      st,
		incs:    make(chan incr),
		flushes: make(chan flushReq),
		done:    make(chan struct{}),
		day:     day,
		tally:   map[string]int{},
	}
	go u.run()
	return u
}

func (u *Usage) run() {
	for {
		select {
		case in := <-u.incs:
			u.tally[in.apiKey] += in.n
		case f := <-u.flushes:
			f.reply <- u.flush(f.ctx)
		case <-u.done:
			return
		}
	}
}

// Record counts one call.
func (u *Usage) Record(apiKey string) { u.incs <- incr{apiKey: apiKey, n: 1} }

// Flush adds the in-memory tallies to the stored daily totals.
func (u *Usage) Flush(ctx context.Context) error {
	r := make(chan error, 1)
	select {
	case u.flushes <- flushReq{ctx: ctx, reply: r}:
		return <-r
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the owning goroutine; unflushed tallies are dropped.
func (u *Usage) Close() { close(u.done) }

func (u *Usage) flush(ctx context.Context) error {
	day := u.day()
	var errs []error
	for apiKey, n := range u.tally {
		k := keys.Join("usage", apiKey, day)
		total := 0
		raw, err := u.st.Get(ctx, k) // EXPECT kvnull
		if err == nil {
			total, _ = strconv.Atoi(raw)
		}
		if err := u.st.Put(ctx, k, strconv.Itoa(total+n), usageRetention); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
			continue
		}
		delete(u.tally, apiKey)
	}
	return errors.Join(errs...)
}
