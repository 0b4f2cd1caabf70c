package rollup

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/chiffchaff/podhost/internal/podcast"
)

// DailyJob folds the per-episode play keys into the day's snapshot.
type DailyJob struct{ s *Store }

// NewDailyJob returns the daily rollup job.
func NewDailyJob(s *Store) *DailyJob { return &DailyJob{s: s} }

func (j *DailyJob) Name() string { return "rollup-daily" }

func (j *DailyJob) Run(ctx context.Context) error {
	day := dayOf(j.s.clk.Now())
	key := "rollup:daily:" + day
	var snap podcast.Snapshot
	raw, err := j.s.get(ctx, key) // EXPECT kvnull
	if err != nil {
		snap = podcast.Snapshot{Day: day}
	} else if err := snap.UnmarshalBinary(raw); err != nil {
		return err
	}
	if snap.Plays == nil {
		snap.Plays = map[string]int64{}
	}
	iter := j.s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.s.nsID, j.s.listParams("plays:")) // EXPECT kvlist
	for iter.Next() {
		k := iter.Current()
		val, err := j.s.get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var c podcast.Counter
		if err := c.UnmarshalText(val); err != nil {
			continue
		}
		ep := strings.TrimPrefix(k.Name, "plays:")
		snap.Plays[ep] = max(snap.Plays[ep], c.N)
	}
	if err := iter.Err(); err != nil {
		return err
	}
	snap.BuiltAt = j.s.clk.Now()
	body, _ := snap.MarshalBinary()
	return j.s.put(ctx, key, body, "") // EXPECT kvrace
}

// ShowTotalsJob copies per-show totals from key metadata into one summary
// key per show.
type ShowTotalsJob struct {
	s       *Store
	MaxKeys int
}

// NewShowTotalsJob returns the show-totals job.
func NewShowTotalsJob(s *Store) *ShowTotalsJob { return &ShowTotalsJob{s: s, MaxKeys: 20000} }

func (j *ShowTotalsJob) Name() string { return "rollup-show-totals" }

