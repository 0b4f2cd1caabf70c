//go:build js && wasm

// Package stats counts episode downloads at the edge and serves per-show
// numbers to the creator dashboard.
package stats

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/podloft/fennel/internal/codec"
	"github.com/podloft/fennel/internal/keys"
	"github.com/syumai/workers/cloudflare/kv"
)

const (
	eventTTL       = 7 * 24 * time.Hour
	viewFlushDelay = 10 * time.Second
	recentLen      = 20
	lastDownload   = "stats:last-download"
)

// Recorder records downloads. One Recorder lives for the life of the isolate.
type Recorder struct {
	ns *kv.Namespace

	mu    sync.Mutex
	views map[keys.EpisodeID]int64
	timer *time.Timer
}

// NewRecorder returns a Recorder over the stats namespace.
func NewRecorder(ns *kv.Namespace) *Recorder {
	return &Recorder{ns: ns, views: make(map[keys.EpisodeID]int64)}
}

// download is one counted request for an episode enclosure.
type download struct {
	ns      *kv.Namespace
	show    keys.ShowID
	episode keys.EpisodeID
	country string
	at      time.Time
}

func (rec *Recorder) newRequest(r *http.Request) *download {
	return &download{
		ns:      rec.ns,
		show:    keys.ShowID(r.PathValue("show")),
		episode: keys.EpisodeID(r.PathValue("episode")),
		country: r.Header.Get("CF-IPCountry"),
		at:      time.Now().UTC(),
	}
}

// eventKey is unique per download, so concurrent downloads never share a key.
func (d *download) eventKey() string {
	var sfx [6]byte
	_, _ = rand.Read(sfx[:])
	b := []byte(keys.Downloads.Under(d.show))
	b = append(b, d.episode...)
	b = append(b, ':')
	b = codec.Stamp(b, d.at)
	b = append(b, ':')
	b = append(b, hex.EncodeToString(sfx[:])...)
	return string(b)
}

func (d *download) save(ctx context.Context) error {
	if err := d.ns.PutString(d.eventKey(), d.country, &kv.PutOptions{ExpirationTTL: int(eventTTL.Seconds())}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	stamp := string(codec.Stamp(nil, d.at))
	if err := d.ns.PutString(lastDownload, stamp, nil); err != nil { // EXPECT kvhotkey
		return err
	}
	return d.bumpTotal()
}

// bumpTotal keeps the all-time total that the public show page displays.
func (d *download) bumpTotal() error {
	key := keys.ShowTotals.Under(d.show) + "total"
	raw, err := d.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var n int64
	if raw != "<null>" {
		if n, err = strconv.ParseInt(raw, 10, 64); err != nil {
			return err
		}
	}
	return d.ns.PutString(key, codec.Int(n+1), nil) // EXPECT kvcounter|kvrace
}

// ShowTotal returns the all-time download total for the public show page.
func (rec *Recorder) ShowTotal(show keys.ShowID) (int64, error) {
	raw, err := rec.ns.GetString(keys.ShowTotals.Under(show)+"total", &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(raw, 10, 64)
}

// Record handles GET /dl/{show}/{episode}.
func (rec *Recorder) Record(w http.ResponseWriter, r *http.Request) error {
	d := rec.newRequest(r)
	if err := d.save(r.Context()); err != nil {
		return err
	}
	rec.noteView(d.episode)
	if err := rec.pushRecent(d.show, d.episode); err != nil {
		return err
	}
	return nil
}

// noteView counts a view locally and schedules a flush.
func (rec *Recorder) noteView(ep keys.EpisodeID) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.views[ep]++
	if rec.timer == nil {
		rec.timer = time.AfterFunc(viewFlushDelay, rec.flushViews)
	}
}

func (rec *Recorder) flushViews() {
	rec.mu.Lock()
	snapshot := make(map[keys.EpisodeID]int64, len(rec.views))
	for ep, n := range rec.views {
		snapshot[ep] = n
	}
	rec.timer = nil
	rec.mu.Unlock()

	for ep, n := range snapshot {
		_ = rec.ns.PutString(keys.Views.With(string(ep)), strconv.FormatInt(n, 10), nil) // EXPECT kvcounter
	}
}

// pushRecent keeps the "recently played" strip on the show page.
func (rec *Recorder) pushRecent(show keys.ShowID, ep keys.EpisodeID) error {
	key := "recent:" + string(show)
	raw, err := rec.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var recent []keys.EpisodeID
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &recent); err != nil {
			return err
		}
	}
	if len(recent) > 0 && recent[0] == ep {
		return nil
	}
	recent = append([]keys.EpisodeID{ep}, recent...)
	if len(recent) > recentLen {
		recent = recent[:recentLen]
	}
	out, err := json.Marshal(recent)
	if err != nil {
		return err
	}
	return rec.ns.PutString(key, string(out), nil) // EXPECT kvrace
}

// DayStats is the per-day rollup the dashboard charts.
type DayStats struct {
	Day       string
	Downloads int64
	ByEpisode map[keys.EpisodeID]int64
}

// History returns every day of stats recorded for a show.
func (rec *Recorder) History(show keys.ShowID) ([]DayStats, error) {
	var (
		out    []DayStats
		cursor string
	)
	for {
		res, err := rec.ns.List(&kv.ListOptions{ // EXPECT kvlist
			Prefix: keys.DailyStats.Under(show),
			Cursor: cursor,
			Limit:  2000, // EXPECT kvlimits
		})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			raw, err := rec.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			var ds DayStats
			if err := codec.Ungob(raw, &ds); err != nil {
				continue
			}
			out = append(out, ds)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return out, nil
}

// RecentDays returns the names of the last days that have stats, newest
// last, reading at most a few pages.
func (rec *Recorder) RecentDays(show keys.ShowID, want int) ([]string, error) {
	const maxPages = 3
	prefix := keys.DailyStats.Under(show)
	var (
		days   []string
		cursor string
	)
	for page := 0; page < maxPages && len(days) < want; page++ {
		res, err := rec.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			days = append(days, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	if len(days) > want {
		days = days[len(days)-want:]
	}
	return days, nil
}

// Rollup folds yesterday's download events for one show into a DayStats
// record. It is run by the cron trigger and gives up at the deadline.
func (rec *Recorder) Rollup(ctx context.Context, show keys.ShowID, day time.Time) (err error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()

	const maxPages = 50
	ds := DayStats{Day: day.Format(time.DateOnly), ByEpisode: map[keys.EpisodeID]int64{}}
	prefix := keys.Downloads.Under(show)
	lo, hi := day.Unix(), day.Add(24*time.Hour).Unix()
	cursor := ""
scan:
	for page := 0; page < maxPages; page++ {
		select {
		case <-ctx.Done():
			break scan
		default:
		}
		res, err := rec.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			parts := strings.Split(strings.TrimPrefix(k.Name, prefix), ":")
			if len(parts) < 2 {
				continue
			}
			ts, perr := strconv.ParseInt(parts[1], 10, 64)
			if perr != nil || ts < lo || ts >= hi {
				continue
			}
			ds.Downloads++
			ds.ByEpisode[keys.EpisodeID(parts[0])]++
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	raw, err := codec.Gob(ds)
	if err != nil {
		return err
	}
	return rec.ns.PutString(keys.DayKey{Show: show, Day: ds.Day}.String(), raw, nil)
}
