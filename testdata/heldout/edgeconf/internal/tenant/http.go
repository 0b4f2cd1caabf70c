package tenant

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server exposes the signup and membership endpoints.
type Server struct {
	svc *Service
	log *slog.Logger
}

// NewServer returns the HTTP front of svc.
func NewServer(svc *Service, log *slog.Logger) *Server {
	return &Server{svc: svc, log: log}
}

// Routes registers the tenant endpoints on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/signup", s.handleSignup)
	mux.HandleFunc("POST /v1/verify", s.handleVerify)
	mux.HandleFunc("POST /v1/tenants/{id}/plan", s.handleChangePlan)
	mux.HandleFunc("POST /v1/tenants/{id}/invites", s.handleInvite)
	mux.HandleFunc("POST /v1/invites/{code}/accept", s.handleAccept)
	mux.HandleFunc("GET /v1/resolve", s.handleResolve)
}

type signupBody struct {
	Name      string `json:"name"`
	Subdomain string `json:"subdomain"`
	Email     string `json:"email"`
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	var body signupBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 16<<10)).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "malformed body")
		return
	}
	req := SignupRequest{
		RequestID: r.Header.Get("Cf-Ray"),
		Name:      body.Name,
		Subdomain: body.Subdomain,
		Email:     body.Email,
		ClientIP:  clientIP(r),
	}
	if req.RequestID == "" {
		req.RequestID = randomID()
	}
	t, token, err := s.svc.Signup(r.Context(), req)
	switch {
	case errors.Is(err, ErrSubdomainTaken), errors.Is(err, ErrSubdomainReserved):
		writeError(w, http.StatusConflict, err.Error())
		return
	case errors.Is(err, ErrSubdomainInvalid):
		writeError(w, http.StatusUnprocessableEntity, err.Error())
		return
	case errors.Is(err, ErrTooManySignups):
		writeError(w, http.StatusTooManyRequests, err.Error())
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "signup failed", "err", err)
		writeError(w, http.StatusInternalServerError, "signup failed")
		return
	}
	// The token is mailed, never returned; we only log that it exists.
	s.log.InfoContext(r.Context(), "tenant created", "tenant", t.ID, "subdomain", t.Subdomain, "token_len", len(token))
	writeJSON(w, http.StatusCreated, t)
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	t, err := s.svc.Verify(r.Context(), token)
	if errors.Is(err, ErrTokenInvalid) {
		writeError(w, http.StatusGone, err.Error())
		return
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "verify failed", "err", err)
		writeError(w, http.StatusInternalServerError, "verify failed")
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (s *Server) handleChangePlan(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Plan string `json:"plan"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Plan == "" {
		writeError(w, http.StatusBadRequest, "plan required")
		return
	}
	if err := s.svc.ChangePlan(r.Context(), r.PathValue("id"), body.Plan); err != nil {
		if errors.Is(err, ErrNotFound) {
			writeError(w, http.StatusNotFound, "no such tenant")
			return
		}
		writeError(w, http.StatusInternalServerError, "plan change failed")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email     string    `json:"email"`
		Role      string    `json:"role"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeError(w, http.StatusBadRequest, "malformed body")
		return
	}
	if body.ExpiresAt.IsZero() {
		body.ExpiresAt = time.Now().Add(7 * 24 * time.Hour)
	}
	inv, err := s.svc.Invite(r.Context(), r.PathValue("id"), body.Email, body.Role, body.ExpiresAt)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, inv)
}

func (s *Server) handleAccept(w http.ResponseWriter, r *http.Request) {
	m, err := s.svc.AcceptInvite(r.Context(), r.PathValue("code"))
	if errors.Is(err, ErrInviteInvalid) {
		writeError(w, http.StatusGone, err.Error())
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "accept failed")
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request) {
	t, err := s.svc.ResolveHost(r.Context(), r.URL.Query().Get("host"))
	if errors.Is(err, ErrNotFound) {
		writeError(w, http.StatusNotFound, "unknown host")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadGateway, "resolve failed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"tenant_id": t.ID, "plan": t.Plan})
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("Cf-Connecting-Ip"); ip != "" {
		return ip
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
