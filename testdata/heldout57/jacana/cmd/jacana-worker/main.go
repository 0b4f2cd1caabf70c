//go:build js && wasm

// Command jacana-worker is the edge Worker: sessions, lesson quotas and
// streaks, placement codes, rollout flags, join links and the live view.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"github.com/lingofox/jacana/internal/edge/edgekv"
	"github.com/lingofox/jacana/internal/edge/invite"
	"github.com/lingofox/jacana/internal/edge/live"
	"github.com/lingofox/jacana/internal/edge/placement"
	"github.com/lingofox/jacana/internal/edge/quota"
	"github.com/lingofox/jacana/internal/edge/rollout"
	"github.com/lingofox/jacana/internal/edge/session"
)

type app struct {
	sessions *edgekv.NS
	data     *edgekv.NS
	tracker  *quota.Tracker
	codes    *placement.Codes
	flags    *rollout.Reader
	links    *invite.Links
	hub      *live.Hub
	build    string
}

// request is the per-request handler state: the session plus the app.
type request struct {
	*session.State
	*app
	w http.ResponseWriter
	r *http.Request
}

func (a *app) handle(fn func(*request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = a.data.Put("edge:serving-build", a.build, 0) // EXPECT kvhotkey
		req := &request{State: session.NewState(a.sessions), app: a, w: w, r: r}
		if c, err := r.Cookie("sid"); err == nil {
			if err := req.Load(c.Value); err != nil {
				http.Error(w, "session expired", http.StatusUnauthorized)
				return
			}
			defer func() {
				if err := req.Touch(); err != nil {
					log.Printf("touch: %v", err)
				}
			}()
		}
		if err := fn(req); err != nil {
			code := http.StatusInternalServerError
			switch {
			case errors.Is(err, session.ErrNoSession), errors.Is(err, placement.ErrBadCode):
				code = http.StatusUnauthorized
			case errors.Is(err, quota.ErrQuotaReached), errors.Is(err, placement.ErrRateLimited), errors.Is(err, placement.ErrCooldown):
				code = http.StatusTooManyRequests
			case errors.Is(err, invite.ErrSlugTaken):
				code = http.StatusConflict
			case errors.Is(err, invite.ErrUnknown):
				code = http.StatusNotFound
			}
			http.Error(w, err.Error(), code)
		}
	}
}

func (q *request) json(v any) error {
	q.w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(q.w).Encode(v)
}

