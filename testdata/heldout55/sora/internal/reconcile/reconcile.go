// Package reconcile walks stored shipment records, compares them with the
// carrier system of record and repairs what has drifted.
package reconcile

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"sora/internal/config"
	"sora/internal/kvstore"
	"sora/internal/tracking"
)

// Store is the namespace the reconciler works on.
type Store = kvstore.Namespace

// Reconciler repairs shipment records.
type Reconciler struct {
	NS *Store
	DB *sql.DB
}

// Report summarises one run.
type Report struct {
	Scanned  int               `json:"scanned"`
	Repaired int               `json:"repaired"`
	Failed   map[string]string `json:"failed,omitempty"`
	Started  time.Time         `json:"started"`
	Took     string            `json:"took"`
}

type shipmentMeta struct {
	Status string `json:"s"`
	ETA    int64  `json:"eta"`
}

// truth returns the authoritative status for a shipment number.
func (r *Reconciler) truth(ctx context.Context, number string) (string, error) {
	var status string
	err := r.DB.QueryRowContext(ctx, `SELECT status FROM shipments WHERE number = $1`, number).Scan(&status)
	return status, err
}

// FullScan reads every shipment record and fixes any whose status disagrees
// with the database. It runs from the nightly job.
func (r *Reconciler) FullScan(ctx context.Context) (Report, error) {
	rep := Report{Started: time.Now(), Failed: map[string]string{}}
	params := cf.ListWorkersKVsParams{NamespaceID: r.NS.ID, Prefix: r.NS.Key("shipment:"), Limit: 1000}
	for {
		resp, err := r.NS.ListWorkersKVKeys(ctx, r.NS.Account, params) // EXPECT kvlist
		if err != nil {
			return rep, err
		}
		for _, k := range resp.Result {
			raw, err := r.NS.GetWorkersKV(ctx, r.NS.Account, cf.GetWorkersKVParams{NamespaceID: r.NS.ID, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				rep.Failed[k.Name] = err.Error()
				continue
			}
			rep.Scanned++
			var s tracking.Shipment
			if err := json.Unmarshal(raw, &s); err != nil {
				rep.Failed[k.Name] = err.Error()
				continue
			}
			switch err := r.repair(ctx, k.Name, s); {
			case errors.Is(err, errNoChange):
			case err != nil:
				rep.Failed[k.Name] = err.Error()
			default:
				rep.Repaired++
			}
			progress, _ := json.Marshal(map[string]any{"last_key": k.Name, "scanned": rep.Scanned})
			if err := r.NS.Put(ctx, "reconcile:progress", progress, 0); err != nil { // EXPECT kvhotkey
				log.Printf("progress: %v", err)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	rep.Took = time.Since(rep.Started).String()
	return rep, nil
}

func (r *Reconciler) repair(ctx context.Context, key string, s tracking.Shipment) error {
	want, err := r.truth(ctx, s.Number)
	if err != nil {
		return err
	}
	if want == s.Status {
		return errNoChange
	}
	s.Status = want
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = r.NS.WriteWorkersKVEntry(ctx, r.NS.Account, cf.WriteWorkersKVEntryParams{NamespaceID: r.NS.ID, Key: key, Value: b})
	return err
}

var errNoChange = errors.New("no change")

// QuickScan uses the status kept in each key's metadata and only touches
// records whose status disagrees with the database. It stops after the
// configured number of pages and returns the cursor to resume from.
func (r *Reconciler) QuickScan(ctx context.Context, cursor string) (next string, failed map[string]error, err error) {
	cfg := config.Load()
	failed = make(map[string]error)
	params := cf.ListWorkersKVsParams{
		NamespaceID: r.NS.ID,
		Prefix:      r.NS.Key("page:"),
		Limit:       cfg.ReconcilePageSize,
		Cursor:      cursor,
	}
	var fixes []*kvstore.Pair
	for range cfg.ReconcileMaxPages {
		resp, err := r.NS.ListWorkersKVKeys(ctx, r.NS.Account, params)
		if err != nil {
			return params.Cursor, failed, err
		}
		for _, k := range resp.Result {
			var m shipmentMeta
			if b, err := json.Marshal(k.Metadata); err == nil {
				_ = json.Unmarshal(b, &m)
			}
			number := k.Name[len(params.Prefix):]
			want, err := r.truth(ctx, number)
			if err != nil {
				failed[number] = err
				continue
			}
			if want != m.Status {
				fixes = append(fixes, &kvstore.Pair{Key: "dirty:" + number, Value: want, ExpirationTTL: 3600})
			}
		}
		if resp.Cursor == "" {
			params.Cursor = ""
			break
		}
		params.Cursor = resp.Cursor
	}
	if err := r.NS.PutMany(ctx, fixes); err != nil {
		return params.Cursor, failed, err
	}
	return params.Cursor, failed, nil
}

// sweepPageSize is how many keys one sweep request asks for.
const sweepPageSize = 5000

// SweepPreviews removes preview pages left behind by the dashboard.
func (r *Reconciler) SweepPreviews(ctx context.Context) (int, error) {
	params := cf.ListWorkersKVsParams{
		NamespaceID: r.NS.ID,
		Prefix:      r.NS.Key("preview:"),
		Limit:       sweepPageSize, // EXPECT kvlimits
	}
	removed := 0
	for page := 0; page < 20; page++ {
		resp, err := r.NS.ListWorkersKVKeys(ctx, r.NS.Account, params) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(resp.Result) == 0 {
			break
		}
		names := make([]string, 0, len(resp.Result))
		for _, k := range resp.Result {
			names = append(names, k.Name)
		}
		if _, err := r.NS.DeleteWorkersKVEntries(ctx, r.NS.Account, cf.DeleteWorkersKVEntriesParams{NamespaceID: r.NS.ID, Keys: names}); err != nil {
			return removed, err
		}
		removed += len(names)
		params.Cursor = resp.Cursor
	}
	return removed, nil
}

// FindOrphans returns status-cache keys whose shipment no longer exists in
// the database, up to max keys.
func (r *Reconciler) FindOrphans(ctx context.Context, max int) ([]string, error) {
	var orphans []string
	resp, err := r.NS.ListWorkersKVKeys(ctx, r.NS.Account, cf.ListWorkersKVsParams{NamespaceID: r.NS.ID, Prefix: r.NS.Key("status:")})
	for err == nil && len(orphans) < max {
		for _, k := range resp.Result {
			number := k.Name[len(r.NS.Key("status:")):]
			if _, terr := r.truth(ctx, number); errors.Is(terr, sql.ErrNoRows) {
				orphans = append(orphans, k.Name)
			}
		}
		if resp.Cursor == "" {
			return orphans, nil
		}
		resp, err = r.NS.ListWorkersKVKeys(ctx, r.NS.Account, cf.ListWorkersKVsParams{NamespaceID: r.NS.ID, Cursor: resp.Cursor}) // EXPECT kvlist
	}
	return orphans, err
}

// RepairOne rewrites a single shipment record from the database.
func (r *Reconciler) RepairOne(ctx context.Context, number string) error {
	key := r.NS.Key(tracking.Scheme().ShipmentKey("", number))
	var s tracking.Shipment
	raw, err := r.NS.GetWorkersKV(ctx, r.NS.Account, cf.GetWorkersKVParams{NamespaceID: r.NS.ID, Key: key}) // EXPECT kvnull
	if err != nil {
		s = tracking.Shipment{Number: number}
	} else if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	status, err := r.truth(ctx, number)
	if err != nil {
		return err
	}
	s.Status = status
	b, _ := json.Marshal(s)
	_, err = r.NS.WriteWorkersKVEntry(ctx, r.NS.Account, cf.WriteWorkersKVEntryParams{NamespaceID: r.NS.ID, Key: key, Value: b})
	return err
}

// RepairBatch repairs the given shipments and reports each failure.
func (r *Reconciler) RepairBatch(ctx context.Context, numbers []string) error {
	var errs []error
	for _, n := range numbers {
		if err := r.RepairOne(ctx, n); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", n, err))
		}
	}
	return errors.Join(errs...)
}

// RunNightly runs a full scan and records it in the run history.
func (r *Reconciler) RunNightly(ctx context.Context) (err error) {
	var history []Report
	if raw, gerr := r.NS.Get(ctx, "reconcile:history"); gerr == nil {
		_ = json.Unmarshal(raw, &history)
	} else if !errors.Is(gerr, kvstore.ErrNotFound) {
		return gerr
	}
	var rep Report
	defer func() {
		history = append(history, rep)
		if len(history) > 30 {
			history = history[len(history)-30:]
		}
		b, _ := json.Marshal(history)
		if perr := r.NS.Put(ctx, "reconcile:history", b, 0); perr != nil { // EXPECT kvrace
			log.Printf("history: %v", perr)
		}
	}()
	rep, err = r.FullScan(ctx)
	return err
}

// MarkRun records the time of the last run. Called once per cron tick.
func (r *Reconciler) MarkRun(ctx context.Context) error {
	return r.NS.Put(ctx, "reconcile:last-run", []byte(strconv.FormatInt(time.Now().Unix(), 10)), 0)
}
