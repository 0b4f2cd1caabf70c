package lobby

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"
	"github.com/samber/lo"
)

// Routes mounts the lobby API.
func (s *Service) Routes() chi.Router {
	r := chi.NewRouter()
	r.Post("/", s.handleCreate)
	r.Get("/", s.handleBrowse)
	r.Get("/{id}", s.handleGet)
	r.Post("/{id}/join", s.handleJoin)
	r.Post("/{id}/start", s.handleStart)
	r.Post("/invites/{code}", s.handleRedeem)
	return r
}

func player(r *http.Request) string { return r.Header.Get("X-Player-ID") }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrNoLobby), errors.Is(err, ErrBadInvite):
		status = http.StatusNotFound
	case errors.Is(err, ErrFull), errors.Is(err, ErrCodeInUse):
		status = http.StatusConflict
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func (s *Service) handleCreate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Mode    string `json:"mode"`
		Region  string `json:"region"`
		Private bool   `json:"private"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	l, code, err := s.Create(r.Context(), player(r), body.Mode, body.Region, body.Private)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"lobby": l, "code": code})
}

// handleBrowse returns one page of lobby ids; clients pass the cursor back.
func (s *Service) handleBrowse(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	limit = min(max(limit, 10), 100)
	page, err := s.KV.List(r.Context(), "lobby:", r.URL.Query().Get("cursor"), limit)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ids":    lo.Map(page.Keys, func(k string, _ int) ID { return ID(k[len("lobby:"):]) }),
		"cursor": lo.Ternary(page.Complete, "", page.Cursor),
	})
}

func (s *Service) handleGet(w http.ResponseWriter, r *http.Request) {
	l, err := s.Get(r.Context(), ID(chi.URLParam(r, "id")))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Service) handleJoin(w http.ResponseWriter, r *http.Request) {
	l, err := s.Join(r.Context(), ID(chi.URLParam(r, "id")), player(r))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Service) handleStart(w http.ResponseWriter, r *http.Request) {
	id := ID(chi.URLParam(r, "id"))
	if err := s.StartCountdown(r.Context(), id); err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Service) handleRedeem(w http.ResponseWriter, r *http.Request) {
	l, err := s.Redeem(r.Context(), InviteCode(chi.URLParam(r, "code")), player(r))
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}
