package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/linnet/internal/backend/admin"
	"example.com/linnet/internal/booking"
	"example.com/linnet/internal/flags"
	"example.com/linnet/internal/leaderboard"
	"example.com/linnet/internal/storage"
)

func (d deps) book(w http.ResponseWriter, r *http.Request) {
	req, ok := decode[booking.Request](w, r)
	if !ok {
		return
	}
	b, err := d.Bookings.Book(r.Context(), req)
	if err == nil {
		_ = d.Queue.TryPush("tutor-booking-figure", func(ctx context.Context) error {
			return errors.Join(d.Namespace.EnsureTutorPlan(ctx, b.Tutor), d.Namespace.RecordBooking(ctx, b.Tutor))
		})
	}
	d.respond(w, r, b, err)
}

func (d deps) addNote(w http.ResponseWriter, r *http.Request) {
	if body, ok := decode[booking.Note](w, r); ok {
		d.respond(w, r, nil, d.Bookings.AddNote(r.Context(), r.PathValue("id"), body.By, body.Text))
	}
}

// tutorProfile serves a tutor's public profile, creating an empty one the
// first time a new tutor's page is opened.
func (d deps) tutorProfile(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tutor := r.PathValue("id")
	key := "tutor-profile:" + tutor
	raw, err := d.Rest.Fetch(ctx, key) // EXPECT kvnull
	if err != nil {
		raw, _ = json.Marshal(map[string]any{"id": tutor, "bio": "", "locales": []string{}})
		if err := d.Rest.Put(ctx, key, raw); err != nil {
			d.respond(w, r, nil, err)
			return
		}
	}
	n := d.views.inc(tutor)
	_ = d.Queue.TryPush("tutor-views", func(ctx context.Context) error {
		return d.Store.Put(ctx, "tutor-views:"+tutor, strconv.AppendInt(nil, n, 10)) // EXPECT kvcounter
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}

// xpEvent receives XP awards from the progress pipeline.
func (d deps) xpEvent(w http.ResponseWriter, r *http.Request) {
	ev, ok := decode[struct {
		Learner, Class string
		Points         int
		At             time.Time
	}](w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var total int
	err := d.XP.Upsert(ctx, ev.Learner, func(rec *XPRecord) error { // EXPECT kvcounter
		rec.Learner = ev.Learner
		rec.Points += ev.Points
		rec.Updated = ev.At
		total = rec.Points
		return nil
	})
	if err == nil && ev.Class != "" {
		err = d.Board.ApplyBatch(ctx, []leaderboard.Event{{Class: ev.Class, Learner: ev.Learner, Total: total, At: ev.At}})
	}
	_ = d.Queue.TryPush("activity-feed", func(ctx context.Context) error {
		return storage.PutJSON(ctx, d.Store, "feed:latest", ev) // EXPECT kvhotkey
	})
	d.respond(w, r, map[string]int{"total": total}, err)
}

func (d deps) adminRoutes(mux *http.ServeMux) {
	mux.HandleFunc("PUT /admin/flags", func(w http.ResponseWriter, r *http.Request) {
		if doc, ok := decode[flags.Document](w, r); ok {
			err := d.Flags.Save(r.Context(), doc) // DEBATABLE kvhotkey
			d.respond(w, r, nil, err)
		}
	})
	mux.HandleFunc("GET /admin/keys", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		cursor, err := storage.DecodePageToken(q.Get("page"))
		if err != nil {
			d.respond(w, r, nil, err)
			return
		}
		page, err := d.Store.List(r.Context(), storage.ListOptions{
			Prefix: q.Get("prefix"),
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		names := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		d.respond(w, r, map[string]any{"keys": names, "next_page": storage.NextToken(page)}, err)
	})
	mux.HandleFunc("POST /admin/learners/{id}/revoke", func(w http.ResponseWriter, r *http.Request) {
		d.respond(w, r, nil, d.Sessions.RevokeAll(r.Context(), r.PathValue("id")))
	})
	mux.HandleFunc("POST /admin/login-links/{token}/invalidate", func(w http.ResponseWriter, r *http.Request) {
		d.respond(w, r, nil, d.Namespace.InvalidateLoginLink(r.Context(), r.PathValue("token")))
	})
	mux.HandleFunc("POST /admin/codes/import", func(w http.ResponseWriter, r *http.Request) {
		body, ok := decode[struct {
			Codes []admin.JoinCode
			Days  int
		}](w, r)
		if ok {
			failed, err := admin.ImportJoinCodes(r.Context(), d.Rest, body.Codes, body.Days)
			d.respond(w, r, map[string]any{"imported": len(body.Codes) - len(failed), "failed": failed}, err)
		}
	})
	mux.HandleFunc("POST /admin/districts/{id}/pool", func(w http.ResponseWriter, r *http.Request) {
		n, err := d.Namespace.PregenerateCodes(r.Context(), r.PathValue("id"))
		d.respond(w, r, map[string]int{"created": n}, err)
	})
	mux.HandleFunc("POST /admin/lessons", func(w http.ResponseWriter, r *http.Request) {
		if l, ok := decode[admin.Lesson](w, r); ok {
			d.respond(w, r, nil, d.Namespace.PublishLesson(r.Context(), l))
		}
	})
	mux.HandleFunc("PUT /admin/courses/{id}/index", func(w http.ResponseWriter, r *http.Request) {
		if idx, ok := decode[admin.CourseIndex](w, r); ok {
			idx.Course, idx.Built = r.PathValue("id"), time.Now()
			d.respond(w, r, nil, d.Namespace.PublishCourseIndex(r.Context(), idx))
		}
	})
}