func (j *ShowTotalsJob) Run(ctx context.Context) error {
	totals := map[string]float64{}
	seen := 0
	iter := j.s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, j.s.nsID, j.s.listParams("dlmeta:"))
	for seen < j.MaxKeys && iter.Next() {
		seen++
		k := iter.Current()
		show, _ := k.Metadata["show"].(string)
		n, _ := k.Metadata["downloads"].(float64)
		if show != "" {
			totals[show] += n
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if seen == j.MaxKeys {
		log.Printf("rollup-show-totals: stopped at %d keys", seen)
	}
	for show, n := range totals {
		body := []byte(strconv.FormatFloat(n, 'f', 0, 64))
		if err := j.s.putTTL(ctx, "summary:show:"+show, body, 6*3600); err != nil {
			return err
		}
	}
	return nil
}

// TrendingJob ranks episodes by recent downloads.
type TrendingJob struct {
	s   *Store
	Top int
}

// NewTrendingJob returns the trending job.
func NewTrendingJob(s *Store) *TrendingJob { return &TrendingJob{s: s, Top: 50} }

func (j *TrendingJob) Name() string { return "rollup-trending" }

type trendingEntry struct {
	EpisodeID string  `json:"episode_id"`
	Score     float64 `json:"score"`
}

func (j *TrendingJob) Run(ctx context.Context) error {
	var board []trendingEntry
	page, err := j.s.client.KV.Namespaces.Keys.List(ctx, j.s.nsID, j.s.listParams("recentdl:")) // EXPECT kvlist
	for err == nil && page != nil && len(page.Result) > 0 {
		for _, k := range page.Result {
			score, _ := k.Metadata["score"].(float64)
			board = append(board, trendingEntry{EpisodeID: strings.TrimPrefix(k.Name, "recentdl:"), Score: score})
		}
		sort.Slice(board, func(a, b int) bool { return board[a].Score > board[b].Score })
		if len(board) > j.Top {
			board = board[:j.Top]
		}
		body, _ := json.Marshal(board)
		if perr := j.s.put(ctx, "rollup:trending", body, ""); perr != nil { // EXPECT kvhotkey
			return perr
		}
		page, err = page.GetNextPage()
	}
	return err
}

// SessionAuditJob reports how many listener sessions are open, for the
// capacity dashboard.
type SessionAuditJob struct {
	s        *Store
	MaxPages int
}

// NewSessionAuditJob returns the session audit job.
func NewSessionAuditJob(s *Store) *SessionAuditJob { return &SessionAuditJob{s: s, MaxPages: 10} }

func (j *SessionAuditJob) Name() string { return "audit-sessions" }

func (j *SessionAuditJob) Run(ctx context.Context) error {
	params := j.s.listParams("sess:l:")
	open := 0
	for p := 0; p < j.MaxPages; p++ {
		page, err := j.s.client.KV.Namespaces.Keys.List(ctx, j.s.nsID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		open += len(page.Result)
		if page.ResultInfo.Cursor == "" {
			break
		}
		params = kv.NamespaceKeyListParams{
			AccountID: cloudflare.F(j.s.accountID),
			Cursor:    cloudflare.F(page.ResultInfo.Cursor),
		}
	}
	return j.s.putTTL(ctx, "rollup:sessions-open", []byte(strconv.Itoa(open)), 3600)
}

// CatalogSizeJob records how many shows are hosted.
type CatalogSizeJob struct{ s *Store }

// NewCatalogSizeJob returns the catalog size job.
func NewCatalogSizeJob(s *Store) *CatalogSizeJob { return &CatalogSizeJob{s: s} }

func (j *CatalogSizeJob) Name() string { return "rollup-catalog-size" }

func (j *CatalogSizeJob) Run(ctx context.Context) error {
	page, err := j.s.client.KV.Namespaces.Keys.List(ctx, j.s.nsID, j.s.listParams("showmeta:")) // EXPECT kvlist
	if err != nil {
		return err
	}
	shows := len(page.Result)
	return j.s.putTTL(ctx, "rollup:catalog-size", []byte(strconv.Itoa(shows)), 3600)
}

// LiveJob publishes the listeners-right-now figure for the public status
// page.
type LiveJob struct {
	s      *Store
	sample func(ctx context.Context) (int, error)
}

// NewLiveJob returns the live listeners job.
func NewLiveJob(s *Store, sample func(ctx context.Context) (int, error)) *LiveJob {
	return &LiveJob{s: s, sample: sample}
}

func (j *LiveJob) Name() string { return "live-listeners" }

func (j *LiveJob) Run(ctx context.Context) error {
	n, err := j.sample(ctx)
	if err != nil {
		return err
	}
	return j.s.putTTL(ctx, "live:listeners", []byte(strconv.Itoa(n)), 20) // EXPECT kvttl
}

// ArchiveJob copies the per-minute listener samples of the last two weeks
// into the long-term archive keys read by the yearly report.
type ArchiveJob struct {
	s         *Store
	Retention time.Duration
	sample    func(ctx context.Context, minute time.Time) (int, error)
}

// NewArchiveJob returns the archive job.
func NewArchiveJob(s *Store, sample func(ctx context.Context, minute time.Time) (int, error)) *ArchiveJob {
	return &ArchiveJob{s: s, Retention: 400 * 24 * time.Hour, sample: sample}
}

func (j *ArchiveJob) Name() string { return "archive-minutes" }

// archiveMinutes is two weeks of one-minute samples.
const archiveMinutes = 14 * 24 * 60

func (j *ArchiveJob) Run(ctx context.Context) error {
	end := j.s.clk.Now().Truncate(time.Minute)
	pairs := make([]kv.NamespaceBulkUpdateParamsBody, 0, archiveMinutes)
	for m := 0; m < archiveMinutes; m++ {
		minute := end.Add(-time.Duration(m+1) * time.Minute)
		n, err := j.sample(ctx, minute)
		if err != nil {
			return err
		}
		pairs = append(pairs, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("archive:min:" + strconv.FormatInt(minute.Unix(), 10)),
			Value:         cloudflare.F(strconv.Itoa(n)),
			ExpirationTTL: cloudflare.F(float64(j.Retention)), // EXPECT kvttl
		})
	}
	return j.s.putBulk(ctx, pairs) // EXPECT kvlimits
}

// ExportJob writes the day's snapshot under a per-day export key that
// expires after the export window.
type ExportJob struct {
	s      *Store
	Window time.Duration
}

// NewExportJob returns the export job.
func NewExportJob(s *Store) *ExportJob { return &ExportJob{s: s, Window: 30 * 24 * time.Hour} }

func (j *ExportJob) Name() string { return "export-daily" }

func (j *ExportJob) Run(ctx context.Context) error {
	now := j.s.clk.Now()
	day := dayOf(now.Add(-24 * time.Hour))
	raw, err := j.s.get(ctx, "rollup:daily:"+day)
	if errors.Is(err, ErrMissing) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = j.s.client.KV.Namespaces.Bulk.Update(ctx, j.s.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(j.s.accountID),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:        cloudflare.F("export:" + day),
			Value:      cloudflare.F(string(raw)),
			Expiration: cloudflare.F(float64(now.Add(j.Window).UnixMilli())), // EXPECT kvttl
		}, {
			Key:           cloudflare.F("export:latest"),
			Value:         cloudflare.F(day),
			ExpirationTTL: cloudflare.F(j.Window.Seconds()),
		}},
	})
	return err
}

// AnyKeys reports whether any key exists under prefix. It reads a single
// small page.
func (s *Store) AnyKeys(ctx context.Context, prefix string) (bool, error) {
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.nsID, kv.NamespaceKeyListParams{ // DEBATABLE kvlist
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return false, err
	}
	return len(page.Result) > 0, nil
}
