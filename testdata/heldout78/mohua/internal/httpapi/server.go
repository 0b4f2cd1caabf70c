// Package httpapi adapts HTTP requests into use-case inputs and renders the
// presenters' outputs as JSON.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mohua-labs/mohua/internal/gateway"
	"github.com/mohua-labs/mohua/internal/kvrest"
	"github.com/mohua-labs/mohua/internal/usecase"
)

// jsonPresenter writes an interactor's output to the response.
type jsonPresenter[O any] struct {
	w http.ResponseWriter
}

func (p jsonPresenter[O]) Present(out O) {
	p.w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(p.w).Encode(out)
}

func (p jsonPresenter[O]) PresentError(err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, usecase.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, usecase.ErrHandleTaken):
		status = http.StatusConflict
	}
	http.Error(p.w, err.Error(), status)
}

// Server is the public API.
type Server struct {
	GW         *gateway.KV
	Store      *kvrest.Store
	NS         kvrest.Namespace
	PerMinute  int
	SessionTTL time.Duration
}

// Routes returns the router.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/portfolio/{addr}", s.portfolio)
	mux.HandleFunc("PUT /v1/handles/{handle}", s.authed(s.claimHandle))
	mux.HandleFunc("POST /v1/watchlist", s.authed(s.watch))
	mux.HandleFunc("POST /v1/logout", s.authed(s.logout))
	mux.HandleFunc("POST /v1/refresh", s.refresh)
	mux.HandleFunc("POST /v1/verify-email", s.verifyEmail)
	return s.limit(mux)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// limit enforces a per-IP request budget per minute.
func (s *Server) limit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		key := fmt.Sprintf("ratelimit:%s:%d", clientIP(r), time.Now().Unix()/60)
		n := 0
		raw, err := s.Store.Get(ctx, s.NS, key)
		if err == nil {
			n, _ = strconv.Atoi(string(raw))
		} else if !errors.Is(err, kvrest.ErrNotFound) {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if n >= s.PerMinute {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "rate limited", http.StatusTooManyRequests)
			return
		}
		if err := s.Store.PutTTL(ctx, s.NS, key, []byte(strconv.Itoa(n+1)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = s.Store.Put(ctx, s.NS, "api:last-request", []byte(time.Now().UTC().Format(time.RFC3339))) // EXPECT kvhotkey
		next.ServeHTTP(w, r)
	})
}

type sessionKey struct{}

// authed loads the bearer session and extends it.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		sess, err := s.GW.Session(r.Context(), id)
		if err != nil || time.Now().After(sess.ExpiresAt) {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if err := s.GW.TouchSession(r.Context(), sess); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	}
}

func session(r *http.Request) usecase.Session {
	s, _ := r.Context().Value(sessionKey{}).(usecase.Session)
	return s
}

func (s *Server) portfolio(w http.ResponseWriter, r *http.Request) {
	uc := usecase.GetPortfolio{Gateway: s.GW, Presenter: jsonPresenter[usecase.PortfolioOutput]{w}}
	_ = uc.Execute(r.Context(), usecase.PortfolioInput{ChainID: s.GW.ChainID, Address: r.PathValue("addr"), Cursor: r.URL.Query().Get("cursor")})
}

func (s *Server) claimHandle(w http.ResponseWriter, r *http.Request) {
	uc := usecase.ClaimHandle{Handles: s.GW, Presenter: jsonPresenter[usecase.ClaimHandleOutput]{w}}
	_ = uc.Execute(r.Context(), usecase.ClaimHandleInput{Handle: strings.ToLower(r.PathValue("handle")), Wallet: session(r).Wallet})
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	var in usecase.WatchInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	uc := usecase.EditWatchlist{Lists: s.GW, Presenter: jsonPresenter[usecase.WatchOutput]{w}}
	_ = uc.Execute(r.Context(), in)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	uc := usecase.Logout{Sessions: s.GW, Presenter: jsonPresenter[struct{}]{w}}
	_ = uc.Execute(r.Context(), usecase.LogoutInput{SessionID: session(r).ID})
}

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	uc := usecase.Refresh{Sessions: s.GW, Presenter: jsonPresenter[usecase.LoginOutput]{w}, TTL: s.SessionTTL}
	_ = uc.Execute(r.Context(), usecase.RefreshInput{RefreshToken: r.FormValue("refresh_token")})
}

func (s *Server) verifyEmail(w http.ResponseWriter, r *http.Request) {
	uc := usecase.VerifyEmail{Sessions: s.GW, Presenter: jsonPresenter[bool]{w}}
	_ = uc.Execute(r.Context(), usecase.VerifyEmailInput{Email: r.FormValue("email"), Code: r.FormValue("code")})
}
