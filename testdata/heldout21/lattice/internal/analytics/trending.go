package analytics

import (
	"context"
	"encoding/json"
	"log"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/lattice/internal/conf"
)

// debouncer runs fn at most once per quiet period after the last Poke.
type debouncer struct {
	mu    sync.Mutex
	wait  time.Duration
	timer *time.Timer
	fn    func()
}

func newDebouncer(wait time.Duration, fn func()) *debouncer {
	return &debouncer{wait: wait, fn: fn}
}

// Poke (re)arms the timer.
func (d *debouncer) Poke() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer == nil {
		d.timer = time.AfterFunc(d.wait, d.fn)
		return
	}
	d.timer.Reset(d.wait)
}

// Stop disarms the timer.
func (d *debouncer) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.timer != nil {
		d.timer.Stop()
	}
}

// Trend is one entry of the trending list.
type Trend struct {
	Episode conf.EpisodeID `json:"episode"`
	Hits    int64          `json:"hits"`
}

func (r *Recorder) snapshotTrending() []Trend {
	var out []Trend
	r.pending.Range(func(k, v any) bool {
		if n := v.(interface{ Load() int64 }).Load(); n > 0 {
			out = append(out, Trend{Episode: k.(conf.EpisodeID), Hits: n})
		}
		return true
	})
	return out
}

// publishTrending writes this instance's trending list once activity settles.
func (r *Recorder) publishTrending() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, err := json.Marshal(r.snapshotTrending())
	if err != nil {
		return
	}
	_, err = r.t.Client.KV.Namespaces.Values.Update(ctx, r.t.NamespaceID, "dl:trending", kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.t.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(600.0),
	})
	if err != nil {
		log.Printf("analytics: trending: %v", err)
	}
}
