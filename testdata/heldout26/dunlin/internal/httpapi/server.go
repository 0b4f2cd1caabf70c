// Package httpapi exposes the game backend over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/dunlin/internal/anticheat"
	"example.com/dunlin/internal/friends"
	"example.com/dunlin/internal/game"
	"example.com/dunlin/internal/keys"
	"example.com/dunlin/internal/kvstore"
	"example.com/dunlin/internal/leaderboard"
	"example.com/dunlin/internal/lobby"
	"example.com/dunlin/internal/middleware"
	"example.com/dunlin/internal/moderation"
	"example.com/dunlin/internal/profile"
	"example.com/dunlin/internal/rewards"
	"example.com/dunlin/internal/season"
	"example.com/dunlin/internal/session"
)

// Authenticator checks player credentials against the account service.
type Authenticator interface {
	Verify(ctx context.Context, user, password string) (player string, plan game.Plan, err error)
}

// Queue hands players to the match-maker.
type Queue interface {
	Enqueue(ctx context.Context, player, region string, tier game.Tier) (ticket string, err error)
}

// Wrapper is anything that can wrap the API handler (rate limiter, heartbeat).
type Wrapper interface {
	Wrap(http.Handler) http.Handler
}

// Services are the collaborators the API needs.
type Services struct {
	Auth        Authenticator
	Queue       Queue
	Sessions    *session.Manager
	Lobbies     *lobby.Service
	Board       *leaderboard.Board
	Rewards     *rewards.Service
	Friends     *friends.Service
	Guard       *anticheat.Guard
	Season      *season.Service
	Profiles    *profile.Service
	Console     *moderation.Console
	Ops         kvstore.Store
	Keys        keys.Space
	StaffTokens map[string]game.Role
}

// Server is the API root handler.
type Server struct {
	svc      Services
	mux      *http.ServeMux
	wrappers []Wrapper
	logger   *log.Logger
	deadline time.Duration
	root     http.Handler
}

// New builds the server and its routes.
func New(svc Services, logger *log.Logger) *Server {
	s := &Server{svc: svc, mux: http.NewServeMux(), logger: logger, deadline: 10 * time.Second}
	s.routes()
	s.build()
	return s
}

// Use adds wrappers; the first added is the outermost after recovery. Call
// it before serving.
func (s *Server) Use(w ...Wrapper) {
	s.wrappers = append(s.wrappers, w...)
	s.build()
}

func (s *Server) build() {
	mws := []middleware.Middleware{middleware.Recover(s.logger)}
	for _, w := range s.wrappers {
		mws = append(mws, w.Wrap)
	}
	s.root = middleware.Chain(s.mux, append(mws, middleware.Deadline(s.deadline))...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.root.ServeHTTP(w, r) }

func (s *Server) routes() {
	s.mux.Handle("/v1/sessions", http.HandlerFunc(s.login))
	s.mux.Handle("/v1/sessions/refresh", http.HandlerFunc(s.refresh))
	s.mux.Handle("/v1/sessions/logout", s.authed(s.logout))
	s.mux.Handle("/v1/sessions/region", s.authed(s.setRegion))
	s.mux.Handle("/v1/sessions/handoff", s.authed(s.handoff))
	s.mux.Handle("/v1/lobbies", s.authed(s.lobbies))
	s.mux.Handle("/v1/lobbies/join", s.authed(s.joinLobby))
	s.mux.Handle("/v1/lobbies/start", s.authed(s.startMatch))
	s.mux.Handle("/v1/matchmaking/enqueue", s.authed(s.enqueue))
	s.mux.Handle("/v1/leaderboard", s.authed(s.leaderboard))
	s.mux.Handle("/v1/rewards/claim", s.authed(s.claim))
	s.mux.Handle("/v1/friends/invites", s.authed(s.invites))
	s.mux.Handle("/v1/friends/accept", s.authed(s.acceptInvite))
	s.mux.Handle("/v1/anticheat/nonce", s.authed(s.nonce))
	s.mux.Handle("/v1/anticheat/report", s.authed(s.report))
	s.mux.Handle("/v1/profiles/", &profileHandler{profiles: s.svc.Profiles, sessions: s.svc.Sessions})
	s.mux.Handle("/staff/", &staffHandler{console: s.svc.Console, tokens: s.svc.StaffTokens})
}

type sessionKey struct{}

type authedFunc func(http.ResponseWriter, *http.Request, session.Session)

// authed resolves the bearer session before calling h.
func (s *Server) authed(h authedFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeErr(w, http.StatusUnauthorized, errors.New("missing bearer token"))
			return
		}
		sess, err := s.svc.Sessions.Lookup(r.Context(), tok)
		if err != nil {
			writeErr(w, http.StatusUnauthorized, err)
			return
		}
		if err := s.svc.Sessions.Touch(r.Context(), sess); err != nil {
			s.logger.Printf("touch session: %v", err)
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)), sess)
	})
}

// PlanFor implements middleware.PlanResolver; the limiter runs before
// authentication, so callers are budgeted as free unless already resolved.
func (s *Server) PlanFor(r *http.Request) game.Plan {
	if sess, ok := r.Context().Value(sessionKey{}).(session.Session); ok {
		return sess.Plan
	}
	return game.PlanFree
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// statusOf maps domain errors to HTTP statuses.
func statusOf(err error) int {
	switch {
	case errors.Is(err, session.ErrUnknown):
		return http.StatusUnauthorized
	case errors.Is(err, lobby.ErrNotFound), errors.Is(err, friends.ErrNoInvite), errors.Is(err, profile.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, lobby.ErrNameTaken), errors.Is(err, lobby.ErrFull),
		errors.Is(err, rewards.ErrAlreadyClaimed), errors.Is(err, anticheat.ErrReplayedNonce):
		return http.StatusConflict
	case errors.Is(err, lobby.ErrBadName), errors.Is(err, friends.ErrSelf):
		return http.StatusBadRequest
	case errors.Is(err, anticheat.ErrNonceOwner):
		return http.StatusForbidden
	case errors.Is(err, session.ErrLocked):
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// reply writes v with status, or the mapped error.
func reply(w http.ResponseWriter, status int, v any, err error) {
	switch {
	case err != nil:
		writeErr(w, statusOf(err), err)
	case v == nil:
		w.WriteHeader(status)
	default:
		writeJSON(w, status, v)
	}
}

func decode(r *http.Request, v any) error {
	defer r.Body.Close()
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// bind checks the method and decodes the JSON body, answering the client
// itself when either is wrong.
func bind(w http.ResponseWriter, r *http.Request, method string, v any) bool {
	if !requireMethod(w, r, method) {
		return false
	}
	if err := decode(r, v); err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return false
	}
	return true
}

func requireMethod(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	w.Header().Set("Allow", strings.Join(methods, ", "))
	writeErr(w, http.StatusMethodNotAllowed, errors.New("method not allowed"))
	return false
}
