package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"example.com/dunlin/internal/profile"
	"example.com/dunlin/internal/session"
)

type tokenResponse struct {
	Session string `json:"session"`
	Refresh string `json:"refresh"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User     string `json:"user"`
		Password string `json:"password"`
		Region   string `json:"region"`
	}
	if !bind(w, r, http.MethodPost, &req) {
		return
	}
	player, plan, err := s.svc.Auth.Verify(r.Context(), req.User, req.Password)
	if err != nil {
		if lerr := s.svc.Sessions.RecordFailedLogin(r.Context(), req.User); errors.Is(lerr, session.ErrLocked) {
			err = lerr
		}
		writeErr(w, max(statusOf(err), http.StatusUnauthorized), err)
		return
	}
	if _, err := s.svc.Profiles.Init(r.Context(), player, req.User); err != nil {
		s.logger.Printf("init profile %s: %v", player, err)
	}
	sess, rt, err := s.svc.Sessions.Create(r.Context(), player, plan, req.Region)
	reply(w, http.StatusCreated, tokenResponse{Session: sess.ID, Refresh: rt.ID}, err)
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Refresh string `json:"refresh"`
	}
	if !bind(w, r, http.MethodPost, &req) {
		return
	}
	sess, rt, err := s.svc.Sessions.Rotate(r.Context(), req.Refresh)
	reply(w, http.StatusOK, tokenResponse{Session: sess.ID, Refresh: rt.ID}, err)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess session.Session) {
	if requireMethod(w, r, http.MethodPost) {
		reply(w, http.StatusNoContent, nil, s.svc.Sessions.Logout(r.Context(), sess.ID))
	}
}

func (s *Server) setRegion(w http.ResponseWriter, r *http.Request, sess session.Session) {
	var req struct {
		Region string `json:"region"`
	}
	if !bind(w, r, http.MethodPut, &req) {
		return
	}
	updated, err := s.svc.Sessions.SetRegion(r.Context(), sess.ID, req.Region)
	reply(w, http.StatusOK, updated, err)
}

func (s *Server) handoff(w http.ResponseWriter, r *http.Request, sess session.Session) {
	server := r.URL.Query().Get("server")
	if server == "" {
		writeErr(w, http.StatusBadRequest, errors.New("server is required"))
		return
	}
	ticket, err := s.svc.Sessions.IssueHandoff(r.Context(), sess, server)
	reply(w, http.StatusOK, map[string]string{"ticket": ticket}, err)
}

// profileHandler serves /v1/profiles/{id}.
type profileHandler struct {
	profiles *profile.Service
	sessions *session.Manager
}

func (h *profileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !requireMethod(w, r, http.MethodGet) {
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/v1/profiles/")
	p, err := h.profiles.Get(r.Context(), id)
	if err != nil {
		reply(w, 0, nil, err)
		return
	}
	viewer := ""
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		if sess, err := h.sessions.Lookup(r.Context(), tok); err == nil {
			viewer = sess.Player
		}
	}
	views, _ := h.profiles.View(r.Context(), viewer, id)
	writeJSON(w, http.StatusOK, struct {
		profile.Profile
		Views int `json:"views"`
	}{p, views})
}
