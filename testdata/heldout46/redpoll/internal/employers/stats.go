//go:build !js

package employers

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/redpoll-jobs/redpoll/internal/codec"
	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/kvrest"
)

// ViewTally accumulates posting detail views reported by the Worker's
// analytics queue and publishes the totals for the employer dashboard.
type ViewTally struct {
	store *kvrest.Store
	log   *slog.Logger

	mu     sync.Mutex
	totals map[string]int
	dirty  map[string]bool
}

// NewViewTally returns an empty tally.
func NewViewTally(store *kvrest.Store, log *slog.Logger) *ViewTally {
	return &ViewTally{store: store, log: log, totals: map[string]int{}, dirty: map[string]bool{}}
}

// Record adds n views of a posting.
func (v *ViewTally) Record(postingID string, n int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.totals[postingID] += n
	v.dirty[postingID] = true
}

// Run publishes dirty totals every interval until ctx ends.
func (v *ViewTally) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := v.flush(context.WithoutCancel(ctx)); err != nil {
				v.log.Error("final view flush", "err", err)
			}
			return
		case <-t.C:
			if err := v.flush(ctx); err != nil {
				v.log.Warn("view flush", "err", err)
			}
		}
	}
}

func (v *ViewTally) flush(ctx context.Context) error {
	v.mu.Lock()
	pending := make(map[string]int, len(v.dirty))
	for id := range v.dirty {
		pending[id] = v.totals[id]
	}
	clear(v.dirty)
	v.mu.Unlock()

	var errs []error
	for id, total := range pending {
		if err := v.store.Put(ctx, keys.Views(id), []byte(strconv.Itoa(total)), 0); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// defaultDigestQuery is the query used for users who saved no search.
const defaultDigestQuery = "q=&sort=recent&remote=any&salary_min=0&salary_max=0&seniority=junior%2Cmid%2Csenior%2Clead" +
	"&category=engineering%2Cdesign%2Cproduct%2Cdata%2Cmarketing%2Csales%2Csupport%2Coperations%2Cfinance%2Clegal%2Cpeople" +
	"&contract=permanent%2Cfixed-term%2Cfreelance%2Cinternship&language=en%2Cde%2Cfr%2Ces%2Cit%2Cnl%2Cpl%2Cpt%2Csv" +
	"&city=berlin%2Chamburg%2Cmunich%2Ccologne%2Cfrankfurt%2Cvienna%2Czurich%2Camsterdam%2Crotterdam%2Cbrussels" +
	"%2Cparis%2Clyon%2Cmadrid%2Cbarcelona%2Clisbon%2Cmilan%2Crome%2Cwarsaw%2Ckrakow%2Cprague%2Cstockholm%2Ccopenhagen" +
	"&visa=any&relocation=any&posted_within=7d"

// Digests builds the saved-search digest CSVs.
type Digests struct {
	store *kvrest.Store
}

// NewDigests returns a Digests.
func NewDigests(store *kvrest.Store) *Digests { return &Digests{store: store} }

// PublishDefault stores the digest shown to users without saved searches.
func (d *Digests) PublishDefault(ctx context.Context, rows []codec.Row) error {
	out, err := codec.DigestCSV(rows)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, "digest/default/"+defaultDigestQuery, []byte(out), 6*time.Hour) // EXPECT kvlimits
}

// Publish stores one user's digest, computed from their saved searches, and
// keeps it until the next digest run.
func (d *Digests) Publish(ctx context.Context, userID string, rows []codec.Row) error {
	out, err := codec.DigestCSV(rows)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, "digest/"+keys.EmailHash(userID), []byte(out), 7*time.Hour)
}

// Recent returns the cached digest for a user, computing and caching it on a
// miss.
func (d *Digests) Recent(ctx context.Context, userID string, compute func() ([]codec.Row, error)) ([]codec.Row, error) {
	key := "digest/" + keys.EmailHash(userID)
	raw, ok, err := d.store.Lookup(ctx, key)
	if err != nil {
		return nil, err
	}
	if ok {
		return codec.ParseDigestCSV(string(raw))
	}
	rows, err := compute()
	if err != nil {
		return nil, err
	}
	out, err := codec.DigestCSV(rows)
	if err != nil {
		return nil, err
	}
	return rows, d.store.PutCached(ctx, key, []byte(out), 20*time.Second)
}

// Teaser caches the short digest preview shown in the nav bar.
func (d *Digests) Teaser(ctx context.Context, userID string, rows []codec.Row) error {
	if len(rows) > 3 {
		rows = rows[:3]
	}
	out, err := codec.DigestCSV(rows)
	if err != nil {
		return err
	}
	return d.store.Put(ctx, "digest-teaser/"+keys.EmailHash(userID), []byte(out), 45*time.Second) // EXPECT kvttl
}

// AppendHistory adds a line to the user's digest delivery history.
func (d *Digests) AppendHistory(ctx context.Context, userID, line string) error {
	key := "digest-history/" + keys.EmailHash(userID)
	old, _, err := d.store.Lookup(ctx, key)
	if err != nil {
		return err
	}
	next := string(old) + time.Now().UTC().Format(time.RFC3339) + " " + line + "\n"
	return d.store.Put(ctx, key, []byte(next), 90*24*time.Hour) // EXPECT kvrace
}
