// Package reports builds the weekly per-show reports from the daily rollups
// the edge writes, and keeps creator upload quotas.
package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/podloft/fennel/internal/codec"
	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/kvadmin"
)

const (
	latestReport = "report:latest"
	seedChunk    = 20_000
	reportTTL    = 180 * 24 * time.Hour
)

// DayStats mirrors the edge's stats.DayStats, which is gob-encoded.
type DayStats struct {
	Day       string
	Downloads int64
	ByEpisode map[keys.EpisodeID]int64
}

// Summary is one show's weekly report.
type Summary struct {
	Show      keys.ShowID              `json:"show"`
	Week      string                   `json:"week"`
	Downloads int64                    `json:"downloads"`
	Top       []keys.EpisodeID         `json:"top"`
	ByDay     map[string]int64         `json:"by_day"`
	ByEpisode map[keys.EpisodeID]int64 `json:"-"`
}

// Builder builds reports.
type Builder struct {
	st  *kvadmin.Store
	log *slog.Logger
}

// NewBuilder returns a report builder over the edge namespace.
func NewBuilder(st *kvadmin.Store, log *slog.Logger) *Builder { return &Builder{st: st, log: log} }

// Weekly builds the report for the week starting at monday for each show.
func (b *Builder) Weekly(ctx context.Context, shows []keys.ShowID, monday time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	week := monday.Format(time.DateOnly)
	var (
		mu        sync.Mutex
		summaries = make(map[keys.ShowID]*Summary, len(shows))
	)
	errc := make(chan error, len(shows))
	sem := make(chan struct{}, 8)
	for _, show := range shows {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := b.summarize(ctx, show, monday)
			if err == nil {
				mu.Lock()
				summaries[show] = s
				mu.Unlock()
			}
			errc <- err
		}()
	}
	var failed int
	for range shows {
		if err := <-errc; err != nil {
			failed++
			b.log.Warn("weekly summary", "err", err)
		}
	}

	tx := b.st.Begin()
	ordered := make([]*Summary, 0, len(summaries))
	for _, s := range summaries {
		s.Week = week
		doc, _ := json.Marshal(s)
		tx.Put(keys.Reports.Under(s.Show)+week, doc, reportTTL)
		tx.Put(keys.ShowTotals.Under(s.Show)+"week", []byte(codec.Int(s.Downloads)), 0) // DEBATABLE kvcounter
		ordered = append(ordered, s)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].Downloads > ordered[j].Downloads })
	for _, s := range ordered {
		if err := b.st.Put(ctx, latestReport, []byte(string(s.Show)+"/"+week), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("reports: %d of %d shows failed", failed, len(shows))
	}
	return nil
}

// summarize reads the seven daily rollups of one show. Day keys are
// computed, not listed, so a missing day is simply skipped.
func (b *Builder) summarize(ctx context.Context, show keys.ShowID, monday time.Time) (*Summary, error) {
	s := &Summary{Show: show, ByDay: map[string]int64{}, ByEpisode: map[keys.EpisodeID]int64{}}
	for d := 0; d < 7; d++ {
		day := monday.AddDate(0, 0, d).Format(time.DateOnly)
		raw, err := b.st.Get(ctx, keys.DayKey{Show: show, Day: day}.String())
		if kvadmin.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var ds DayStats
		if err := codec.Ungob(string(raw), &ds); err != nil {
			return nil, fmt.Errorf("reports: %s %s: %w", show, day, err)
		}
		s.Downloads += ds.Downloads
		s.ByDay[day] = ds.Downloads
		for ep, n := range ds.ByEpisode {
			s.ByEpisode[ep] += n
		}
	}
	for ep := range s.ByEpisode {
		s.Top = append(s.Top, ep)
	}
	sort.Slice(s.Top, func(i, j int) bool { return s.ByEpisode[s.Top[i]] > s.ByEpisode[s.Top[j]] })
	if len(s.Top) > 5 {
		s.Top = s.Top[:5]
	}
	return s, nil
}

// ShowMeta is the public metadata of a show, edited in the dashboard.
type ShowMeta struct {
	Title    string   `json:"title"`
	Author   string   `json:"author"`
	Category string   `json:"category"`
	Badges   []string `json:"badges"`
	Explicit bool     `json:"explicit"`
}

