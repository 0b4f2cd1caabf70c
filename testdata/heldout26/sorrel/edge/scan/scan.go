//go:build js && wasm

// Package scan records barcode scans from handhelds and depot sorters and
// moves parcels through their statuses.
package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
	"example.com/sorrel/internal/repo"
)

// historyTTL keeps scan histories for claims handling.
const historyTTL = 90 * 24 * time.Hour

// Batch is an upload of scans a handheld buffered while offline.
type Batch struct {
	DriverID string             `json:"driver_id"`
	Events   []domain.ScanEvent `json:"events"`
}

// Recorder stores scans.
type Recorder struct {
	hot        *kv.Namespace
	store      kvstore.Store
	parcels    *repo.Repo[domain.Parcel]
	ks         keyspace.Space
	auditTTL   time.Duration
	maxHistory int
}

// Option configures a Recorder.
type Option interface{ apply(*Recorder) }

type auditDaysOption int

func (o auditDaysOption) apply(r *Recorder) { r.auditTTL = time.Duration(o) * 24 * time.Hour }

type historyOption int

func (o historyOption) apply(r *Recorder) { r.maxHistory = int(o) }

// AuditDays sets how long individual scan events are kept.
func AuditDays(n int) Option { return auditDaysOption(n) }

// HistoryLength caps the per-parcel history.
func HistoryLength(n int) Option { return historyOption(n) }

// NewRecorder returns a recorder.
func NewRecorder(hot *kv.Namespace, st kvstore.Store, ks keyspace.Space, opts ...Option) *Recorder {
	r := &Recorder{
		hot:        hot,
		store:      st,
		parcels:    repo.New[domain.Parcel](st, ks.Parcel("")),
		ks:         ks,
		auditTTL:   180 * 24 * time.Hour,
		maxHistory: 50,
	}
	for _, o := range opts {
		o.apply(r)
	}
	return r
}

// Record stores one scan and updates the parcel.
func (r *Recorder) Record(ctx context.Context, ev domain.ScanEvent) error {
	if err := ev.Validate(); err != nil {
		return err
	}
	status, _ := ev.Kind.Status()
	raw, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if err := r.store.Put(ctx, r.ks.Event(ev.ID), raw, kvstore.WithTTL(r.auditTTL)); err != nil {
		return fmt.Errorf("scan: audit: %w", err)
	}
	if err := r.appendHistory(ev); err != nil {
		return fmt.Errorf("scan: history: %w", err)
	}

	p, err := r.parcels.Get(ctx, ev.ParcelID)
	switch {
	case kvstore.IsMissing(err):
		p = domain.Parcel{ID: ev.ParcelID, Status: domain.StatusCreated}
	case err != nil:
		return err
	}
	if p.Status.Terminal() && status != domain.StatusReturned {
		return nil
	}
	p.Status = status
	p.UpdatedAt = ev.At
	if ev.DepotID != "" {
		p.DepotID = ev.DepotID
	}
	if err := r.parcels.Put(ctx, ev.ParcelID, p); err != nil { // EXPECT kvrace
		return err
	}
	if ev.DriverID != "" {
		if err := r.store.Put(ctx, r.ks.DriverLast(ev.DriverID), raw, kvstore.WithTTL(12*time.Hour)); err != nil { // DEBATABLE kvhotkey
			return err
		}
	}
	return nil
}

func (r *Recorder) appendHistory(ev domain.ScanEvent) error {
	key := r.ks.History(ev.ParcelID)
	raw, err := r.hot.GetString(key, nil)
	if err != nil {
		return err
	}
	if raw == "" { // EXPECT kvnull
		raw = "[]"
	}
	var hist []domain.ScanEvent
	if err := json.Unmarshal([]byte(raw), &hist); err != nil {
		return err
	}
	hist = append(hist, ev)
	if len(hist) > r.maxHistory {
		hist = hist[len(hist)-r.maxHistory:]
	}
	out, err := json.Marshal(hist)
	if err != nil {
		return err
	}
	return r.hot.PutString(key, string(out), &kv.PutOptions{ExpirationTTL: int(historyTTL.Seconds())}) // EXPECT kvrace
}

// Sync stores a buffered batch. Events are written to the audit log and the
// latest scan per parcel is published for the dispatch screen.
func (r *Recorder) Sync(ctx context.Context, b Batch) (int, error) {
	slices.SortFunc(b.Events, func(x, y domain.ScanEvent) int { return x.At.Compare(y.At) })
	latest := make(map[string]domain.ScanEvent)
	stored := 0
	for _, ev := range b.Events {
		if ev.Validate() != nil {
			continue
		}
		ev.DriverID = b.DriverID
		raw, err := json.Marshal(ev)
		if err != nil {
			return stored, err
		}
		if err := r.store.Put(ctx, r.ks.Event(ev.ID), raw, kvstore.WithTTL(r.auditTTL)); err != nil {
			return stored, err
		}
		if err := r.store.Put(ctx, r.ks.DriverLast(b.DriverID), raw, kvstore.WithTTL(12*time.Hour)); err != nil { // EXPECT kvhotkey
			return stored, err
		}
		latest[ev.ParcelID] = ev
		stored++
	}
	for _, id := range slices.Sorted(maps.Keys(latest)) {
		raw, err := json.Marshal(latest[id])
		if err != nil {
			return stored, err
		}
		if err := r.store.Put(ctx, r.ks.Prefix()+"last-scan:"+id, raw, kvstore.WithTTL(72*time.Hour)); err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// ServeHTTP accepts a single scan on /v1/scan and a buffered batch on
// /v1/scan/sync.
func (r *Recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		httpx.Error(w, http.StatusMethodNotAllowed, "POST only")
		return
	}
	if req.URL.Path == "/v1/scan/sync" {
		var b Batch
		if err := httpx.Decode(req, 512<<10, &b); err != nil {
			httpx.Error(w, http.StatusBadRequest, err.Error())
			return
		}
		n, err := r.Sync(req.Context(), b)
		if err != nil {
			httpx.JSON(w, http.StatusMultiStatus, map[string]any{"stored": n, "error": err.Error()})
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]int{"stored": n})
		return
	}
	var ev domain.ScanEvent
	if err := httpx.Decode(req, 8<<10, &ev); err != nil {
		httpx.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := r.Record(req.Context(), ev); err != nil {
		httpx.Error(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