func main() {
	sessions, err := edgekv.Open("SESSIONS")
	if err != nil {
		log.Fatal(err)
	}
	data, err := edgekv.Open("JACANA")
	if err != nil {
		log.Fatal(err)
	}
	loc, err := time.LoadLocation(cloudflare.Getenv("LEARNER_TZ"))
	if err != nil {
		loc = time.UTC
	}
	a := &app{
		sessions: sessions,
		data:     data,
		tracker:  &quota.Tracker{NS: data, Loc: loc, FreeDay: 5, PlusDay: 50},
		codes:    &placement.Codes{NS: data, Window: 10 * time.Minute, PerWindow: 3},
		flags:    &rollout.Reader{NS: data},
		links:    &invite.Links{NS: data},
		hub:      &live.Hub{NS: data, Interval: 5 * time.Second},
		build:    cloudflare.Getenv("BUILD_ID"),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/signin", a.handle(signIn))
	mux.HandleFunc("/logout", a.handle(func(q *request) error { return q.Logout() }))
	mux.HandleFunc("/refresh", a.handle(refresh))
	mux.HandleFunc("/course", a.handle(switchCourse))
	mux.HandleFunc("/lesson/start", a.handle(startLesson))
	mux.HandleFunc("/streak", a.handle(func(q *request) error {
		s, err := q.tracker.Extend(q.Learner())
		if err != nil {
			return err
		}
		return q.json(s)
	}))
	mux.HandleFunc("/placement/code", a.handle(func(q *request) error {
		cd, err := q.codes.Issue(q.r.FormValue("learner"))
		if err != nil {
			return err
		}
		return sendMail(q.r.Context(), q.r.FormValue("learner"), cd)
	}))
	mux.HandleFunc("/placement/redeem", a.handle(func(q *request) error {
		if err := q.codes.Redeem(q.r.FormValue("learner"), q.r.FormValue("code")); err != nil {
			return err
		}
		return q.codes.AllowStart(q.r.Header.Get("CF-Connecting-IP"))
	}))
	mux.HandleFunc("/flags", a.handle(func(q *request) error {
		on := map[string]bool{}
		for _, f := range strings.Split(q.r.URL.Query().Get("names"), ",") {
			on[f] = q.flags.Enabled(f, q.Learner(), q.r.Header.Get("Accept-Language"))
		}
		return q.json(on)
	}))
	mux.HandleFunc("/banners", a.handle(func(q *request) error {
		bs, err := q.flags.Banners()
		if err != nil {
			return err
		}
		return q.json(bs)
	}))
	mux.HandleFunc("/classes/claim", a.handle(func(q *request) error {
		return q.links.Claim(q.r.FormValue("slug"), q.r.FormValue("class"))
	}))
	mux.HandleFunc("/join", a.handle(func(q *request) error {
		class, err := q.links.Resolve(q.r.URL.Query().Get("slug"))
		if err != nil {
			return err
		}
		cloudflare.WaitUntil(func() { _ = q.links.RecordJoin(class, q.Learner()) })
		return q.json(map[string]string{"class": class})
	}))
	mux.HandleFunc("/live/class", a.hub.ServeClass)
	mux.HandleFunc("/live/wait", a.hub.Wait)

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		if err := a.tracker.FlushViews(); err != nil {
			log.Printf("cron: views: %v", err)
		}
		return a.data.Put("cron:last-run", ev.ScheduledTime.Format(time.RFC3339), 0)
	})
	workers.Serve(mux)
}

func signIn(q *request) error {
	learner := q.r.FormValue("learner")
	id, err := q.Create(learner, q.r.Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	rt, err := session.IssueRefresh(q.sessions, learner)
	if err != nil {
		return err
	}
	http.SetCookie(q.w, &http.Cookie{Name: "sid", Value: id, HttpOnly: true, Secure: true, Path: "/"})
	return q.json(map[string]string{"refresh_token": rt})
}

func refresh(q *request) error {
	learner, tok, err := session.Rotate(q.sessions, q.r.FormValue("refresh_token"))
	if err != nil {
		return err
	}
	id, err := q.Create(learner, q.r.Header.Get("Accept-Language"))
	if err != nil {
		return err
	}
	http.SetCookie(q.w, &http.Cookie{Name: "sid", Value: id, HttpOnly: true, Secure: true, Path: "/"})
	return q.json(map[string]string{"refresh_token": tok})
}

func switchCourse(q *request) (err error) {
	if q.Learner() == "" {
		return session.ErrNoSession
	}
	q.SetCourse(q.r.FormValue("course"))
	if g := q.r.FormValue("goal"); g != "" {
		var n int
		if err := json.Unmarshal([]byte(g), &n); err == nil {
			q.SetGoal(n)
		}
	}
	return q.Save()
}

func startLesson(q *request) error {
	learner, lesson := q.Learner(), q.r.FormValue("lesson")
	if learner == "" {
		return session.ErrNoSession
	}
	used, err := q.tracker.Use(learner)
	if err != nil {
		return err
	}
	q.tracker.SeenLesson(lesson)
	_ = q.tracker.RecordActive(learner)

	key := "recent:" + learner
	list := lesson
	prev, ok, err := q.data.Get(key)
	if err != nil {
		return err
	}
	if ok {
		parts := strings.Split(prev, ",")
		list = lesson + "," + strings.Join(parts[:min(len(parts), 9)], ",")
	}
	if err := q.data.Put(key, list, 30*24*time.Hour); err != nil { // EXPECT kvrace
		return err
	}
	return q.json(map[string]int{"used_today": used})
}

func sendMail(ctx context.Context, to, code string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://mail.internal.jacana.app/otp", strings.NewReader(`{"to":"`+to+`","code":"`+code+`"}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return res.Body.Close()
}
