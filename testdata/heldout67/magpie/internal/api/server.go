// Package api is the media backend's HTTP API.
package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/magpie-media/magpie/internal/admin"
	"github.com/magpie-media/magpie/internal/media/downloads"
	"github.com/magpie-media/magpie/internal/media/purge"
	"github.com/magpie-media/magpie/internal/media/uploads"
	"github.com/magpie-media/magpie/internal/media/variants"
)

// Server wires the domain services to routes.
type Server struct {
	Variants *variants.Service
	Uploads  *uploads.Manager
	Links    *downloads.Issuer
	Purges   *purge.Queue
	Console  *admin.Sessions
	Log      *slog.Logger
}

// Routes returns the API's mux.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/images/{id}/manifest", s.getManifest)
	mux.HandleFunc("POST /v1/images/{id}/variants", s.postVariant)
	mux.HandleFunc("GET /v1/manifests", s.listManifests)
	mux.HandleFunc("POST /v1/uploads", s.createUpload)
	mux.HandleFunc("PATCH /v1/uploads/{id}", s.patchUpload)
	mux.HandleFunc("HEAD /v1/uploads/{id}", s.headUpload)
	mux.HandleFunc("POST /v1/links", s.createLink)
	mux.HandleFunc("POST /v1/links/{id}/slug", s.claimSlug)
	mux.HandleFunc("DELETE /v1/links/{id}", s.revokeLink)
	mux.HandleFunc("POST /v1/purges", s.createPurge)
	mux.HandleFunc("POST /console/logout", s.logout)
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, err error) {
	s.Log.Warn("api error", "path", r.URL.Path, "code", code, "err", err)
	http.Error(w, http.StatusText(code), code)
}

func (s *Server) getManifest(w http.ResponseWriter, r *http.Request) {
	m, err := s.Variants.Manifest(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) postVariant(w http.ResponseWriter, r *http.Request) {
	var v variants.Variant
	if err := json.NewDecoder(r.Body).Decode(&v); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	v.Created = time.Now().Unix()
	if err := s.Variants.AddVariant(r.Context(), r.PathValue("id"), v); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	if tags := r.URL.Query()["tag"]; len(tags) > 0 {
		s.Variants.MergeTags(r.PathValue("id"), tags)
	}
}

func (s *Server) listManifests(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	names, next, err := s.Variants.Page(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Keys   []string `json:"keys"`
		Cursor string   `json:"cursor,omitempty"`
	}{names, next})
}

func (s *Server) createUpload(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Owner    string `json:"owner"`
		Filename string `json:"filename"`
		Size     int64  `json:"size"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	sess, err := s.Uploads.Create(r.Context(), req.Owner, req.Filename, req.Size)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	tile, _ := json.Marshal(map[string]any{"owner": sess.Owner, "file": sess.Filename, "at": time.Now().Unix()})
	if err := s.Uploads.KV.Put(r.Context(), "dashboard:last-upload", tile, 0); err != nil { // EXPECT kvhotkey
		s.Log.Debug("dashboard tile", "err", err)
	}
	w.Header().Set("Location", "/v1/uploads/"+sess.ID)
	writeJSON(w, http.StatusCreated, sess)
}

func (s *Server) patchUpload(w http.ResponseWriter, r *http.Request) {
	off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	part := uploads.Part{Offset: off, Size: r.ContentLength, ETag: r.Header.Get("X-Part-ETag")}
	sess, err := s.Uploads.RecordPart(r.Context(), r.PathValue("id"), part)
	if errors.Is(err, uploads.ErrGone) {
		s.fail(w, r, http.StatusGone, err)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	if sess.Received() >= sess.Size {
		_ = s.Uploads.Finish(r.Context(), sess.ID)
	}
	w.Header().Set("Upload-Offset", strconv.FormatInt(sess.Received(), 10))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) headUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.Uploads.Touch(r.Context(), id); err != nil {
		s.fail(w, r, http.StatusGone, err)
		return
	}
	n, _ := s.Uploads.Resume(r.Context(), id)
	w.Header().Set("Upload-Offset", strconv.FormatInt(n, 10))
}

func (s *Server) createLink(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Owner, Object, Filename string
		OneTime                 bool
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	u, l, err := s.Links.Issue(r.Context(), req.Owner, req.Object, req.Filename)
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	resp := map[string]string{"url": u, "id": l.ID}
	if req.OneTime {
		tok, err := s.Links.IssueOneTime(r.Context(), l)
		if err != nil {
			s.fail(w, r, http.StatusInternalServerError, err)
			return
		}
		resp["token"] = tok
	}
	writeJSON(w, http.StatusCreated, resp)
}

func (s *Server) claimSlug(w http.ResponseWriter, r *http.Request) {
	slug := r.URL.Query().Get("slug")
	switch err := s.Links.ClaimSlug(r.Context(), slug, r.PathValue("id")); {
	case errors.Is(err, downloads.ErrSlugTaken):
		s.fail(w, r, http.StatusConflict, err)
	case err != nil:
		s.fail(w, r, http.StatusInternalServerError, err)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) revokeLink(w http.ResponseWriter, r *http.Request) {
	if err := s.Links.Revoke(r.Context(), r.PathValue("id"), r.URL.Query().Get("reason")); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createPurge(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Zone     string   `json:"zone"`
		URLs     []string `json:"urls"`
		Prefixes []string `json:"prefixes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	j, err := s.Purges.Enqueue(r.Context(), req.Zone, req.URLs, req.Prefixes)
	if errors.Is(err, purge.ErrQuota) {
		s.fail(w, r, http.StatusTooManyRequests, err)
		return
	}
	if err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	writeJSON(w, http.StatusAccepted, j)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	cs, err := s.Console.Current(r)
	if err != nil || cs == nil {
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
		return
	}
	if err := s.Console.End(r.Context(), w, cs); err != nil {
		s.fail(w, r, http.StatusInternalServerError, err)
		return
	}
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}
