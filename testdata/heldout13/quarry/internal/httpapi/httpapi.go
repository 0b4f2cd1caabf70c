// Package httpapi is quarry's HTTP API used by the dashboard, the CLI and the
// runners.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"example.com/quarry/internal/artifacts"
	"example.com/quarry/internal/builds"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/legacy/quotas"
	"example.com/quarry/internal/metrics"
	"example.com/quarry/internal/oauth"
	"example.com/quarry/internal/ratelimit"
	"example.com/quarry/internal/sessions"
	"example.com/quarry/internal/tokens"
)

// Deps are the services the API needs.
type Deps struct {
	Store     kvstore.Store
	Builds    *builds.Service
	Artifacts *artifacts.Service
	Tokens    *tokens.Service
	Sessions  *sessions.Manager
	OAuth     *oauth.Flow
	Ledger    *quotas.Ledger
	Metrics   *metrics.Recorder
	Allow     ratelimit.Allow
	Log       *slog.Logger
}

type api struct{ Deps }

type principal struct {
	UserID string
	Scopes []string
}

type ctxKey struct{}

func who(ctx context.Context) principal { p, _ := ctx.Value(ctxKey{}).(principal); return p }

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// Project is the stored project record.
type Project struct {
	Slug         string        `json:"slug"`
	Owner        string        `json:"owner"`
	Repo         string        `json:"repo"`
	DefaultSteps []builds.Step `json:"default_steps"`
	CreatedAt    time.Time     `json:"created_at"`
}

func projectKey(slug string) string { return "project:" + slug }

// New returns the API handler.
func New(d Deps) http.Handler {
	a := &api{d}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /auth/login", a.login)
	mux.HandleFunc("GET /auth/callback", a.callback)
	mux.HandleFunc("POST /auth/logout", a.logout)
	mux.Handle("POST /legacy/sync", d.Ledger.SyncHandler())

	mux.Handle("POST /api/projects", a.authed(a.createProject))
	mux.Handle("DELETE /api/projects/{slug}", a.authed(a.deleteProject))
	mux.Handle("GET /api/projects/{slug}/badge", http.HandlerFunc(a.badge))
	mux.Handle("POST /api/projects/{slug}/builds", a.authed(a.enqueue))
	mux.Handle("POST /api/builds/{id}/status", a.authed(a.transition))
	mux.Handle("POST /api/artifacts", a.authed(a.upload))
	mux.Handle("PUT /api/me/preferences", a.authed(a.savePrefs))
	a.cliRoutes(mux)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, struct {
		Error string `json:"error"`
	}{msg})
}

// authed accepts a bearer token (CLI, runners) or a session cookie (dashboard).
func (a *api) authed(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var p principal
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			rec, err := a.Tokens.Authenticate(ctx, bearer)
			if err != nil {
				fail(w, http.StatusUnauthorized, "invalid token")
				return
			}
			if ok, _ := a.Allow(ctx, tokens.Hash(bearer)); !ok {
				fail(w, http.StatusTooManyRequests, "slow down")
				return
			}
			p = principal{UserID: rec.UserID, Scopes: rec.Scopes}
		} else {
			s, err := a.Sessions.FromRequest(r)
			if err != nil {
				fail(w, http.StatusUnauthorized, "login required")
				return
			}
			if err := a.Sessions.Touch(ctx, s); err != nil {
				a.Log.WarnContext(ctx, "session not extended", "err", err)
			}
			p = principal{UserID: s.UserID, Scopes: []string{"*"}}
		}
		next(w, r.WithContext(context.WithValue(ctx, ctxKey{}, p)))
	})
}

func (a *api) login(w http.ResponseWriter, r *http.Request) {
	target, err := a.OAuth.Begin(r.Context(), r.URL.Query().Get("return_to"))
	if err != nil {
		fail(w, http.StatusBadGateway, "login unavailable")
		return
	}
	http.Redirect(w, r, target, http.StatusFound)
}

func (a *api) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s, returnTo, err := a.OAuth.Callback(r.Context(), r.RemoteAddr, q.Get("state"), q.Get("code"))
	if errors.Is(err, oauth.ErrBadState) || errors.Is(err, oauth.ErrTooManyFailures) {
		fail(w, http.StatusBadRequest, err.Error())
		return
	} else if err != nil {
		fail(w, http.StatusBadGateway, "login failed")
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessions.CookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt,
	})
	if returnTo == "" || !strings.HasPrefix(returnTo, "/") {
		returnTo = "/"
	}
	http.Redirect(w, r, returnTo, http.StatusFound)
}

