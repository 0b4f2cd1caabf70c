// Package projection maintains per-account order totals derived from the
// order events the orders service appends under events/<account>/.
package projection

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
)

// Event is an order event as the orders service records it.
type Event struct {
	Seq     int64         `json:"seq"`
	Account ids.AccountID `json:"account"`
	Order   string        `json:"order"`
	Kind    string        `json:"kind"` // created, paid, cancelled
	Cents   int64         `json:"cents"`
}

// Totals is the projection.
type Totals struct {
	Account   ids.AccountID `json:"account"`
	Orders    int           `json:"orders"`
	Paid      int           `json:"paid"`
	Cancelled int           `json:"cancelled"`
	PaidCents int64         `json:"paidCents"`
	LastSeq   int64         `json:"lastSeq"`
	Updated   time.Time     `json:"updated"`
}

func (t *Totals) apply(ev Event) {
	switch ev.Kind {
	case "created":
		t.Orders++
	case "paid":
		t.Paid++
		t.PaidCents += ev.Cents
	case "cancelled":
		t.Cancelled++
	}
	t.LastSeq = max(t.LastSeq, ev.Seq)
}

// KeySource streams key names under a prefix.
type KeySource interface {
	Keys(ctx context.Context, prefix string) (<-chan string, <-chan error)
}

// Projector reads events and writes totals.
type Projector struct {
	store kvstore.Store
	src   KeySource
	now   func() time.Time
}

func New(store kvstore.Store, src KeySource) *Projector {
	return &Projector{store: store, src: src, now: time.Now}
}

func totalsKey(acct ids.AccountID) string { return "proj/totals/" + acct.String() }

// EventPrefix is where the orders service appends acct's events.
func EventPrefix(acct ids.AccountID) string { return "events/" + acct.String() + "/" }

// Load returns the current totals for acct.
func (p *Projector) Load(ctx context.Context, acct ids.AccountID) (Totals, error) {
	b, err := p.store.Get(ctx, totalsKey(acct))
	if kvstore.IsNotFound(err) {
		return Totals{Account: acct}, nil
	}
	if err != nil {
		return Totals{}, err
	}
	var t Totals
	if err := json.Unmarshal(b, &t); err != nil {
		return Totals{}, fmt.Errorf("projection: %s: %w", acct, err)
	}
	return t, nil
}

func (p *Projector) save(ctx context.Context, t Totals) error {
	t.Updated = p.now()
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return p.store.Put(ctx, totalsKey(t.Account), b, kvstore.PutOptions{})
}

// Apply folds one new event into the stored totals.
func (p *Projector) Apply(ctx context.Context, ev Event) error {
	t, err := p.Load(ctx, ev.Account)
	if err != nil {
		return err
	}
	if ev.Seq <= t.LastSeq {
		return nil
	}
	t.apply(ev)
	return p.save(ctx, t) // EXPECT kvrace
}

// Rebuild recomputes acct's totals from all of its events. Progress is saved
// as it goes so a rebuild cut short by the lease timeout is not wasted.
func (p *Projector) Rebuild(ctx context.Context, acct ids.AccountID) (Totals, error) {
	t := Totals{Account: acct}
	keys, errc := p.src.Keys(ctx, EventPrefix(acct))
events:
	for {
		select {
		case <-ctx.Done():
			return t, ctx.Err()
		case k, ok := <-keys:
			if !ok {
				break events
			}
			if strings.HasSuffix(k, "/tombstone") {
				continue events
			}
			b, err := p.store.Get(ctx, k) // EXPECT kvlist
			if kvstore.IsNotFound(err) {
				continue events
			}
			if err != nil {
				return t, err
			}
			var ev Event
			if err := json.Unmarshal(b, &ev); err != nil {
				continue events
			}
			t.apply(ev)
			if err := p.save(ctx, t); err != nil { // EXPECT kvhotkey
				return t, err
			}
		}
	}
	if err := <-errc; err != nil {
		return t, err
	}
	return t, nil
}
