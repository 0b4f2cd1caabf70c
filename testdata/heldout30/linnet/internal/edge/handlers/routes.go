//go:build js && wasm

// Package handlers is the Worker's HTTP surface.
package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"example.com/linnet/internal/audio"
	"example.com/linnet/internal/classroom"
	"example.com/linnet/internal/config"
	"example.com/linnet/internal/edge/workerkv"
	"example.com/linnet/internal/flags"
	"example.com/linnet/internal/leaderboard"
	"example.com/linnet/internal/progress"
	"example.com/linnet/internal/session"
	"example.com/linnet/internal/storage"
)

// OAuthProvider exchanges an authorization code for a learner ID.
type OAuthProvider interface {
	AuthURL(state string) string
	Exchange(ctx context.Context, code string) (learnerID string, err error)
}

// Services are the domain services the handlers call.
type Services struct {
	Sessions *session.Service
	Progress *progress.Service
	Board    *leaderboard.Service
	Audio    *audio.Cache
	Classes  *classroom.Service
	Catalog  progress.Catalog
	Flags    *flags.Source
	OAuth    OAuthProvider
}

type deps struct {
	Services
	cfg   config.Config
	kv    *workerkv.Store
	store storage.Store
	log   *slog.Logger
}

// Handler builds the Worker's root handler. kvs is the raw KV adapter for
// direct binding access; store is the routed, instrumented shared store.
func Handler(cfg config.Config, kvs *workerkv.Store, store storage.Store, svc Services, log *slog.Logger) http.Handler {
	return routes(deps{Services: svc, cfg: cfg, kv: kvs, store: store, log: log})
}

func routes(d deps) http.Handler {
	public := http.NewServeMux()
	public.HandleFunc("POST /login/link", d.requestLoginLink)
	public.HandleFunc("GET /login/callback", d.loginCallback)
	public.HandleFunc("POST /login/logout", d.logout)
	public.HandleFunc("GET /oauth/start", d.oauthStart)
	public.HandleFunc("GET /oauth/callback", d.oauthCallback)
	public.HandleFunc("GET /lessons/{id}", d.lessonContent)

	private := http.NewServeMux()
	private.HandleFunc("POST /lessons/{id}/complete", d.completeLesson)
	private.HandleFunc("PUT /live/{lesson}/slide", d.liveSlide)
	private.HandleFunc("PUT /quiz/{id}/draft", d.quizDraft)
	private.HandleFunc("GET /me/plan", d.studyPlan)
	private.HandleFunc("GET /me/home", d.home)
	private.HandleFunc("GET /me/reminder", d.reminderHour)
	private.HandleFunc("POST /classes", d.createClass)
	private.HandleFunc("POST /classes/join", d.joinClass)
	private.HandleFunc("POST /classes/{id}/heartbeat", d.heartbeat)
	private.HandleFunc("GET /classes/{id}/members", d.members)
	private.HandleFunc("POST /classes/{id}/share", d.shareLink)
	private.HandleFunc("POST /classes/{id}/code", d.vanityCode)
	private.HandleFunc("POST /classes/{id}/consent", d.consent)
	private.HandleFunc("GET /classes/{id}/leaderboard", d.leaderboard)
	private.HandleFunc("GET /classes/{id}/plans/{plan}", d.lessonPlan)
	private.HandleFunc("GET /audio/{locale}/{word}", d.clip)
	private.HandleFunc("POST /audio/{locale}/{word}/attempt", d.attempt)
	private.HandleFunc("GET /audio/{locale}/voices", d.voices)

	mux := http.NewServeMux()
	mux.Handle("/login/", public)
	mux.Handle("/oauth/", public)
	mux.Handle("GET /lessons/{id}", public)
	mux.Handle("/", d.authenticate(private))
	return d.trackActivity(mux)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type apiError struct{ Error string }

// respond writes v as JSON, or 204 when v is nil, or maps err to a status.
func (d deps) respond(w http.ResponseWriter, r *http.Request, v any, err error) {
	switch {
	case err != nil:
		d.fail(w, r, err)
	case v == nil:
		w.WriteHeader(http.StatusNoContent)
	default:
		writeJSON(w, http.StatusOK, v)
	}
}

func (d deps) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, session.ErrNoSession), errors.Is(err, session.ErrRevoked):
		status = http.StatusUnauthorized
	case errors.Is(err, session.ErrInvalidLink), errors.Is(err, classroom.ErrInvalidCode),
		errors.Is(err, classroom.ErrBadCode), errors.Is(err, storage.ErrBadPageToken):
		status = http.StatusBadRequest
	case errors.Is(err, classroom.ErrCodeTaken):
		status = http.StatusConflict
	case errors.Is(err, audio.ErrUnsupported), errors.Is(err, leaderboard.ErrNoSnapshot):
		status = http.StatusNotFound
	case errors.Is(err, audio.ErrUpstreamBusy):
		status = http.StatusServiceUnavailable
	default:
		d.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		writeJSON(w, status, apiError{Error: "internal error"})
		return
	}
	writeJSON(w, status, apiError{Error: err.Error()})
}

// decode reads a small JSON body; on failure it answers 400 itself.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, bool) {
	var v T
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&v); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid body"})
		return v, false
	}
	return v, true
}
