// Package dashboard serves the operator dashboards: live site overview, connector matrix, active sessions and usage.
package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/wren/backend/cfkv"
	"example.com/wren/backend/ports"
)

const (
	maxParallelSites  = 8
	connectorsPerSite = 10
	hoursPerDay       = 24
)

// SiteStatus is the per-site summary the worker publishes.
type SiteStatus struct {
	SiteID    string    `json:"site_id"`
	Available int       `json:"available"`
	Charging  int       `json:"charging"`
	Faulted   int       `json:"faulted"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Dashboard reads operator views.
type Dashboard struct {
	kv        ports.KV
	bulk      *cfkv.Client
	api       *kv.NamespaceService
	accountID string
	log       *slog.Logger
	views     *Views
}

// New wires a Dashboard.
func New(store ports.KV, bulk *cfkv.Client, api *kv.NamespaceService, accountID string, log *slog.Logger) *Dashboard {
	return &Dashboard{kv: store, bulk: bulk, api: api, accountID: accountID, log: log, views: NewViews(store)}
}

// Overview loads the status of each site concurrently.
func (d *Dashboard) Overview(ctx context.Context, siteIDs []string) (map[string]SiteStatus, error) {
	var (
		mu   sync.Mutex
		out  = make(map[string]SiteStatus, len(siteIDs))
		errs []error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, maxParallelSites)
	)
loop:
	for _, id := range siteIDs {
		select {
		case <-ctx.Done():
			break loop
		case sem <- struct{}{}:
		}
		wg.Add(1)
		go func(id string) {
			defer func() { <-sem; wg.Done() }()
			raw, err := d.kv.Get(ctx, "site-status:"+id)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, ports.ErrNotFound):
				out[id] = SiteStatus{SiteID: id}
			case err != nil:
				errs = append(errs, fmt.Errorf("site %s: %w", id, err))
			default:
				var st SiteStatus
				if err := json.Unmarshal(raw, &st); err != nil {
					errs = append(errs, fmt.Errorf("site %s: %w", id, err))
					return
				}
				out[id] = st
			}
		}(id)
	}
	wg.Wait()
	return out, errors.Join(append(errs, ctx.Err())...)
}

// ConnectorStates returns the raw status of each connector key.
func (d *Dashboard) ConnectorStates(ctx context.Context, chargerIDs []string) (map[string]string, error) {
	keys := make([]string, 0, len(chargerIDs)*2)
	for _, id := range chargerIDs {
		keys = append(keys, "status:"+id+":1", "status:"+id+":2")
	}
	return d.bulk.BulkGet(ctx, keys)
}

// SlotMatrix returns the reservation matrix of a site for one day: one entry per connector and hour.
func (d *Dashboard) SlotMatrix(ctx context.Context, namespace, siteID string, day time.Time) (map[string]string, error) {
	keys := make([]string, 0, connectorsPerSite*hoursPerDay)
	for c := 1; c <= connectorsPerSite; c++ {
		for h := 0; h < hoursPerDay; h++ {
			keys = append(keys, fmt.Sprintf("slot:%s:%d:%s", siteID, c, day.Add(time.Duration(h)*time.Hour).Format("2006010215")))
		}
	}
	res, err := d.api.BulkGet(ctx, namespace, kv.NamespaceBulkGetParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(d.accountID),
		Keys:      cloudflare.F(keys),
		Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(keys))
	cfkv.Collect(out, res)
	return out, nil
}

// ActiveSession is a live charging session as listed from key metadata.
type ActiveSession struct {
	ID        string `json:"id"`
	ChargerID string `json:"charger_id"`
}

// ActiveSessions lists every active charging session of the operator.
func (d *Dashboard) ActiveSessions(ctx context.Context, namespace string) ([]ActiveSession, error) {
	iter := d.api.Keys.ListAutoPaging(ctx, namespace, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(d.accountID),
		Prefix:    cloudflare.F("charging:"),
	})
	var out []ActiveSession
	for iter.Next() {
		k := iter.Current()
		s := ActiveSession{ID: strings.TrimPrefix(k.Name, "charging:")}
		if md, ok := k.Metadata.(map[string]any); ok {
			s.ChargerID, _ = md["charger"].(string)
		}
		out = append(out, s)
	}
	return out, iter.Err()
}

// RecentSessions returns up to limit sessions, for the landing widget.
func (d *Dashboard) RecentSessions(ctx context.Context, namespace string, limit int) ([]string, error) {
	iter := d.api.Keys.ListAutoPaging(ctx, namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(d.accountID),
		Prefix:    cloudflare.F("charging:"),
		Limit:     cloudflare.F(float64(min(max(limit, 10), 1000))),
	})
	var out []string
	for iter.Next() {
		out = append(out, strings.TrimPrefix(iter.Current().Name, "charging:"))
		if len(out) >= limit {
			break
		}
	}
	return out, iter.Err()
}

// Views counts dashboard page views per operator in memory and persists the totals periodically.
type Views struct {
	mu     sync.Mutex
	kv     ports.KV
	totals map[string]int64
	dirty  map[string]bool
}

// NewViews returns a Views persisting to store.
func NewViews(store ports.KV) *Views {
	return &Views{kv: store, totals: map[string]int64{}, dirty: map[string]bool{}}
}

// Record counts one view of operator's dashboard.
func (v *Views) Record(operator string) {
	v.mu.Lock()
	v.totals[operator]++
	v.dirty[operator] = true
	v.mu.Unlock()
}

// Flush writes the totals that changed since the last flush.
func (v *Views) Flush(ctx context.Context) error {
	v.mu.Lock()
	pending := make(map[string]int64, len(v.dirty))
	for op := range v.dirty {
		pending[op] = v.totals[op]
	}
	clear(v.dirty)
	v.mu.Unlock()
	var errs []error
	for op, n := range pending {
		errs = append(errs, v.kv.Put(ctx, "views:dashboard:"+op, []byte(strconv.FormatInt(n, 10)))) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}

// Routes registers the dashboard endpoints.
func (d *Dashboard) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /ops/{operator}/overview", d.handleOverview())
	mux.HandleFunc("POST /ops/{operator}/refresh", d.handleRefresh())
}

func (d *Dashboard) handleOverview() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		op := r.PathValue("operator")
		d.views.Record(op)
		sites := strings.Split(r.URL.Query().Get("sites"), ",")
		ctx, cancel := context.WithTimeout(ports.WithTenant(r.Context(), op), 5*time.Second)
		defer cancel()
		out, err := d.Overview(ctx, sites)
		if err != nil {
			d.log.Warn("overview partial", "operator", op, "err", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}
}

func (d *Dashboard) handleRefresh() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := ports.WithTenant(r.Context(), r.PathValue("operator"))
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		if err := d.kv.Put(ctx, "dashboard:last-refresh", stamp); err != nil { // EXPECT kvhotkey
			http.Error(w, "refresh failed", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// Flush persists the view counters.
func (d *Dashboard) Flush(ctx context.Context) error { return d.views.Flush(ctx) }
