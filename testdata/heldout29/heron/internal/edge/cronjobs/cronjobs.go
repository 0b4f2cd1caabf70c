//go:build js && wasm

// Package cronjobs holds the Worker's scheduled tasks.
package cronjobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/edge/kvstore"
	"example.com/heron/internal/keys"
)

// collectionFeedURL is the open-data query behind the "on view now" page.
const collectionFeedURL = "https://collections.heron-museum.example/api/v2/objects?on_view=true&has_image=true&lang=en" +
	"&fields=id,accession_number,title,alternate_titles,maker,maker_role,maker_nationality,date_display,date_begin,date_end," +
	"medium,support,dimensions_display,credit_line,provenance_summary,gallery_number,gallery_name,department,classification," +
	"culture,period,dynasty,reign,style,school,exhibition_history,rights_statement,image_primary_url,image_primary_alt," +
	"image_iiif_manifest,audio_guide_stop,audio_guide_languages,accessibility_notes,tactile_available,last_conservation_date" +
	"&sort=gallery_number,accession_number&per_page=500"

// Jobs are the scheduled tasks.
type Jobs struct {
	ns     *kv.Namespace
	holds  *kvstore.Bucket
	feed   *kvstore.Bucket
	status *kvstore.Bucket
	meta   *kvstore.Bucket
	hc     *http.Client
	now    func() time.Time
}

// New wires the jobs.
func New(st *kvstore.Store, hc *http.Client) *Jobs {
	return &Jobs{
		ns:     st.Namespace(),
		holds:  st.Bucket("hold"),
		feed:   st.Bucket("feed"),
		status: st.Bucket("gallery"),
		meta:   st.Bucket("cron"),
		hc:     hc,
		now:    time.Now,
	}
}

// Run is the cron entry point; it runs every task and records the tick.
func (j *Jobs) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	tasks := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"sweep-holds", j.sweepHolds},
		{"tally-gates", j.tallyGates},
		{"count-scans", j.countScans},
		{"refresh-feed", j.refreshFeed},
		{"opening-hours", j.openingHours},
		{"gallery-status", j.galleryStatus},
	}
	var errs []error
	for _, t := range tasks {
		if err := t.fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.name, err))
		}
	}
	tick := fmt.Sprintf(`{"cron":%q,"at":%q,"failed":%d}`, ev.Cron, ev.ScheduledTime.Format(time.RFC3339), len(errs))
	if err := j.meta.Put("last-run", tick, nil); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// sweepHolds removes holds whose slot has already started. Hold keys are
// "<slot start unix>:<ticket>".
func (j *Jobs) sweepHolds(ctx context.Context) error {
	now := j.now().Unix()
	cursor := ""
	for {
		names, next, done, err := j.holds.Page(cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, n := range names {
			start, _, ok := strings.Cut(n, ":")
			if sec, err := strconv.ParseInt(start, 10, 64); ok && err == nil && sec < now {
				if err := j.holds.Delete(n); err != nil {
					return err
				}
			}
		}
		if done {
			return nil
		}
		cursor = next
	}
}

// tallyGates counts today's passes per gate for the front-of-house report.
func (j *Jobs) tallyGates(ctx context.Context) error {
	perGate := map[string]int{}
	opts := &kv.ListOptions{Prefix: "pass:", Limit: 500}
	for range 4 {
		res, err := j.ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			gate, err := j.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			if gate != kvstore.Missing {
				perGate[gate]++
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: "pass:", Limit: 500, Cursor: res.Cursor}
	}
	b, _ := json.Marshal(perGate)
	return j.ns.PutString("report:gates:"+keys.Day(j.now()), string(b), &kv.PutOptions{ExpirationTTL: 30 * 24 * 3600})
}

// countScans records how many scan events are waiting to be archived.
func (j *Jobs) countScans(ctx context.Context) error {
	opts := &kv.ListOptions{Prefix: "scan:", Limit: 1000}
	total, complete := 0, false
	for page := 0; page < 10 && !complete; page++ {
		res, err := j.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		total += len(res.Keys)
		complete = res.ListComplete
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return j.meta.Put("pending-scans", fmt.Sprintf(`{"pending":%d,"complete":%t}`, total, complete), nil)
}

// refreshFeed snapshots the collection feed so the "on view now" page
// survives an outage of the collections API.
func (j *Jobs) refreshFeed(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, collectionFeedURL, nil)
	if err != nil {
		return err
	}
	res, err := j.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("collection feed: %s", res.Status)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, 5<<20))
	if err != nil {
		return err
	}
	return j.feed.PutFor(collectionFeedURL, string(body), 6*time.Hour) // EXPECT kvlimits
}

type openingHours struct {
	Open       string   `json:"open"`
	Close      string   `json:"close"`
	ClosedDays []string `json:"closed_days"`
}

// openingHours renders today's opening-hours banner from the hours config.
func (j *Jobs) openingHours(ctx context.Context) error {
	raw, err := j.ns.GetString("config:hours", nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	var h openingHours
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return err
	}
	banner := "Open today " + h.Open + "–" + h.Close
	if slices.Contains(h.ClosedDays, j.now().Weekday().String()) {
		banner = "Closed today"
	}
	return j.ns.PutString("banner:today", banner, &kv.PutOptions{ExpirationTTL: 36 * 3600})
}

// galleryStatus publishes the open/closed state of each exhibit.
func (j *Jobs) galleryStatus(ctx context.Context) error {
	raw, ok, err := j.status.Get("exhibits")
	if err != nil || !ok {
		return err
	}
	var exhibits []domain.Exhibit
	if err := json.Unmarshal([]byte(raw), &exhibits); err != nil {
		return err
	}
	now := j.now()
	var publish []func() error
	for _, ex := range exhibits {
		publish = append(publish, func() error {
			state := "open"
			if now.Before(ex.Opens) || now.After(ex.Closes) {
				state = "closed"
			}
			if err := j.status.Put("state:"+ex.ID, state, nil); err != nil {
				return err
			}
			return j.status.Put("updated", ex.ID+" "+now.Format(time.RFC3339), nil) // EXPECT kvhotkey
		})
	}
	for _, p := range publish {
		if err := p(); err != nil {
			slog.Warn("gallery status", "err", err)
		}
	}
	return nil
}
