// Package server exposes the rider and partner HTTP APIs.
package server

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/ember/internal/auth"
	"example.com/ember/internal/docks"
	"example.com/ember/internal/httpx"
	"example.com/ember/internal/kvstore"
	"example.com/ember/internal/leaderboard"
	"example.com/ember/internal/quota"
	"example.com/ember/internal/unlock"
	"example.com/ember/internal/wallet"
)

// Deps is everything the handlers use. It is filled in by main and copied
// into the server.
type Deps struct {
	Docks     *docks.Service
	Unlock    *unlock.Service
	Wallet    *wallet.Service
	Boards    *leaderboard.Service
	Auth      *auth.Service
	Quota     *quota.Limiter
	Store     kvstore.Store
	CF        *cloudflare.Client
	Account   string
	Namespace string
	Log       *slog.Logger
	Record    func(r *http.Request, event string)
}

// Server serves the APIs.
type Server struct {
	deps Deps
	mux  *http.ServeMux
}

// New builds the server and its routes.
func New(deps Deps) *Server {
	s := &Server{deps: deps, mux: http.NewServeMux()}
	authed := httpx.RequireSession(deps.Auth, deps.Log)
	partner := httpx.PartnerQuota(deps.Quota, deps.Log)
	s.mux.Handle("GET /v1/docks", http.HandlerFunc(s.handleDock))
	s.mux.Handle("GET /partner/v1/docks", partner(http.HandlerFunc(s.handleDock)))
	s.mux.Handle("POST /v1/unlock", authed(http.HandlerFunc(s.handleUnlock)))
	s.mux.Handle("POST /v1/unlock/redeem", authed(http.HandlerFunc(s.handleRedeem)))
	s.mux.Handle("POST /v1/wallet/coupon", authed(http.HandlerFunc(s.handleCoupon)))
	s.mux.Handle("POST /v1/auth/logout", authed(http.HandlerFunc(s.handleLogout)))
	s.mux.HandleFunc("POST /v1/auth/refresh", s.handleRefresh)
	s.mux.HandleFunc("GET /v1/leaderboard", s.handleBoard)
	s.mux.HandleFunc("GET /v1/announcement", s.handleAnnouncement)
	s.mux.HandleFunc("GET /healthz", s.handleHealth)
	return s
}

// Handler returns the root handler with the common middleware.
func (s *Server) Handler() http.Handler {
	return httpx.Chain(s.mux, httpx.RequestID(), httpx.Logging(s.deps.Log), httpx.LastSeen(s.deps.Store, s.deps.Log))
}

func (s *Server) handleDock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, err := s.deps.Docks.Get(r.Context(), q.Get("city"), q.Get("station"))
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "availability unavailable")
		return
	}
	httpx.JSON(w, http.StatusOK, d)
}

func (s *Server) handleUnlock(w http.ResponseWriter, r *http.Request) {
	sess, _ := httpx.SessionFrom(r.Context())
	c, err := s.deps.Unlock.Issue(r.Context(), sess.Rider, r.URL.Query().Get("vehicle"))
	if err != nil {
		httpx.Error(w, http.StatusInternalServerError, "could not issue code")
		return
	}
	if err := s.deps.Auth.KeepAlive(r.Context(), sess); err != nil {
		s.deps.Log.Warn("session keep-alive failed", "err", err)
	}
	s.deps.Record(r, "unlock_issued:"+sess.City)
	httpx.JSON(w, http.StatusCreated, c)
}

func (s *Server) handleRedeem(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := s.deps.Unlock.Redeem(r.Context(), q.Get("vehicle"), q.Get("code"))
	switch {
	case errors.Is(err, unlock.ErrBadCode), errors.Is(err, unlock.ErrLocked):
		httpx.Error(w, http.StatusForbidden, err.Error())
	case err != nil:
		httpx.Error(w, http.StatusInternalServerError, "redeem failed")
	default:
		httpx.JSON(w, http.StatusOK, c)
	}
}

func (s *Server) handleCoupon(w http.ResponseWriter, r *http.Request) {
	sess, _ := httpx.SessionFrom(r.Context())
	pct, err := s.deps.Wallet.RedeemCoupon(r.Context(), r.URL.Query().Get("code"), sess.Rider)
	if err != nil {
		httpx.Error(w, http.StatusConflict, err.Error())
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"percent_off": pct})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, _ := httpx.SessionFrom(r.Context())
	if err := s.deps.Auth.End(r.Context(), sess.ID); err != nil {
		httpx.Error(w, http.StatusInternalServerError, "logout failed")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Token string `json:"refresh_token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		httpx.Error(w, http.StatusBadRequest, "bad body")
		return
	}
	sess, tok, err := s.deps.Auth.Rotate(r.Context(), body.Token)
	if err != nil {
		httpx.Error(w, http.StatusUnauthorized, "refresh rejected")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"session": sess.ID, "refresh_token": tok.Token})
}

func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request) {
	day := time.Now()
	if v := r.URL.Query().Get("days_ago"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 30 {
			httpx.Error(w, http.StatusBadRequest, "days_ago must be 0..30")
			return
		}
		day = day.AddDate(0, 0, -n)
	}
	b, err := s.deps.Boards.Get(r.Context(), r.URL.Query().Get("city"), day)
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "leaderboard unavailable")
		return
	}
	httpx.JSON(w, http.StatusOK, b)
}

// handleAnnouncement returns the banner text operations set for a city.
func (s *Server) handleAnnouncement(w http.ResponseWriter, r *http.Request) {
	key := "announcement:" + r.URL.Query().Get("city")
	res, _ := s.deps.CF.KV.Namespaces.Values.Get(r.Context(), s.deps.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.deps.Account)})
	text, err := io.ReadAll(res.Body) // EXPECT kvnull
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "announcement unavailable")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"text": string(text)})
}

// handleHealth is polled by the load balancer every few seconds.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	now := time.Now().UTC().Format(time.RFC3339)
	_, err := s.deps.CF.KV.Namespaces.Values.Update(r.Context(), s.deps.Namespace, "health:last-probe", kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.deps.Account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(now))}) // EXPECT kvhotkey
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, "kv unavailable")
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok", "at": now})
}
