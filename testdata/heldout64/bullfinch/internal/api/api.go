// Package api is the dashboard's HTTP API.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/open-feature/go-sdk/openfeature"

	"bullfinch/internal/accounts"
	"bullfinch/internal/domains"
	"bullfinch/internal/flags"
	"bullfinch/internal/kv"
)

// Server serves the dashboard API.
type Server struct {
	Accounts *accounts.Service
	Domains  *domains.Registry
	Flags    *flags.Admin
	Eval     *openfeature.Client
	Shops    *kv.Namespace
	Log      *slog.Logger
}

// Routes returns the API's mux.
func (s *Server) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/shops/{shop}/domains", s.claimDomain)
	mux.HandleFunc("POST /api/shops/{shop}/publish", s.publish)
	mux.HandleFunc("GET /api/shops/{shop}/summary", s.summary)
	mux.HandleFunc("POST /api/flags/{flag}/advance", s.advance)
	mux.HandleFunc("POST /api/logout", s.logout)
	return mux
}

func (s *Server) session(r *http.Request) (accounts.Session, error) {
	c, err := r.Cookie("bf_session")
	if err != nil {
		return accounts.Session{}, accounts.ErrNoSession
	}
	return s.Accounts.Session(r.Context(), c.Value)
}

func (s *Server) claimDomain(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Host     string    `json:"host"`
		Deadline time.Time `json:"deadline"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	d, err := s.Domains.Claim(r.Context(), r.PathValue("shop"), body.Host, body.Deadline)
	switch {
	case errors.Is(err, domains.ErrTaken), errors.Is(err, domains.ErrQuota):
		http.Error(w, err.Error(), http.StatusConflict)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(d)
}

type shopStats struct {
	Publishes   int       `json:"publishes"`
	LastPublish time.Time `json:"last_publish"`
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	epoch := strconv.FormatInt(time.Now().Unix(), 10)
	if err := s.Shops.Put(r.Context(), "storefront:build-epoch", []byte(epoch)); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.Shops.PutTTL(r.Context(), "build:"+shop+":"+epoch, []byte(r.Header.Get("X-Build-Ref")), 30*24*time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var st shopStats
		if raw, err := s.Shops.Get(ctx, "stats:"+shop); err == nil {
			_ = json.Unmarshal(raw, &st)
		} else if !errors.Is(err, kv.ErrNotFound) {
			return
		}
		st.Publishes++
		st.LastPublish = time.Now().UTC()
		b, _ := json.Marshal(st)
		_ = s.Shops.Put(ctx, "stats:"+shop, b) // EXPECT kvcounter|kvrace
	}()
}

// summary is a read-through cache of the shop summary the origin computes.
func (s *Server) summary(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	key := "summary:" + shop
	raw, err := s.Shops.Get(r.Context(), key)
	if errors.Is(err, kv.ErrNotFound) {
		raw, err = s.computeSummary(r.Context(), shop)
		if err == nil {
			err = s.Shops.PutTTL(r.Context(), key, raw, 5*time.Minute)
		}
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(raw)
}

func (s *Server) computeSummary(ctx context.Context, shop string) ([]byte, error) {
	ds, next, err := s.Domains.ForShop(ctx, shop, 50)
	if err != nil {
		return nil, err
	}
	showBeta, _ := s.Eval.BooleanValue(ctx, "dashboard-beta", false, openfeature.NewEvaluationContext(shop, nil))
	return json.Marshal(map[string]any{"shop": shop, "domains": ds, "more": next != "", "beta": showBeta})
}

func (s *Server) advance(w http.ResponseWriter, r *http.Request) {
	pct, err := s.Flags.Advance(r.Context(), r.PathValue("flag"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int{"percent": pct})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := s.Accounts.Logout(r.Context(), sess); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "bf_session", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}
