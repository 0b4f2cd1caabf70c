// Package tallies records per-issue opens, clicks and PDF downloads.
package tallies

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"
	"sync"
	"time"

	"example.com/quill/internal/keys"
	"example.com/quill/internal/ledger"
	"example.com/quill/internal/storage"
)

// Summary is the dashboard view of an issue.
type Summary struct {
	Opens     int64     `json:"opens"`
	Clicks    int64     `json:"clicks"`
	Downloads int64     `json:"downloads"`
	Computed  time.Time `json:"computed"`
}

// summaryTTL is how stale the dashboard may be.
const summaryTTL = 5 * time.Minute

// Tallies records engagement.
type Tallies struct {
	router *storage.Router
	ledger ledger.Ledger
}

func New(router *storage.Router, l ledger.Ledger) *Tallies {
	return &Tallies{router: router, ledger: l}
}

func clickTotal(tenant string, issue int) string {
	return fmt.Sprintf("clicks/%s/%d", tenant, issue)
}

// RecordOpen counts a load of the tracking pixel.
func (t *Tallies) RecordOpen(ctx context.Context, tenant string, issue int) error {
	rw := t.router.For(tenant)
	key := keys.TallyKey{Tenant: tenant, Issue: issue, Metric: "opens"}.String()
	n := 0
	raw, err := rw.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("tallies: %s: %w", key, err)
		}
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return rw.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.PutOptions{}) // EXPECT kvcounter
}

// RecordClick counts a click in the ledger; clicks are billed to sponsors.
func (t *Tallies) RecordClick(ctx context.Context, tenant string, issue int, link string) error {
	_, err := t.ledger.Add(ctx, clickTotal(tenant, issue)+"/"+link, 1)
	if err == nil {
		_, err = t.ledger.Add(ctx, clickTotal(tenant, issue), 1)
	}
	return err
}

// Summary returns an issue's dashboard numbers, at most summaryTTL old.
func (t *Tallies) Summary(ctx context.Context, tenant string, issue int) (Summary, error) {
	rw := t.router.For(tenant)
	key := keys.TallyKey{Tenant: tenant, Issue: issue, Metric: "summary"}.String()
	s, err := storage.GetJSON[Summary](ctx, rw, key)
	if err == nil {
		return s, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return Summary{}, err
	}
	var errs [3]error
	s.Opens, errs[0] = readInt(ctx, rw, keys.TallyKey{Tenant: tenant, Issue: issue, Metric: "opens"}.String())
	s.Downloads, errs[1] = readInt(ctx, rw, keys.TallyKey{Tenant: tenant, Issue: issue, Metric: "downloads"}.String())
	s.Clicks, errs[2] = t.ledger.Total(ctx, clickTotal(tenant, issue))
	if err := errors.Join(errs[:]...); err != nil {
		return Summary{}, err
	}
	s.Computed = time.Now().UTC()
	if err := storage.PutJSON(ctx, rw, key, s, storage.PutOptions{TTL: summaryTTL}); err != nil {
		log.Printf("tallies: cache summary %s: %v", key, err)
	}
	return s, nil
}

// Downloads counts PDF downloads in memory and writes totals periodically.
type Downloads struct {
	mu     sync.Mutex
	rw     storage.ReadWriter
	totals map[string]int64
	dirty  map[string]bool
}

// NewDownloads returns a counter that persists to rw.
func NewDownloads(rw storage.ReadWriter) *Downloads {
	return &Downloads{rw: rw, totals: map[string]int64{}, dirty: map[string]bool{}}
}

// Hit counts one download of an issue.
func (d *Downloads) Hit(ctx context.Context, tenant string, issue int) error {
	key := keys.TallyKey{Tenant: tenant, Issue: issue, Metric: "downloads"}.String()
	d.mu.Lock()
	_, known := d.totals[key]
	d.mu.Unlock()
	if !known {
		base, err := readInt(ctx, d.rw, key)
		if err != nil {
			return err
		}
		d.mu.Lock()
		if _, ok := d.totals[key]; !ok {
			d.totals[key] = base
		}
		d.mu.Unlock()
	}
	d.mu.Lock()
	d.totals[key]++
	d.dirty[key] = true
	d.mu.Unlock()
	return nil
}

// readInt reads a decimal value; a missing key reads as 0.
func readInt(ctx context.Context, r storage.Reader, key string) (int64, error) {
	raw, err := r.Get(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Flush writes every changed total.
func (d *Downloads) Flush(ctx context.Context) error {
	d.mu.Lock()
	pending := make(map[string]int64, len(d.dirty))
	for k := range d.dirty {
		pending[k] = d.totals[k]
	}
	clear(d.dirty)
	d.mu.Unlock()
	var errs []error
	for key, total := range pending {
		val := []byte(strconv.FormatInt(total, 10))
		if err := d.rw.Put(ctx, key, val, storage.PutOptions{}); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
			d.mu.Lock()
			d.dirty[key] = true
			d.mu.Unlock()
		}
	}
	return errors.Join(errs...)
}
