// Package tracking serves the open pixel and the click redirector.
package tracking

import (
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/pressroom/internal/config"
	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/kvx"
	"example.com/pressroom/internal/repo"
	"example.com/pressroom/internal/store"
)

var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

// LinkStats aggregates clicks per campaign.
type LinkStats struct {
	Campaign string         `json:"campaign"`
	Clicks   int            `json:"clicks"`
	PerLink  map[string]int `json:"per_link"`
}

func (s LinkStats) Key() string { return s.Campaign }

// Tracker handles /o.gif and /c.
type Tracker struct {
	ns    *kv.Namespace
	stats *repo.Repo[LinkStats]
	cfg   config.Tracking
	log   *slog.Logger
}

// New returns a Tracker. ns holds links and open tallies; st holds LinkStats.
func New(ns *kv.Namespace, st store.Store, cfg config.Tracking, log *slog.Logger) *Tracker {
	return &Tracker{ns: ns, stats: repo.New[LinkStats](st, keys.Stats+"links:"), cfg: cfg, log: log}
}

// Open serves the tracking pixel and tallies the open.
func (t *Tracker) Open(w http.ResponseWriter, r *http.Request) {
	if cid := r.URL.Query().Get("c"); cid != "" {
		key := "opens:" + cid
		raw, err := t.ns.GetString(key, nil)
		if err == nil {
			n := 0
			if raw != kvx.Null {
				n, _ = strconv.Atoi(raw)
			}
			if err := t.ns.PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter
				t.log.Warn("open tally", "campaign", cid, "err", err)
			}
		}
		_ = t.ns.PutString(keys.Stats+"last-open", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pixel)
}

// Click redirects to the link target and records the click.
func (t *Tracker) Click(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	cid, link, reader := q.Get("c"), q.Get("l"), q.Get("r")
	target, err := t.ns.GetString("link:"+link, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "link lookup failed", http.StatusBadGateway)
		return
	}
	if target == kvx.Null {
		http.NotFound(w, r)
		return
	}

	if err := t.countClick(r, cid, link); err != nil {
		t.log.Warn("link stats", "campaign", cid, "err", err)
	}

	if reader != "" {
		// Remembered for the "continue where you left off" banner on the archive.
		opts := &kv.PutOptions{ExpirationTTL: int(t.cfg.ClickMemory.Seconds())}
		_ = t.ns.PutString("last-click:"+reader, target, opts)
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (t *Tracker) countClick(r *http.Request, cid, link string) error {
	ctx := r.Context()
	st, err := t.stats.Get(ctx, cid)
	switch {
	case errors.Is(err, store.ErrNotFound):
		st = LinkStats{Campaign: cid, PerLink: map[string]int{}}
	case err != nil:
		return err
	}
	if st.PerLink == nil {
		st.PerLink = map[string]int{}
	}
	st.Clicks++
	st.PerLink[link]++
	return t.stats.Save(ctx, st) // EXPECT kvcounter
}
