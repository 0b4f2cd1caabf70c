// Package dashboard serves the instructor dashboard: rosters, learner
// progress and course summaries.
package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"example.com/academy/internal/config"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/progress"
)

type Summary struct {
	CourseID    string    `json:"course_id"`
	Learners    int       `json:"learners"`
	AvgProgress int       `json:"avg_progress"`
	ComputedAt  time.Time `json:"computed_at"`
}

// Stats is the reporting database.
type Stats interface {
	CourseSummary(ctx context.Context, courseID string) (Summary, error)
}

type Dashboard struct {
	store    kvstore.Store
	touch    kvstore.Putter
	tracker  *progress.Tracker
	stats    Stats
	cfg      config.Caching
	log      *slog.Logger
	handlers map[string]http.HandlerFunc
}

func New(store kvstore.Store, touch kvstore.Putter, tracker *progress.Tracker, stats Stats, cfg config.Caching, log *slog.Logger) *Dashboard {
	d := &Dashboard{store: store, touch: touch, tracker: tracker, stats: stats, cfg: cfg, log: log}
	d.handlers = map[string]http.HandlerFunc{
		"roster":   d.roster,
		"learners": d.learners,
		"learner":  d.learner,
		"summary":  d.summary,
	}
	return d
}

// ServeHTTP dispatches /instructor/{view}.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h, ok := d.handlers[r.PathValue("view")]; ok {
		h(w, r)
		return
	}
	http.NotFound(w, r)
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

type rosterRow struct {
	LearnerID  string    `json:"learner_id"`
	OrgID      string    `json:"org_id"`
	EnrolledAt time.Time `json:"enrolled_at"`
}

// roster returns up to 1,000 enrolments of a course with their details.
func (d *Dashboard) roster(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := kvstore.ListQuery{Prefix: keys.Enrolment + r.URL.Query().Get("course") + ":", Limit: 200}
	var rows []rosterRow
	for range 5 {
		page, err := d.store.List(ctx, q)
		if err != nil {
			reply(w, nil, err)
			return
		}
		for _, k := range page.Keys {
			if row, found, err := kvstore.GetJSON[rosterRow](ctx, d.store, k.Name); err == nil && found { // EXPECT kvlist
				rows = append(rows, row)
			}
		}
		if page.Done() {
			break
		}
		q.Cursor = page.Cursor
	}
	reply(w, rows, nil)
}

// learners is the paginated learner list; the client passes the cursor back.
func (d *Dashboard) learners(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	page, err := d.store.List(r.Context(), kvstore.ListQuery{Prefix: keys.Enrolment + qs.Get("course") + ":", Cursor: qs.Get("cursor"), Limit: 100})
	if err != nil {
		reply(w, nil, err)
		return
	}
	out := struct {
		Learners []any  `json:"learners"`
		Next     string `json:"next,omitempty"`
	}{Next: page.Cursor}
	for _, k := range page.Keys {
		out.Learners = append(out.Learners, k.Metadata)
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := d.touch.Put(r.Context(), "dashboard:last-refresh", stamp); err != nil { // EXPECT kvhotkey
		d.log.WarnContext(r.Context(), "dashboard: refresh stamp", "err", err)
	}
	reply(w, out, nil)
}

func (d *Dashboard) learner(w http.ResponseWriter, r *http.Request) {
	p, err := d.tracker.Snapshot(r.Context(), r.URL.Query().Get("learner"), r.URL.Query().Get("course"))
	reply(w, p, err)
}

// summary is an expensive query on the reporting database, so it is cached briefly.
func (d *Dashboard) summary(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	course := r.URL.Query().Get("course")
	defer d.countView(ctx, r.URL.Query().Get("instructor"))

	key := "summary:course:" + course
	s, found, err := kvstore.GetJSON[Summary](ctx, d.store, key)
	if err == nil && !found {
		if s, err = d.stats.CourseSummary(ctx, course); err == nil {
			err = kvstore.PutJSON(ctx, d.store, key, s, kvstore.WithTTL(d.cfg.DashboardTTL))
		}
	}
	reply(w, s, err)
}

// countView feeds the "views this week" number on the instructor's home.
func (d *Dashboard) countView(ctx context.Context, instructor string) {
	key := "views:dashboard:" + instructor
	n := 0
	raw, err := d.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return
	}
	if err := d.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvstore.WithTTL(7*24*time.Hour)); err != nil { // EXPECT kvcounter
		d.log.WarnContext(ctx, "dashboard: view counter", "err", err)
	}
}
