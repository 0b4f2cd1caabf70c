// Package analytics counts podcast and talk-recording downloads. Hits are
// counted in memory, the authoritative per-day numbers go to D1, and KV
// holds the published totals and trending lists the public site reads.
package analytics

import (
	"context"
	"fmt"
	"io"
	"log"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
	"example.com/lattice/internal/platform/cfkv"
	"example.com/lattice/internal/platform/d1"
)

// Recorder aggregates download hits.
type Recorder struct {
	t        cfkv.Target
	db       *d1.DB
	pending  sync.Map // conf.EpisodeID -> *atomic.Int64
	total    atomic.Int64
	trending *debouncer
}

// NewRecorder wires a Recorder.
func NewRecorder(t cfkv.Target, db *d1.DB) *Recorder {
	r := &Recorder{t: t, db: db}
	r.trending = newDebouncer(30*time.Second, r.publishTrending)
	return r
}

func totalKey(ep conf.EpisodeID) string { return "dl:total:" + string(ep) }

func (r *Recorder) counter(ep conf.EpisodeID) *atomic.Int64 {
	v, _ := r.pending.LoadOrStore(ep, new(atomic.Int64))
	return v.(*atomic.Int64)
}

// Hit records one download. It never blocks on storage.
func (r *Recorder) Hit(ep conf.EpisodeID) {
	r.counter(ep).Add(1)
	r.total.Add(1)
	r.trending.Poke()
}

// Run publishes pending counts every interval until ctx ends.
func (r *Recorder) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			r.trending.Stop()
			return
		case <-t.C:
			if err := r.Publish(ctx); err != nil {
				log.Printf("analytics: publish: %v", err)
			}
		}
	}
}

// Publish moves in-memory counts into D1 and into the KV totals shown on
// episode pages.
func (r *Recorder) Publish(ctx context.Context) error {
	var firstErr error
	r.pending.Range(func(k, v any) bool {
		ep, c := k.(conf.EpisodeID), v.(*atomic.Int64)
		delta := c.Swap(0)
		if delta == 0 {
			return true
		}
		day := time.Now().UTC().Format("2006-01-02")
		if _, err := r.db.Increment(ctx, "downloads_daily", string(ep)+"/"+day, delta); err != nil {
			c.Add(delta)
			firstErr = err
			return false
		}
		if err := r.addToTotal(ctx, ep, delta); err != nil {
			firstErr = err
			return false
		}
		return true
	})
	return firstErr
}

func (r *Recorder) addToTotal(ctx context.Context, ep conf.EpisodeID, delta int64) error {
	var current int64
	res, err := r.t.Client.KV.Namespaces.Values.Get(ctx, r.t.NamespaceID, totalKey(ep), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.t.AccountID),
	})
	switch {
	case cfkv.IsNotFound(err):
	case err != nil:
		return err
	default:
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return err
		}
		if current, err = strconv.ParseInt(string(body), 10, 64); err != nil {
			return fmt.Errorf("total for %s: %w", ep, err)
		}
	}
	_, err = r.t.Client.KV.Namespaces.Values.Update(ctx, r.t.NamespaceID, totalKey(ep), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(r.t.AccountID),
		Value:     cloudflare.F(strconv.FormatInt(current+delta, 10)),
	})
	return err
}

// PublishSnapshot writes the authoritative total of one conference's
// recordings, read from D1, for the public stats page. Called once per
// cron tick.
func (r *Recorder) PublishSnapshot(ctx context.Context, c conf.ConferenceID, episodes []conf.EpisodeID) error {
	var sum int64
	for _, ep := range episodes {
		n, err := r.db.Counter(ctx, "downloads_total", string(ep))
		if err != nil {
			return err
		}
		sum += n
	}
	_, err := r.t.Client.KV.Namespaces.Values.Update(ctx, r.t.NamespaceID, "dl:snapshot:"+string(c), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.t.AccountID),
		Value:         cloudflare.F(strconv.FormatInt(sum, 10)),
		ExpirationTTL: cloudflare.F(float64(2 * time.Hour / time.Second)),
		Metadata:      cloudflare.F[any](map[string]any{"at": time.Now().Unix()}),
	})
	return err
}