func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessions.CookieName); err == nil {
		if err := a.Sessions.Logout(r.Context(), c.Value); err != nil {
			a.Log.WarnContext(r.Context(), "logout failed", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessions.CookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) createProject(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Slug string `json:"slug"`
		Repo string `json:"repo"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || !slugRE.MatchString(req.Slug) {
		fail(w, http.StatusBadRequest, "invalid project slug")
		return
	}
	ctx := r.Context()
	_, err := a.Store.Get(ctx, projectKey(req.Slug))
	switch {
	case err == nil:
		fail(w, http.StatusConflict, "slug taken")
		return
	case !kvstore.IsNotFound(err):
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	p := Project{Slug: req.Slug, Owner: who(ctx).UserID, Repo: req.Repo, CreatedAt: time.Now().UTC()}
	b, _ := json.Marshal(p)
	if err := a.Store.Put(ctx, projectKey(req.Slug), b, kvstore.PutOptions{}); err != nil { // EXPECT kvrace
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (a *api) deleteProject(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	slug := r.PathValue("slug")
	page, err := a.Store.List(ctx, kvstore.ListRequest{Prefix: "art:" + slug + "/", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	for _, k := range page.Keys {
		if err := a.Store.Delete(ctx, k.Name); err != nil {
			fail(w, http.StatusInternalServerError, "storage error")
			return
		}
	}
	if err := a.Store.Delete(ctx, projectKey(slug)); err != nil {
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Deleted int `json:"deleted_artifacts"`
	}{len(page.Keys)})
}

const defaultBadge = `<svg xmlns="http://www.w3.org/2000/svg" width="90" height="20"><text x="5" y="14">build: unknown</text></svg>`

func (a *api) badge(w http.ResponseWriter, r *http.Request) {
	raw, err := a.Store.Get(r.Context(), "badge:"+r.PathValue("slug"))
	if errors.Is(err, fs.ErrNotExist) { // EXPECT kvnull
		raw, err = []byte(defaultBadge), nil
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "max-age=60")
	_, _ = w.Write(raw)
}

func (a *api) enqueue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req struct {
		Ref   string        `json:"ref"`
		Steps []builds.Step `json:"steps,omitempty"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Ref == "" {
		fail(w, http.StatusBadRequest, "ref required")
		return
	}
	slug := r.PathValue("slug")
	if len(req.Steps) == 0 {
		raw, _ := a.Store.Get(ctx, projectKey(slug)) // EXPECT kvnull
		var p Project
		_ = json.Unmarshal(raw, &p)
		req.Steps = p.DefaultSteps
	}
	job, err := a.Builds.Enqueue(ctx, slug, req.Ref, req.Steps)
	if err != nil {
		fail(w, http.StatusInternalServerError, "could not queue build")
		return
	}
	writeJSON(w, http.StatusAccepted, job)
}

func (a *api) transition(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Status builds.Status `json:"status"`
		Runner string        `json:"runner"`
		Steps  []builds.Step `json:"steps"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad body")
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	if len(req.Steps) > 0 {
		if err := a.Builds.RecordSteps(ctx, id, req.Steps); err != nil {
			a.Log.WarnContext(ctx, "step progress not stored", "job", id, "err", err)
		}
	}
	job, err := a.Builds.Transition(ctx, id, req.Status, req.Runner)
	var te *builds.TransitionError
	switch {
	case errors.As(err, &te):
		fail(w, http.StatusConflict, te.Error())
		return
	case errors.Is(err, builds.ErrUnknownJob):
		fail(w, http.StatusNotFound, "no such job")
		return
	case err != nil:
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	if job.Status.Terminal() {
		a.Metrics.BuildRun()
	}
	var uploadToken string
	if job.Status == builds.Running {
		if uploadToken, err = a.Tokens.IssueJobToken(ctx, job.ID); err != nil {
			a.Log.WarnContext(ctx, "no upload token for job", "job", job.ID, "err", err)
		}
	}
	writeJSON(w, http.StatusOK, struct {
		*builds.Job
		UploadToken string `json:"upload_token,omitempty"`
	}{job, uploadToken})
}

func (a *api) upload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var req artifacts.Artifact
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad body")
		return
	}
	org, _, _ := strings.Cut(req.Project, "-")
	if err := a.Ledger.Charge(ctx, org, req.Size); errors.Is(err, quotas.ErrOverQuota) {
		fail(w, http.StatusPaymentRequired, "storage quota exceeded")
		return
	} else if err != nil {
		a.Log.WarnContext(ctx, "quota check failed", "err", err)
	}
	req.CreatedAt = time.Now().UTC()
	if err := a.Artifacts.Register(ctx, req); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	a.Metrics.Upload(req.Size)
	last := []byte(req.ID() + " " + strconv.FormatInt(req.Size, 10))
	if err := a.Store.Put(ctx, "status:last-upload", last, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		a.Log.WarnContext(ctx, "status not updated", "err", err)
	}
	writeJSON(w, http.StatusCreated, struct {
		ID string `json:"id"`
	}{req.ID()})
}

func (a *api) savePrefs(w http.ResponseWriter, r *http.Request) {
	var p sessions.Preferences
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&p); err != nil {
		fail(w, http.StatusBadRequest, "bad body")
		return
	}
	if err := a.Sessions.SavePreferences(r.Context(), who(r.Context()).UserID, p); err != nil {
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
