//go:build js && wasm

// Package analytics counts downloads and listeners at the edge and serves
// the publisher dashboards.
package analytics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"scaup/internal/config"
	"scaup/internal/kvbase"
	"scaup/internal/tenant"
)

// dedupeWindowSeconds collapses the burst of range requests a podcast app
// makes when it starts a download.
const dedupeWindowSeconds = 30

// uniqRetention is how long hourly listener sets are kept.
const uniqRetention = 48 * time.Hour

// ErrRateLimited is returned when a client exceeds the request budget.
var ErrRateLimited = errors.New("rate limited")

// Recorder writes download analytics.
type Recorder struct {
	NS      *cloudflare.KVNamespace
	Cfg     config.Config
	Metrics kvbase.Metrics

	mu      sync.Mutex
	pending map[string]int // episode -> downloads seen by this isolate
	totals  map[string]int // episode -> running total flushed so far
}

// NewRecorder returns a Recorder over the analytics namespace.
func NewRecorder(ns *cloudflare.KVNamespace, cfg config.Config, m kvbase.Metrics) *Recorder {
	return &Recorder{NS: ns, Cfg: cfg, Metrics: m, pending: map[string]int{}, totals: map[string]int{}}
}

func (a *Recorder) observe(op string, start time.Time) {
	if a.Metrics != nil {
		a.Metrics.Observe(op, "analytics", time.Since(start))
	}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

func listenerHash(r *http.Request) string {
	sum := sha256.Sum256([]byte(clientIP(r) + "|" + r.UserAgent()))
	return hex.EncodeToString(sum[:12])
}

// Allow applies the per-IP request budget of the download redirector.
func (a *Recorder) Allow(ctx context.Context, r *http.Request) error {
	defer a.observe("ratelimit", time.Now())
	now := time.Now()
	key := kvbase.Key(tenant.From(ctx), "rl", kvbase.Opaque(clientIP(r)), kvbase.MinuteBucket(now))
	raw, ok, err := kvbase.GetRaw(a.NS, key, 0)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	if n >= a.Cfg.RateLimit {
		return ErrRateLimited
	}
	return a.NS.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: a.Cfg.RateWindowSeconds * 2,
	})
}

// RecordDownload counts one download of an episode for today.
func (a *Recorder) RecordDownload(ctx context.Context, r *http.Request, episodeID string) error {
	now := time.Now()
	net := tenant.From(ctx)
	listener := listenerHash(r)

	dedupeKey := kvbase.Key(net, "dedupe", episodeID, listener)
	if _, seen, err := kvbase.GetRaw(a.NS, dedupeKey, 0); err != nil || seen {
		return err
	}
	err := a.NS.PutString(dedupeKey, "1", &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace
		ExpirationTTL: dedupeWindowSeconds, // EXPECT kvttl
	})
	if err != nil {
		return err
	}

	dayKey := kvbase.Key(net, "dl", episodeID, kvbase.DayBucket(now))
	raw, ok, err := kvbase.GetRaw(a.NS, dayKey, 0)
	if err != nil {
		return err
	}
	count := 0
	if ok {
		if count, err = strconv.Atoi(raw); err != nil {
			return err
		}
	}
	defer a.observe("put", time.Now())
	if err := a.NS.PutString(dayKey, strconv.Itoa(count+1), nil); err != nil { // EXPECT kvcounter|kvrace
		return err
	}

	a.mu.Lock()
	a.pending[episodeID]++
	a.mu.Unlock()
	return a.noteListener(ctx, episodeID, listener, now)
}

// noteListener adds the listener to the episode's set for this hour.
func (a *Recorder) noteListener(ctx context.Context, episodeID, listener string, now time.Time) error {
	key := kvbase.Key(tenant.From(ctx), "uniq", episodeID, kvbase.HourBucket(now))
	var set []string
	raw, ok, err := kvbase.GetRaw(a.NS, key, 0)
	if err != nil {
		return err
	}
	if ok {
		if err := json.Unmarshal([]byte(raw), &set); err != nil {
			return err
		}
	}
	if slices.Contains(set, listener) {
		return nil
	}
	set = append(set, listener)
	b, _ := json.Marshal(set)
	return a.NS.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ // EXPECT kvrace
		ExpirationTTL: int(uniqRetention), // EXPECT kvttl
	})
}

