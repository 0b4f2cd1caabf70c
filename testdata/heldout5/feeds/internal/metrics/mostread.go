package metrics

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/source"
)

// Entry is one row of a most-read list.
type Entry struct {
	ArticleID string `json:"id"`
	Views     int64  `json:"views"`
}

// Builder computes the most-read lists.
type Builder struct {
	metrics kv.Store
	content interface {
		PutMany(ctx context.Context, entries []kv.Entry) error
	}
	db       source.Articles
	top      int
	maxPages int
	ttl      time.Duration
	every    time.Duration
	lastRun  time.Time
	log      *slog.Logger
}

// BuilderOption configures a Builder.
type BuilderOption func(*Builder)

func WithTop(n int) BuilderOption                { return func(b *Builder) { b.top = n } }
func WithListTTL(d time.Duration) BuilderOption  { return func(b *Builder) { b.ttl = d } }
func WithSchedule(d time.Duration) BuilderOption { return func(b *Builder) { b.every = d } }
func WithScanPages(n int) BuilderOption          { return func(b *Builder) { b.maxPages = n } }

// NewBuilder returns a builder reading counters from metrics and publishing
// lists to content.
func NewBuilder(metrics kv.Store, content interface {
	PutMany(ctx context.Context, entries []kv.Entry) error
}, db source.Articles, opts ...BuilderOption) *Builder {
	b := &Builder{metrics: metrics, content: content, db: db, top: 10, maxPages: 20, ttl: 2 * time.Hour, every: 10 * time.Minute, log: slog.Default()}
	for _, o := range opts {
		o(b)
	}
	return b
}

// Build scans the view counters and writes mostread:all.
func (b *Builder) Build(ctx context.Context) error {
	var all []Entry
	cursor := ""
	for range b.maxPages {
		page, err := b.metrics.List(ctx, kv.ListParams{Prefix: "views:", Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			raw, err := b.metrics.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			n, _ := strconv.ParseInt(string(raw), 10, 64)
			all = append(all, Entry{ArticleID: strings.TrimPrefix(k.Name, "views:"), Views: n})
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	slices.SortFunc(all, func(a, c Entry) int { return cmp.Compare(c.Views, a.Views) })
	if len(all) > b.top {
		all = all[:b.top]
	}

	// The list is replaced on the next run; let it lapse shortly after that
	// in case the job stops.
	b.lastRun = time.Now()
	ttl := max(time.Until(b.lastRun.Add(b.every)), 10*time.Second) // EXPECT kvttl
	body, err := json.Marshal(all)
	if err != nil {
		return err
	}
	return b.content.PutMany(ctx, []kv.Entry{{
		Key:           "mostread:all",
		Value:         string(body),
		ExpirationTTL: int64(ttl / time.Second),
	}})
}

// BuildSections writes mostread:<section> from the database, which keeps the
// authoritative daily view counts.
func (b *Builder) BuildSections(ctx context.Context, sections []string) error {
	rows, err := b.db.MostViewed(ctx, time.Now().Add(-24*time.Hour), 200)
	if err != nil {
		return err
	}
	per := map[string][]Entry{}
	for i, a := range rows {
		if len(per[a.Section]) < b.top {
			per[a.Section] = append(per[a.Section], Entry{ArticleID: a.ID, Views: int64(len(rows) - i)})
		}
	}
	entries := make([]kv.Entry, 0, len(sections))
	for _, s := range sections {
		body, err := json.Marshal(per[s])
		if err != nil {
			return err
		}
		entries = append(entries, kv.Entry{
			Key:           "mostread:" + s,
			Value:         string(body),
			ExpirationTTL: int64(b.ttl.Seconds()),
		})
	}
	return b.content.PutMany(ctx, entries)
}
