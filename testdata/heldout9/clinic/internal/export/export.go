// Package export produces the admin export of all bookings (CSV for the
// finance team, JSON snapshots for the data warehouse).
package export

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"golang.org/x/sync/errgroup"

	"example.com/clinic/internal/config"
	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
)

// ErrBudget is returned when a snapshot hits its page budget; the caller
// resumes from the returned cursor on the next run.
var ErrBudget = errors.New("export: page budget exhausted")

type Exporter struct {
	store kvstore.Store
	ns    cfkv.Namespace
	cfg   config.ExportConfig
}

func New(store kvstore.Store, ns cfkv.Namespace, cfg config.ExportConfig) *Exporter {
	return &Exporter{store: store, ns: ns, cfg: cfg}
}

// AllBookingKeys is used by the reconciliation job.
func (e *Exporter) AllBookingKeys(ctx context.Context) ([]string, error) {
	var names []string
	cursor := ""
	for {
		page, err := e.store.List(ctx, keys.BookingPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return names, nil
}

const csvBatch = 250

// WriteCSV streams every booking as a CSV row.
func (e *Exporter) WriteCSV(ctx context.Context, w io.Writer) error {
	out := csv.NewWriter(w)
	defer out.Flush()
	if err := out.Write([]string{"key", "booking"}); err != nil {
		return err
	}
	iter := e.ns.API.KV.Namespaces.Keys.ListAutoPaging(ctx, e.ns.ID, kv.NamespaceKeyListParams{AccountID: cloudflare.F(e.ns.AccountID), Prefix: cloudflare.F(keys.BookingPrefix)}) // EXPECT kvlist
	batch := make([]string, 0, csvBatch)
	rows := 0
	flush := func() error {
		vals, err := e.fetch(ctx, batch)
		if err != nil {
			return err
		}
		for _, k := range batch {
			if err := out.Write([]string{k, vals[k]}); err != nil {
				return err
			}
		}
		rows += len(batch)
		batch = batch[:0]
		return nil
	}
	for iter.Next() {
		batch = append(batch, iter.Current().Name)
		if len(batch) == csvBatch {
			if err := flush(); err != nil {
				return err
			}
			_, _ = e.ns.API.KV.Namespaces.Values.Update(ctx, e.ns.ID, "export:progress", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(e.ns.AccountID), Value: cloudflare.F(cfkv.Text(strconv.Itoa(rows)))}) // EXPECT kvhotkey
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

func (e *Exporter) fetch(ctx context.Context, names []string) (map[string]string, error) {
	res, err := e.ns.API.KV.Namespaces.BulkGet(ctx, e.ns.ID, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(e.ns.AccountID),
		Keys:      cloudflare.F(names),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, fmt.Errorf("export: bulk get: %w", err)
	}
	return textValues(res), nil
}

func textValues(res *kv.NamespaceBulkGetResponse) map[string]string {
	out := map[string]string{}
	if r, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult); ok {
		for k, v := range r.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[k] = string(s)
			}
		}
	}
	return out
}

// Snapshot collects up to the configured page budget of bookings and
// fetches their values 100 at a time, a few batches in parallel.
func (e *Exporter) Snapshot(ctx context.Context, cursor string) (map[string]string, string, error) {
	var names []string
	for pages := 0; ; pages++ {
		if pages == e.cfg.MaxPages {
			return nil, cursor, ErrBudget
		}
		page, err := e.store.List(ctx, keys.BookingPrefix, cursor, e.cfg.PageSize)
		if err != nil {
			return nil, cursor, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		cursor = page.Cursor
		if page.Complete {
			break
		}
	}
	var (
		mu  sync.Mutex
		all = make(map[string]string, len(names))
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.cfg.Concurrency)
	for chunk := range slices.Chunk(names, 100) {
		g.Go(func() error {
			res, err := e.ns.API.KV.Namespaces.BulkGet(gctx, e.ns.ID, kv.NamespaceBulkGetParams{
				AccountID: cloudflare.F(e.ns.AccountID),
				Keys:      cloudflare.F(chunk),
			})
			if err != nil {
				return err
			}
			vals := textValues(res)
			mu.Lock()
			defer mu.Unlock()
			for k, v := range vals {
				all[k] = v
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, cursor, err
	}
	return all, "", nil
}

// Recent returns the first page of bookings for the admin list view,
// with the cursor for the next page.
func (e *Exporter) Recent(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(e.ns.AccountID),
		Prefix:    cloudflare.F(keys.BookingPrefix),
		Limit:     cloudflare.F(2000.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := e.ns.API.KV.Namespaces.Keys.List(ctx, e.ns.ID, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names)))
	return names, res.ResultInfo.Cursor, nil
}

// Schedule is the per-clinic export schedule chosen in the admin UI.
type Schedule struct {
	ClinicID string `json:"clinic_id"`
	Cron     string `json:"cron"`
	Format   string `json:"format"`
}

// ScheduleFor returns the clinic's schedule, creating the default weekly
// CSV schedule the first time a clinic opens the export page.
func (e *Exporter) ScheduleFor(ctx context.Context, clinicID string) (Schedule, error) {
	key := "export:schedule:" + clinicID
	res, err := e.ns.API.KV.Namespaces.Values.Get(ctx, e.ns.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(e.ns.AccountID)}) // EXPECT kvnull
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		def := Schedule{ClinicID: clinicID, Cron: "0 6 * * MON", Format: "csv"}
		b, _ := json.Marshal(def)
		_, err = e.ns.API.KV.Namespaces.Values.Update(ctx, e.ns.ID, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(e.ns.AccountID), Value: cloudflare.F(cfkv.Text(string(b)))})
		return def, err
	}
	if err != nil {
		return Schedule{}, err
	}
	defer res.Body.Close()
	var s Schedule
	err = json.NewDecoder(res.Body).Decode(&s)
	return s, err
}

// Summary is written once at the end of each nightly export.
type Summary struct {
	Date     string    `json:"date"`
	Bookings int       `json:"bookings"`
	Finished time.Time `json:"finished"`
}

func (e *Exporter) WriteSummary(ctx context.Context, total int) error {
	s := Summary{Date: time.Now().UTC().Format("2006-01-02"), Bookings: total, Finished: time.Now().UTC()}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return e.store.Put(ctx, "export:summary:"+s.Date, b, kvstore.WithTTL(90*24*time.Hour))
}