// Flush writes the totals seen by this isolate. It runs on the cron tick.
func (a *Recorder) Flush(ctx context.Context) error {
	a.mu.Lock()
	batch := a.pending
	a.pending = map[string]int{}
	for ep, n := range batch {
		a.totals[ep] += n
	}
	totals := make(map[string]int, len(batch))
	for ep := range batch {
		totals[ep] = a.totals[ep]
	}
	a.mu.Unlock()

	net := tenant.From(ctx)
	var errs []error
	for ep, total := range totals {
		key := kvbase.Key(net, "hits", ep)
		errs = append(errs, a.NS.PutString(key, strconv.Itoa(total), nil)) // EXPECT kvcounter
		stamp := time.Now().UTC().Format(time.RFC3339)
		errs = append(errs, a.NS.PutString(kvbase.Key(net, "hits", "flushed-at"), stamp, nil)) // EXPECT kvhotkey
	}
	return errors.Join(errs...)
}

// DaySummary is one episode's downloads for one day.
type DaySummary struct {
	EpisodeID string `json:"episode_id"`
	Downloads int    `json:"downloads"`
	Err       string `json:"error,omitempty"`
}

// Summaries reads today's downloads for several episodes concurrently,
// giving each read its own deadline.
func (a *Recorder) Summaries(ctx context.Context, episodeIDs []string, day time.Time) []DaySummary {
	net := tenant.From(ctx)
	results := make(chan DaySummary, len(episodeIDs))
	sem := make(chan struct{}, max(a.Cfg.MaxFanOut, 1))
	for _, id := range episodeIDs {
		go func(id string) {
			sem <- struct{}{}
			defer func() { <-sem }()
			ictx, cancel := context.WithTimeout(ctx, a.Cfg.JobTimeout)
			defer cancel()
			done := make(chan DaySummary, 1)
			go func() {
				defer a.observe("get", time.Now())
				raw, ok, err := kvbase.GetRaw(a.NS, kvbase.Key(net, "dl", id, kvbase.DayBucket(day)), 300)
				s := DaySummary{EpisodeID: id}
				switch {
				case err != nil:
					s.Err = err.Error()
				case ok:
					s.Downloads, _ = strconv.Atoi(raw)
				}
				done <- s
			}()
			select {
			case s := <-done:
				results <- s
			case <-ictx.Done():
				results <- DaySummary{EpisodeID: id, Err: ictx.Err().Error()}
			}
		}(id)
	}
	out := make([]DaySummary, 0, len(episodeIDs))
	for range episodeIDs {
		out = append(out, <-results)
	}
	slices.SortFunc(out, func(x, y DaySummary) int { return y.Downloads - x.Downloads })
	return out
}

// Chart is a show's position in the directory charts, written by the
// backend's chart scraper.
type Chart struct {
	Country  string    `json:"country"`
	Position int       `json:"position"`
	Checked  time.Time `json:"checked"`
}

// Charts returns the latest chart positions of a show.
func (a *Recorder) Charts(ctx context.Context, showID string) ([]Chart, error) {
	defer a.observe("get", time.Now())
	raw, err := a.NS.GetString(kvbase.Key(tenant.From(ctx), "charts", showID), &cloudflare.KVNamespaceGetOptions{CacheTTL: 600}) // EXPECT kvnull
	if err != nil {
		return nil, err
	}
	var charts []Chart
	if err := json.Unmarshal([]byte(raw), &charts); err != nil {
		return nil, err
	}
	return charts, nil
}

// Board is the network's trending list.
type Board struct {
	Generated time.Time    `json:"generated"`
	Shows     []DaySummary `json:"shows"`
}

// Trending rebuilds the trending board once per cron tick.
func (a *Recorder) Trending(ctx context.Context, showEpisodes map[string][]string) error {
	now := time.Now().UTC()
	net := tenant.From(ctx)
	board := Board{Generated: now}
	for show, eps := range showEpisodes {
		total := 0
		for _, s := range a.Summaries(ctx, eps, now) {
			total += s.Downloads
		}
		entry := DaySummary{EpisodeID: show, Downloads: total}
		board.Shows = append(board.Shows, entry)
		b, _ := json.Marshal(entry)
		ttl := &cloudflare.KVNamespacePutOptions{ExpirationTTL: a.Cfg.TrendingTTLSeconds}
		if err := a.NS.PutString(kvbase.Key(net, "trending", show), string(b), ttl); err != nil {
			return err
		}
	}
	slices.SortFunc(board.Shows, func(x, y DaySummary) int { return y.Downloads - x.Downloads })
	b, err := json.Marshal(board)
	if err != nil {
		return err
	}
	return a.NS.PutString(kvbase.Key(net, "trending"), string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}