func metaKey(show keys.ShowID) string { return "showmeta:" + string(show) }

// MarkTrending adds the trending badge to each show, in parallel.
func (b *Builder) MarkTrending(ctx context.Context, shows []keys.ShowID) error {
	errc := make(chan error, len(shows))
	for _, show := range shows {
		go func(show keys.ShowID) {
			raw, err := b.st.Get(ctx, metaKey(show))
			if err != nil {
				errc <- err
				return
			}
			var m ShowMeta
			if err := json.Unmarshal(raw, &m); err != nil {
				errc <- err
				return
			}
			for _, have := range m.Badges {
				if have == "trending" {
					errc <- nil
					return
				}
			}
			m.Badges = append(m.Badges, "trending")
			out, _ := json.Marshal(m)
			errc <- b.st.Put(ctx, metaKey(show), out, 0) // EXPECT kvrace
		}(show)
	}
	var firstErr error
	for range shows {
		if err := <-errc; err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// UpdateShowMeta applies the dashboard's edits to a show's metadata.
func (b *Builder) UpdateShowMeta(ctx context.Context, show keys.ShowID, title, category string, explicit bool) error {
	raw, err := b.st.Get(ctx, metaKey(show)) // EXPECT kvnull
	if err != nil {
		raw = []byte("{}")
	}
	var m ShowMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	if title != "" {
		m.Title = title
	}
	if category != "" {
		m.Category = category
	}
	m.Explicit = explicit
	out, _ := json.Marshal(m)
	return b.st.Put(ctx, metaKey(show), out, 0) // EXPECT kvrace
}

// SeedLegacyStats imports per-day totals exported from the old platform.
func (b *Builder) SeedLegacyStats(ctx context.Context, rows map[keys.DayKey]DayStats) error {
	all := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(rows))
	for k, ds := range rows {
		all = append(all, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(k.String()),
			Value: cloudflare.F(codec.Must(codec.Gob(ds))),
		})
	}
	for start := 0; start < len(all); start += seedChunk {
		chunk := all[start:min(start+seedChunk, len(all))]
		if _, err := b.st.Client().KV.Namespaces.BulkUpdate(ctx, b.st.ID(), kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(b.st.Account()), Body: chunk}); err != nil { // EXPECT kvlimits
			return err
		}
	}
	return nil
}

// Quotas tracks how many bytes each creator has uploaded this month.
type Quotas struct {
	st    *kvadmin.Store
	limit int64

	mu   sync.Mutex
	used map[keys.CreatorID]int64
}

// NewQuotas returns a quota tracker.
func NewQuotas(st *kvadmin.Store, limit int64) *Quotas {
	return &Quotas{st: st, limit: limit, used: map[keys.CreatorID]int64{}}
}

// Load reads a creator's usage into memory.
func (q *Quotas) Load(ctx context.Context, c keys.CreatorID) (int64, error) {
	raw, err := q.st.Get(ctx, keys.Quotas.With(string(c)))
	if err != nil {
		return 0, err
	}
	var n int64
	if len(raw) == 0 { // EXPECT kvnull
		n = 0
	} else if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
		return 0, err
	}
	q.mu.Lock()
	q.used[c] = n
	q.mu.Unlock()
	return n, nil
}

// Charge records an upload and refuses it when it would exceed the quota.
func (q *Quotas) Charge(ctx context.Context, c keys.CreatorID, size int64) error {
	q.mu.Lock()
	next := q.used[c] + size
	if next > q.limit {
		q.mu.Unlock()
		return fmt.Errorf("reports: upload quota exceeded for %s", c)
	}
	q.used[c] = next
	q.mu.Unlock()
	return q.st.Put(ctx, keys.Quotas.With(string(c)), strconv.AppendInt(nil, next, 10), 0) // EXPECT kvcounter
}

// ResetMonth zeroes the usage of the given creators at the start of a
// billing month.
func (q *Quotas) ResetMonth(ctx context.Context, creators []keys.CreatorID) error {
	tx := q.st.Begin()
	q.mu.Lock()
	for _, c := range creators {
		q.used[c] = 0
		tx.Put(keys.Quotas.With(string(c)), []byte("0"), 0) // EXPECT kvcounter
	}
	q.mu.Unlock()
	return tx.Commit(ctx)
}
