// Package snapshots periodically captures each customer's usage totals,
// emits the delta since the previous capture to the invoicing pipeline and
// archives the capture in KV for the usage charts.
package snapshots

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"golang.org/x/sync/errgroup"

	"example.com/billing/internal/config"
	"example.com/billing/internal/keys"
	"example.com/billing/internal/repo"
	"example.com/billing/internal/storage"
)

// Snapshot is one capture of a customer's totals.
type Snapshot struct {
	CustomerID string           `json:"customer_id"`
	Period     string           `json:"period"`
	Totals     map[string]int64 `json:"totals"`
	TakenAt    time.Time        `json:"taken_at"`
}

// Source reads authoritative usage from the billing database.
type Source interface {
	Customers(ctx context.Context) ([]string, error)
	Totals(ctx context.Context, customerID, period string) (map[string]int64, error)
}

// Emitter forwards usage deltas to invoicing.
type Emitter interface {
	EmitDelta(ctx context.Context, customerID string, delta map[string]int64) error
}

// archiveBatch is the bulk endpoint's maximum number of pairs per request.
const archiveBatch = 10_000

// Writer runs the snapshot job.
type Writer struct {
	ns        *kv.NamespaceService
	accountID string
	nsID      string
	store     storage.Store
	latest    *repo.Repo[Snapshot]
	src       Source
	emit      Emitter
	cfg       config.Jobs
	log       *slog.Logger
	now       func() time.Time
}

// Deps groups the Writer's collaborators.
type Deps struct {
	Client    *cloudflare.Client
	AccountID string
	NSID      string
	Store     storage.Store
	Source    Source
	Emitter   Emitter
	Log       *slog.Logger
}

// NewWriter returns a Writer configured from cfg.
func NewWriter(d Deps, cfg config.Jobs) *Writer {
	return &Writer{
		ns:        d.Client.KV.Namespaces,
		accountID: d.AccountID,
		nsID:      d.NSID,
		store:     d.Store,
		latest:    repo.New[Snapshot](d.Store, keys.New(keys.Snapshots, "latest").Prefix()),
		src:       d.Source,
		emit:      d.Emitter,
		cfg:       cfg,
		log:       d.Log,
		now:       time.Now,
	}
}

// Run captures every customer once.
func (w *Writer) Run(ctx context.Context) error {
	customers, err := w.src.Customers(ctx)
	if err != nil {
		return err
	}
	period := w.now().UTC().Format("2006-01")
	results := make(chan Snapshot, w.cfg.Workers)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(w.cfg.Workers)
	go func() {
		for _, id := range customers {
			g.Go(func() error {
				snap, err := w.capture(gctx, id, period)
				if err != nil {
					return fmt.Errorf("snapshot %s: %w", id, err)
				}
				results <- snap
				return nil
			})
		}
		_ = g.Wait()
		close(results)
	}()

	batch := make([]Snapshot, 0, len(customers))
	done := 0
	for snap := range results {
		batch = append(batch, snap)
		done++
		if err := w.store.Put(ctx, keys.SnapshotProgress, fmt.Appendf(nil, "%d/%d", done, len(customers))); err != nil { // EXPECT kvhotkey
			w.log.Warn("snapshot progress", "err", err)
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return w.archive(ctx, batch)
}

func (w *Writer) capture(ctx context.Context, customerID, period string) (Snapshot, error) {
	prev, err := w.latest.Get(ctx, customerID) // EXPECT kvnull
	if err != nil {
		prev = Snapshot{Totals: map[string]int64{}}
	}
	totals, err := w.src.Totals(ctx, customerID, period)
	if err != nil {
		return Snapshot{}, err
	}
	cur := Snapshot{CustomerID: customerID, Period: period, Totals: totals, TakenAt: w.now().UTC()}
	delta := maps.Clone(totals)
	if prev.Period == period {
		for m, v := range prev.Totals {
			delta[m] -= v
		}
	}
	if err := w.emit.EmitDelta(ctx, customerID, delta); err != nil {
		return Snapshot{}, err
	}
	// Expire the pointer if the job stops running, so charts show a gap
	// instead of stale numbers.
	if err := w.latest.PutFor(ctx, customerID, cur, max(2*w.cfg.SnapshotEvery, 30*time.Second)); err != nil { // EXPECT kvttl
		return Snapshot{}, err
	}
	return cur, nil
}

func (w *Writer) archiveBody(snaps []Snapshot) ([]kv.NamespaceBulkUpdateParamsBody, error) {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(snaps))
	for _, s := range snaps {
		raw, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		key := keys.New(keys.Snapshots, s.CustomerID, s.Period, s.TakenAt.Format("20060102T1504")).String()
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(key),
			Value:         cloudflare.F(string(raw)),
			ExpirationTTL: cloudflare.F(float64(w.cfg.Retention)), // EXPECT kvttl
		})
	}
	return body, nil
}

func (w *Writer) archive(ctx context.Context, snaps []Snapshot) error {
	body, err := w.archiveBody(snaps)
	if err != nil {
		return err
	}
	for start := 0; start < len(body); start += archiveBatch {
		end := min(start+archiveBatch, len(body))
		if _, err := w.ns.Bulk.Update(ctx, w.nsID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(w.accountID), Body: body[start:end]}); err != nil {
			return fmt.Errorf("archive %d..%d: %w", start, end, err)
		}
	}
	return nil
}
