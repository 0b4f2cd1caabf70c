//go:build js && wasm

package episodes

import (
	"encoding/json"
	"errors"
	"net/http"

	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

// Register mounts the episode routes.
func (s *Store) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /episodes", s.handleList)
	mux.HandleFunc("GET /episodes/recent", s.handleRecent)
	mux.HandleFunc("GET /episodes/{id}", s.handleGet)
	mux.HandleFunc("PATCH /episodes/{id}/draft", s.handleDraft)
	mux.HandleFunc("POST /episodes/{id}/chapters", s.handleChapter)
	mux.HandleFunc("PUT /episodes/{id}/chapters", s.handleChapters)
	mux.HandleFunc("POST /episodes/{id}/slug", s.handleSlug)
	mux.HandleFunc("POST /episodes/{id}/schedule", s.handleSchedule)
	mux.HandleFunc("POST /episodes/{id}/previews", s.handlePreview)
	mux.HandleFunc("POST /episodes/{id}/teasers", s.handleTeaser)
	mux.HandleFunc("GET /p/{token}", s.handleOpenPreview)
	mux.HandleFunc("GET /e/{slug}", s.handleSlugRedirect)
	mux.HandleFunc("POST /shows/{show}/publish", s.handlePublish)
	mux.HandleFunc("GET /sitemap.json", s.handleSitemap)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	var nf *kverr.NotFoundError
	var ce *kverr.ConflictError
	switch {
	case errors.As(err, &nf):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.As(err, &ce):
		http.Error(w, ce.Error(), http.StatusConflict)
	default:
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (s *Store) handleList(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	ids, next, err := s.RecentIDs(ctx, r.URL.Query().Get("cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"episodes": ids, "cursor": next})
}

func (s *Store) handleRecent(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	eps, next, err := s.Recent(ctx, r.URL.Query().Get("cursor"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"episodes": eps, "cursor": next})
}

func (s *Store) handleGet(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	id := r.PathValue("id")
	if held, err := s.Embargoed(ctx, id); err != nil || held {
		http.NotFound(w, r)
		return
	}
	ep, err := s.Get(ctx, id)
	if err != nil {
		writeErr(w, err)
		return
	}
	if d, ok := s.CachedDuration(ctx, id); ok {
		ep.Duration = d
	}
	writeJSON(w, http.StatusOK, ep)
}

func (s *Store) handleDraft(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var patch struct {
		Title *string `json:"title"`
		Notes *string `json:"notes"`
	}
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.SaveDraft(ctx, r.PathValue("id"), patch); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Store) handleChapter(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var ch Chapter
	if err := json.NewDecoder(r.Body).Decode(&ch); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.AddChapter(ctx, r.PathValue("id"), ch); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Store) handleChapters(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var chs []Chapter
	if err := json.NewDecoder(r.Body).Decode(&chs); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.ReplaceChapters(ctx, r.PathValue("id"), chs); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Store) handleSlug(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var body struct {
		Slug string `json:"slug"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.ClaimSlug(ctx, body.Slug, r.PathValue("id")); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Store) handleSlugRedirect(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	id, err := s.ResolveSlug(ctx, r.PathValue("slug"))
	if err != nil {
		writeErr(w, err)
		return
	}
	http.Redirect(w, r, "/episodes/"+id, http.StatusFound)
}

func (s *Store) handleSchedule(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var ep Episode
	if err := json.NewDecoder(r.Body).Decode(&ep); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ep.ID = r.PathValue("id")
	if err := s.Schedule(ctx, ep); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Store) handlePreview(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	p, err := s.IssuePreview(ctx, r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Store) handleTeaser(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	p, err := s.IssueTeaser(ctx, r.PathValue("id"))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

func (s *Store) handleOpenPreview(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	p, err := s.OpenPreview(ctx, r.PathValue("token"))
	if err != nil {
		writeErr(w, err)
		return
	}
	ep, err := s.Get(ctx, p.EpisodeID)
	if err != nil {
		writeErr(w, err)
		return
	}
	http.Redirect(w, r, ep.AudioURL, http.StatusFound)
}

func (s *Store) handlePublish(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var eps []Episode
	if err := json.NewDecoder(r.Body).Decode(&eps); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.PublishBatch(ctx, r.PathValue("show"), eps); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Store) handleSitemap(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	slugs, err := s.Sitemap(ctx)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, slugs)
}
