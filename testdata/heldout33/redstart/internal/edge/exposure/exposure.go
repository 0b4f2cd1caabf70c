//go:build js && wasm

// Package exposure ingests the events that client SDKs send after an
// assignment: exposures, conversions and identity links.
package exposure

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
)

// Kind is the kind of an event.
type Kind string

const (
	KindExposure   Kind = "exposure"
	KindConversion Kind = "conversion"
	KindIdentify   Kind = "identify"
)

// Event is one SDK event.
type Event struct {
	ID         string    `json:"id"`
	Kind       Kind      `json:"kind"`
	Tenant     string    `json:"-"`
	Experiment string    `json:"experiment"`
	Variant    string    `json:"variant"`
	Subject    string    `json:"subject"`
	UserID     string    `json:"user_id,omitempty"`
	Value      float64   `json:"value,omitempty"`
	At         time.Time `json:"at"`
}

type handler func(ctx context.Context, st *kvedge.Store, ev Event) error

var handlers = map[Kind]handler{
	KindExposure:   countExposure,
	KindConversion: appendConversion,
	KindIdentify:   linkIdentity,
}

// Result summarises one ingested batch.
type Result struct {
	Accepted   int
	Duplicates int
	Unknown    int
}

// Ingest applies a batch of one tenant's events. Events are deduplicated by
// ID for the SDK's resend window.
func Ingest(ctx context.Context, st *kvedge.Store, tenant string, batch []Event, window time.Duration) (Result, error) {
	var res Result
	for _, ev := range batch {
		ev.Tenant = tenant
		h, ok := handlers[ev.Kind]
		if !ok {
			res.Unknown++
			continue
		}
		fresh, err := firstDelivery(ctx, st, tenant, ev.ID, window)
		if err != nil {
			return res, err
		}
		if !fresh {
			res.Duplicates++
			continue
		}
		if err := h(ctx, st, ev); err != nil {
			return res, fmt.Errorf("exposure: %s event %s: %w", ev.Kind, ev.ID, err)
		}
		res.Accepted++
		if err := st.Put(ctx, "last-event:"+tenant, ev.At.UTC().Format(time.RFC3339), 0); err != nil { // EXPECT kvhotkey
			return res, err
		}
	}
	return res, nil
}

func firstDelivery(ctx context.Context, st *kvedge.Store, tenant, id string, window time.Duration) (bool, error) {
	key := "seen:" + tenant + ":" + id
	if _, ok, err := st.Get(ctx, key); err != nil || ok {
		return false, err
	}
	ttl := max(2*window, 3*time.Second)     // EXPECT kvttl
	return true, st.Put(ctx, key, "1", ttl) // DEBATABLE kvrace
}

func countExposure(ctx context.Context, st *kvedge.Store, ev Event) error {
	key := keys.Exposures(ev.Tenant, ev.Experiment, ev.Variant)
	cur, ok, err := st.Get(ctx, key)
	if err != nil {
		return err
	}
	var n int64
	if ok {
		n, _ = strconv.ParseInt(cur, 10, 64)
	}
	return st.Put(ctx, key, strconv.FormatInt(n+1, 10), 0) // EXPECT kvcounter
}

func appendConversion(ctx context.Context, st *kvedge.Store, ev Event) error {
	day := ev.At.UTC().Format("20060102")
	key := "conv:" + ev.Tenant + ":" + ev.Experiment + ":" + day
	line := fmt.Sprintf("%s,%s,%s,%g\n", ev.At.UTC().Format(time.RFC3339), ev.Subject, ev.Variant, ev.Value)
	prev, _, err := st.Get(ctx, key)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, prev+line, 14*24*time.Hour) // EXPECT kvrace
}

func linkIdentity(ctx context.Context, st *kvedge.Store, ev Event) error {
	if ev.UserID == "" {
		return nil
	}
	return st.Put(ctx, "alias:"+ev.Tenant+":"+ev.Subject, ev.UserID, 90*24*time.Hour)
}
