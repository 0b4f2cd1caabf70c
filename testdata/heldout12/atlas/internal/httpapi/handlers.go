package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/atlas/internal/audit"
	"example.com/atlas/internal/builds"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/previews"
	"example.com/atlas/internal/redirects"
	"example.com/atlas/internal/routing"
	"example.com/atlas/internal/sessions"
	"example.com/atlas/internal/storage"
)

// statusOf maps domain errors to HTTP statuses; anything else is a 503.
var statusOf = []struct {
	err    error
	status int
}{
	{errBadRequest, http.StatusBadRequest},
	{storage.ErrNotFound, http.StatusNotFound},
	{builds.ErrNoManifest, http.StatusNotFound},
	{previews.ErrUnknownLink, http.StatusNotFound},
	{previews.ErrExpired, http.StatusNotFound},
	{routing.ErrSlugTaken, http.StatusConflict},
	{sessions.ErrLockedOut, http.StatusTooManyRequests},
	{ErrBadCredentials, http.StatusUnauthorized},
}

func fail(w http.ResponseWriter, err error) {
	for _, m := range statusOf {
		if errors.Is(err, m.err) {
			writeError(w, m.status, err)
			return
		}
	}
	writeError(w, http.StatusServiceUnavailable, err)
}

type loginHandler struct{ s *Server }

func (h *loginHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	userID, sites, err := h.s.Authenticate(r.Context(), email, req.Password)
	if errors.Is(err, ErrBadCredentials) {
		if lerr := h.s.sessions.RecordFailedLogin(r.Context(), email); lerr != nil {
			err = lerr
		}
	}
	if err != nil {
		fail(w, err)
		return
	}
	sess, err := h.s.sessions.Create(r.Context(), userID, email, sites)
	if err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: "atlas_session", Value: sess.ID, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, http.StatusCreated, map[string]any{"user": userID, "csrf": sess.CSRF, "sites": sess.SiteIDs})
}

type logoutHandler struct{ s *Server }

func (h *logoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.s.sessions.Destroy(r.Context(), sessionFrom(r).ID); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "atlas_session", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

type switchSiteHandler struct{ s *Server }

func (h *switchSiteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sess, err := h.s.sessions.SwitchSite(r.Context(), sessionFrom(r).ID, r.PathValue("site"))
	if err != nil {
		writeError(w, http.StatusForbidden, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"current_site": sess.Current})
}

type routesHandler struct{ s *Server }

func (h *routesHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t, err := h.s.routing.Table(r.Context(), r.PathValue("site"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

type setRouteHandler struct{ s *Server }

func (h *setRouteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Target string `json:"target"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	site, prefix := r.PathValue("site"), "/"+r.PathValue("prefix")
	defer func() {
		_ = h.s.audit.Record(context.WithoutCancel(r.Context()), audit.Event{
			SiteID: site, Actor: sessionFrom(r).Email, Action: "route.set", Detail: prefix + " -> " + req.Target,
		})
	}()
	if err := h.s.routing.SetRoute(r.Context(), site, prefix, req.Target); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type claimHandler struct{ s *Server }

func (h *claimHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		SiteID string `json:"site"`
	}
	err := decode(r, &req)
	if err == nil {
		err = h.s.routing.ClaimSlug(r.Context(), r.PathValue("slug"), req.SiteID)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type addRedirectHandler struct{ s *Server }

func (h *addRedirectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var rule redirects.Rule
	if err := decode(r, &rule); err != nil {
		fail(w, err)
		return
	}
	add := h.s.redirects.AddRule
	if !rule.Until.IsZero() {
		add = h.s.redirects.AddTemporary
	}
	if err := add(r.Context(), r.PathValue("site"), rule); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type redirectHitHandler struct{ s *Server }

func (h *redirectHitHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		From string `json:"from"`
	}
	err := decode(r, &req)
	if err == nil {
		err = h.s.redirects.RecordHit(r.Context(), r.PathValue("site"), req.From)
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

type publishHandler struct{ s *Server }

type publishRequest struct {
	BuildID string         `json:"build"`
	Assets  []builds.Asset `json:"assets"`
}

func (h *publishHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req publishRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 512<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	key, site := apiKeyFrom(r), r.PathValue("site")
	m := builds.Manifest{
		SiteID:    site,
		AccountID: site,
		BuildID:   req.BuildID,
		Files:     make(map[string]string, len(req.Assets)),
		CreatedAt: time.Now().UTC(),
		CreatedBy: "key:" + key.ID,
	}
	for _, a := range req.Assets {
		m.Files[a.Path] = a.Hash
	}
	defer func() {
		_ = h.s.audit.Record(context.WithoutCancel(r.Context()), audit.Event{SiteID: site, Actor: m.CreatedBy, Action: "build.publish", Detail: m.BuildID})
	}()
	if err := h.s.builds.Publish(r.Context(), m, req.Assets); err != nil {
		writeError(w, http.StatusBadGateway, err)
		return
	}
	last, _ := json.Marshal(map[string]any{"site": site, "build": m.BuildID, "at": m.CreatedAt})
	if err := h.s.content.Put(r.Context(), consts.KeyLastPublish, last, 0); err != nil { // EXPECT kvhotkey
		h.s.log.Warn("last-publish marker failed", "err", err)
	}
	if err := h.s.routing.SetBanner(r.Context(), site, "A new version of this site is rolling out."); err != nil {
		h.s.log.Warn("banner failed", "site", site, "err", err)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"build": m.BuildID})
}

type manifestHandler struct{ s *Server }

func (h *manifestHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m, err := h.s.builds.Manifest(r.Context(), r.PathValue("site"), r.PathValue("build"))
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

type previewHandler struct{ s *Server }

// ServeHTTP creates (POST), resolves (GET) and revokes (DELETE) preview links.
func (h *previewHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var req struct {
			BuildID string `json:"build"`
			TTL     int    `json:"ttl_seconds"`
		}
		if err := decode(r, &req); err != nil {
			fail(w, err)
			return
		}
		ttl := time.Duration(req.TTL) * time.Second
		link, err := h.s.previews.Create(r.Context(), r.PathValue("site"), req.BuildID, sessionFrom(r).Email, ttl)
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, link)
	case http.MethodGet:
		link, err := h.s.previews.Resolve(r.Context(), r.PathValue("token"))
		if err != nil {
			fail(w, err)
			return
		}
		writeJSON(w, http.StatusOK, link)
	case http.MethodDelete:
		if err := h.s.previews.Revoke(r.Context(), r.PathValue("token")); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

type viewHandler struct{ s *Server }

func (h *viewHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Paths []string `json:"paths"`
	}
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	for _, p := range req.Paths {
		h.s.views.Record(r.PathValue("site"), p)
	}
	w.WriteHeader(http.StatusAccepted)
}

type statsHandler struct{ s *Server }

func (h *statsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	page, err := h.s.routes.List(r.Context(), string(consts.PrefixSite), "", consts.ListPageSize) // EXPECT kvlist
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sites": len(page.Keys), "generated_at": time.Now().UTC()})
}
