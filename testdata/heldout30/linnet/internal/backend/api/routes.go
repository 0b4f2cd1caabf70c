// Package api is the backend's HTTP API: tutor bookings, the XP pipeline
// and the admin console.
package api

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"example.com/linnet/internal/backend/admin"
	"example.com/linnet/internal/backend/restkv"
	"example.com/linnet/internal/booking"
	"example.com/linnet/internal/flags"
	"example.com/linnet/internal/jobs"
	"example.com/linnet/internal/leaderboard"
	"example.com/linnet/internal/repo"
	"example.com/linnet/internal/session"
	"example.com/linnet/internal/storage"
)

// XPRecord is a learner's running XP total.
type XPRecord struct {
	Learner string
	Points  int
	Updated time.Time
}

type Deps struct {
	Store      storage.Store
	Rest       *restkv.Store
	Namespace  admin.Namespace
	Bookings   *booking.Service
	Sessions   *session.Service
	Board      *leaderboard.Service
	Flags      *flags.Source
	XP         *repo.Repo[XPRecord]
	Queue      *jobs.Queue
	AdminToken string
	Log        *slog.Logger
}

type deps struct {
	Deps
	views *viewTally
}

func New(d Deps) http.Handler {
	return routes(deps{Deps: d, views: &viewTally{n: map[string]int64{}}})
}

func routes(d deps) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bookings", d.book)
	mux.HandleFunc("POST /bookings/{id}/notes", d.addNote)
	mux.HandleFunc("POST /bookings/{id}/cancel", func(w http.ResponseWriter, r *http.Request) {
		free, err := d.Bookings.Cancel(r.Context(), r.PathValue("id"))
		d.respond(w, r, map[string]bool{"free": free}, err)
	})
	mux.HandleFunc("GET /tutors/{id}", d.tutorProfile)
	mux.HandleFunc("GET /tutors/{id}/bookings", func(w http.ResponseWriter, r *http.Request) {
		list, next, err := d.Bookings.Upcoming(r.Context(), r.PathValue("id"), r.URL.Query().Get("page"))
		d.respond(w, r, map[string]any{"bookings": list, "next_page": next}, err)
	})
	mux.HandleFunc("DELETE /tutors/{id}/slots/{start}", func(w http.ResponseWriter, r *http.Request) {
		start, err := time.Parse(time.RFC3339, r.PathValue("start"))
		if err == nil {
			err = d.Namespace.RemoveSlot(r.Context(), r.PathValue("id"), start)
		}
		d.respond(w, r, nil, err)
	})
	mux.HandleFunc("POST /events/xp", d.xpEvent)

	adm := http.NewServeMux()
	d.adminRoutes(adm)
	mux.Handle("/admin/", d.requireAdmin(adm))
	return mux
}

func (d deps) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || d.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(d.AdminToken)) != 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "admin token required"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// respond writes v as JSON, or 204 when v is nil, or maps err to a status.
func (d deps) respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	status := http.StatusInternalServerError
	switch {
	case err == nil && v == nil:
		w.WriteHeader(http.StatusNoContent)
		return
	case err == nil:
		writeJSON(w, http.StatusOK, v)
		return
	case errors.Is(err, booking.ErrSlotTaken):
		status = http.StatusConflict
	case errors.Is(err, booking.ErrInPast), errors.Is(err, storage.ErrBadPageToken):
		status = http.StatusBadRequest
	case errors.Is(err, repo.ErrNotFound):
		status = http.StatusNotFound
	default:
		d.Log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		writeJSON(w, status, map[string]string{"error": "internal error"})
		return
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func decode[T any](w http.ResponseWriter, r *http.Request) (T, bool) {
	var v T
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&v); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid body: " + err.Error()})
		return v, false
	}
	return v, true
}

// viewTally counts profile views in this process.
type viewTally struct {
	sync.Mutex
	n map[string]int64
}

func (v *viewTally) inc(id string) int64 {
	v.Lock()
	defer v.Unlock()
	v.n[id]++
	return v.n[id]
}
