// Package cancels tracks how often each driver cancels accepted trips. Ops
// uses the daily figure to warn drivers; the matcher deprioritises drivers
// above the weekly threshold.
package cancels

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Tracker reads and writes per-driver cancellation figures.
type Tracker struct {
	api   *cloudflare.API
	rc    *cloudflare.ResourceContainer
	ns    string
	keyOf func(driverID string, day time.Time) string
	ttl   time.Duration
}

// NewTracker returns a Tracker over namespace ns.
func NewTracker(api *cloudflare.API, accountID, ns string) *Tracker {
	return &Tracker{
		api: api,
		rc:  cloudflare.AccountIdentifier(accountID),
		ns:  ns,
		keyOf: func(driverID string, day time.Time) string {
			return "cancels:" + driverID + ":" + day.UTC().Format("20060102")
		},
		ttl: 8 * 24 * time.Hour,
	}
}

// Record counts one cancellation by driverID at the given time and returns
// the day's total.
func (t *Tracker) Record(ctx context.Context, driverID string, at time.Time) (int, error) {
	key := t.keyOf(driverID, at)
	n := 0
	raw, err := t.api.GetWorkersKV(ctx, t.rc, cloudflare.GetWorkersKVParams{NamespaceID: t.ns, Key: key}) // EXPECT kvnull
	if err == nil {
		if v, perr := strconv.Atoi(string(raw)); perr == nil {
			n = v
		}
	}
	n++
	_, err = t.api.WriteWorkersKVEntries(ctx, t.rc, cloudflare.WriteWorkersKVEntriesParams{ // EXPECT kvcounter|kvrace
		NamespaceID: t.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         strconv.Itoa(n),
			ExpirationTTL: int(t.ttl.Seconds()),
		}},
	})
	if err != nil {
		return 0, fmt.Errorf("record cancellation: %w", err)
	}
	return n, nil
}

// Count returns the number of cancellations by driverID on day.
func (t *Tracker) Count(ctx context.Context, driverID string, day time.Time) (int, error) {
	raw, err := t.api.GetWorkersKV(ctx, t.rc, cloudflare.GetWorkersKVParams{NamespaceID: t.ns, Key: t.keyOf(driverID, day)})
	if err != nil {
		return 0, fmt.Errorf("cancellations for %s: %w", driverID, err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return 0, nil
	}
	return strconv.Atoi(string(raw))
}

// Week sums the last seven days for driverID. Days with no entry count as
// zero.
func (t *Tracker) Week(ctx context.Context, driverID string, now time.Time) (int, error) {
	total := 0
	for d := range 7 {
		day := now.AddDate(0, 0, -d)
		raw, err := t.api.GetWorkersKV(ctx, t.rc, cloudflare.GetWorkersKVParams{NamespaceID: t.ns, Key: t.keyOf(driverID, day)})
		var nf *cloudflare.NotFoundError
		switch {
		case errors.As(err, &nf):
			continue
		case err != nil:
			return 0, err
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			return 0, fmt.Errorf("day %s: %w", day.Format(time.DateOnly), err)
		}
		total += n
	}
	return total, nil
}

// Tally accumulates cancellations in process and publishes the running
// totals a few seconds after the last change, so a burst of cancellations
// (a driver going offline with several queued trips) costs one write per
// driver.
type Tally struct {
	tr     *Tracker
	log    *slog.Logger
	mu     sync.Mutex
	totals map[string]int
	dirty  map[string]bool
	timer  *time.Timer
	delay  time.Duration
}

// NewTally returns a Tally publishing through tr.
func NewTally(tr *Tracker, log *slog.Logger) *Tally {
	return &Tally{tr: tr, log: log, totals: map[string]int{}, dirty: map[string]bool{}, delay: 5 * time.Second}
}

// Add counts one cancellation by driverID.
func (y *Tally) Add(driverID string) {
	y.mu.Lock()
	defer y.mu.Unlock()
	y.totals[driverID]++
	y.dirty[driverID] = true
	if y.timer == nil {
		y.timer = time.AfterFunc(y.delay, y.flush)
	}
}

func (y *Tally) flush() {
	y.mu.Lock()
	pending := make(map[string]int, len(y.dirty))
	for id := range y.dirty {
		pending[id] = y.totals[id]
	}
	y.dirty = map[string]bool{}
	y.timer = nil
	y.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for id, total := range pending {
		_, err := y.tr.api.WriteWorkersKVEntry(ctx, y.tr.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvcounter
			NamespaceID: y.tr.ns,
			Key:         "cancel-count:" + id,
			Value:       []byte(strconv.Itoa(total)),
		})
		if err != nil {
			y.log.Warn("publish cancellation total", "driver", id, "err", err)
			continue
		}
		_, err = y.tr.api.WriteWorkersKVEntry(ctx, y.tr.rc, cloudflare.WriteWorkersKVEntryParams{ // EXPECT kvhotkey
			NamespaceID: y.tr.ns,
			Key:         "cancels:last-flush",
			Value:       []byte(time.Now().UTC().Format(time.RFC3339)),
		})
		if err != nil {
			y.log.Warn("stamp flush", "err", err)
		}
	}
}
