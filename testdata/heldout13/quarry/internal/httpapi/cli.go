package httpapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"example.com/quarry/internal/kvio"
	"example.com/quarry/internal/kvstore"
)

// cliRoutes are the endpoints used by the quarry CLI and the runners.
func (a *api) cliRoutes(mux *http.ServeMux) {
	mux.Handle("POST /api/tokens", a.authed(a.issueToken))
	mux.Handle("DELETE /api/tokens/{hash}", a.authed(a.revokeToken))
	mux.Handle("GET /api/projects/{slug}/builds/{n}/artifacts", a.authed(a.listArtifacts))
	mux.Handle("POST /api/artifacts/{id...}", a.authed(a.tagArtifact))
	mux.Handle("PUT /api/bundles/{id}", a.authed(a.putBundle))
	mux.HandleFunc("POST /auth/refresh", a.refresh)
}

func (a *api) refresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.RefreshToken == "" {
		fail(w, http.StatusBadRequest, "refresh_token required")
		return
	}
	next, rec, err := a.OAuth.Rotate(r.Context(), req.RefreshToken)
	if err != nil {
		fail(w, http.StatusUnauthorized, "invalid refresh token")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		RefreshToken string `json:"refresh_token"`
		Login        string `json:"login"`
	}{next, rec.Login})
}

func (a *api) issueToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name   string   `json:"name"`
		Scopes []string `json:"scopes"`
		Days   int      `json:"days"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Name == "" {
		fail(w, http.StatusBadRequest, "name required")
		return
	}
	exp := time.Now().Add(time.Duration(max(req.Days, 1)) * 24 * time.Hour)
	raw, err := a.Tokens.Issue(r.Context(), who(r.Context()).UserID, req.Name, req.Scopes, exp)
	if err != nil {
		fail(w, http.StatusInternalServerError, "could not issue token")
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Token     string    `json:"token"`
		ExpiresAt time.Time `json:"expires_at"`
	}{raw, exp})
}

func (a *api) revokeToken(w http.ResponseWriter, r *http.Request) {
	if err := a.Tokens.Revoke(r.Context(), r.PathValue("hash")); err != nil {
		fail(w, http.StatusInternalServerError, "could not revoke")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *api) listArtifacts(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.ParseInt(r.PathValue("n"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, "bad build number")
		return
	}
	list, err := a.Artifacts.ListForBuild(r.Context(), r.PathValue("slug"), n)
	if err != nil {
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (a *api) tagArtifact(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag")
	if tag == "" {
		fail(w, http.StatusBadRequest, "tag required")
		return
	}
	if err := a.Artifacts.AddTag(r.Context(), r.PathValue("id"), tag); err != nil {
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// putBundle streams a build bundle (cache tarball) into numbered parts.
func (a *api) putBundle(w http.ResponseWriter, r *http.Request) {
	cw := kvio.NewChunkWriter(r.Context(), a.Store, "bundle:"+r.PathValue("id"), kvstore.PutOptions{TTL: 7 * 24 * time.Hour})
	if _, err := io.Copy(cw, http.MaxBytesReader(w, r.Body, 1<<30)); err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	parts, err := cw.Close()
	if err != nil {
		fail(w, http.StatusInternalServerError, "storage error")
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Parts int `json:"parts"`
	}{parts})
}
