// Package exports produces the daily ride export delivered to city
// regulators: every ride that ended on a UTC day, in parts of 5,000 rows.
package exports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// Row is one ride in the export.
type Row struct {
	ID       string    `json:"id"`
	City     string    `json:"city"`
	Vehicle  string    `json:"vehicle"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	Meters   int       `json:"meters"`
	EndDock  string    `json:"end_dock,omitempty"`
	EndPoint [2]float64
}

// Sink receives export parts, typically an R2 bucket the regulator reads.
type Sink interface {
	WritePart(ctx context.Context, day time.Time, part int, rows []Row) error
}

// Exporter builds daily exports from the ride records in KV.
type Exporter struct {
	store     kvstore.BulkStore
	keys      *kv.NamespaceKeyService
	values    *kv.NamespaceValueService
	account   string
	namespace string
	sink      Sink
	log       *slog.Logger
	clock     clock.Clock
	maxPages  int
	partRows  int
	retention time.Duration
}

// Option configures an Exporter.
type Option func(*Exporter)

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(e *Exporter) { e.log = l } }

// NewExporter wires an exporter.
func NewExporter(store kvstore.BulkStore, client *cloudflare.Client, account, namespace string, sink Sink, opts ...Option) *Exporter {
	e := &Exporter{
		store:     store,
		keys:      client.KV.Namespaces.Keys,
		values:    client.KV.Namespaces.Values,
		account:   account,
		namespace: namespace,
		sink:      sink,
		log:       slog.Default(),
		clock:     clock.System{},
		maxPages:  200,
		partRows:  5000,
		retention: 30 * 24 * time.Hour,
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

type progress struct {
	Day   string `json:"day"`
	Pages int    `json:"pages"`
	Rows  int    `json:"rows"`
}

// Run exports day. It reads at most maxPages pages of keys and returns an
// error when the day is larger than that, so that operators notice.
func (e *Exporter) Run(ctx context.Context, day time.Time) error {
	day = clock.UTCDay(day)
	prefix := keys.RidePrefix(day)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
	var (
		rows []Row
		part int
		done bool
		prog = progress{Day: day.Format(time.DateOnly)}
	)
	for page := 0; page < e.maxPages && !done; page++ {
		res, err := e.keys.List(ctx, e.namespace, params)
		if err != nil {
			return err
		}
		names := make([]string, 0, len(res.Result))
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		values, err := e.store.BulkGet(ctx, names)
		if err != nil {
			return err
		}
		for _, raw := range values {
			var r Row
			if json.Unmarshal([]byte(raw), &r) == nil {
				rows = append(rows, r)
			}
		}
		for len(rows) >= e.partRows {
			if err := e.sink.WritePart(ctx, day, part, rows[:e.partRows]); err != nil {
				return err
			}
			rows, part = rows[e.partRows:], part+1
		}
		prog.Pages++
		prog.Rows += len(values)
		b, _ := json.Marshal(prog)
		if _, err := e.values.Update(ctx, e.namespace, "exports:progress", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(e.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b))}); err != nil { // EXPECT kvhotkey
			e.log.Warn("progress update failed", "err", err)
		}
		if res.ResultInfo.Cursor == "" {
			done = true
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	if !done {
		return fmt.Errorf("export %s: more than %d pages of rides", prog.Day, e.maxPages)
	}
	if len(rows) > 0 {
		if err := e.sink.WritePart(ctx, day, part, rows); err != nil {
			return err
		}
		part++
	}
	return e.markReady(ctx, day, part)
}

// markReady publishes the manifest the regulator's poller looks for.
func (e *Exporter) markReady(ctx context.Context, day time.Time, parts int) error {
	b, err := json.Marshal(map[string]any{"day": day.Format(time.DateOnly), "parts": parts})
	if err != nil {
		return err
	}
	expires := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, time.UTC).Add(e.retention)
	_, err = e.values.Update(ctx, e.namespace, "exports:manifest:"+day.Format(time.DateOnly), kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(e.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)), Expiration: cloudflare.F(float64(expires.Unix()))})
	if err != nil {
		return err
	}
	_, err = e.values.Update(ctx, e.namespace, "exports:ready", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(e.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(day.Format(time.DateOnly))), ExpirationTTL: cloudflare.F(30.0)}) // EXPECT kvttl
	return err
}
