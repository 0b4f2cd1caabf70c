// Package httpapi exposes the listing service over HTTP.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/kotuku-market/kotuku/internal/alerts"
	"github.com/kotuku-market/kotuku/internal/auth"
	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/listing"
	"github.com/kotuku-market/kotuku/internal/readmodel"
	"github.com/kotuku-market/kotuku/internal/search"
	"github.com/kotuku-market/kotuku/internal/seller"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// IDs hands out listing IDs. It is backed by a D1 sequence table.
type IDs interface {
	Next(ctx context.Context) (uint64, error)
}

// Server holds the HTTP handlers.
type Server struct {
	ns         *kvstore.Namespace
	listings   *listing.Repository
	sellers    *seller.Repository
	sessions   *auth.Sessions
	categories *readmodel.Categories
	index      *search.Index
	searcher   *search.Searcher
	alerts     *alerts.Service
	ids        IDs
	log        *slog.Logger
	ops        tuple.Subspace
}

// NewServer wires the handlers.
func NewServer(ns *kvstore.Namespace, l *listing.Repository, s *seller.Repository, a *auth.Sessions,
	c *readmodel.Categories, ix *search.Index, se *search.Searcher, al *alerts.Service, ids IDs, log *slog.Logger) *Server {
	return &Server{ns: ns, listings: l, sellers: s, sessions: a, categories: c, index: ix,
		searcher: se, alerts: al, ids: ids, log: log, ops: tuple.Root("ops")}
}

// Routes returns the HTTP routes.
func (s *Server) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /listings", s.postListing)
	mux.HandleFunc("POST /listings/{id}/price", s.reprice)
	mux.HandleFunc("POST /listings/{id}/watch", s.watch)
	mux.HandleFunc("GET /search", s.search)
	mux.HandleFunc("GET /suggest", s.suggest)
	mux.HandleFunc("GET /browse/{category}", s.browse)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /auth/redeem", s.redeem)
	return mux
}

func (s *Server) seller(w http.ResponseWriter, r *http.Request) (*auth.Session, bool) {
	sess, err := s.sessions.Lookup(r.Context(), r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return nil, false
	}
	if err := s.sessions.Touch(r.Context(), sess); err != nil {
		s.log.Warn("touch session", "err", err)
	}
	return sess, true
}

type postReq struct {
	SKU      string `json:"sku"`
	Title    string `json:"title"`
	Desc     string `json:"desc"`
	Brand    string `json:"brand"`
	Category string `json:"category"`
	Price    int64  `json:"price_cents"`
}

const dailyPostLimit = 50

func (s *Server) postListing(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.seller(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	var req postReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.spendQuota(ctx, sess.SellerID); err != nil {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	id, err := s.ids.Next(ctx)
	if err != nil {
		s.fail(w, err)
		return
	}
	l, err := listing.Post(id, sess.SellerID, req.SKU, req.Title, req.Desc, req.Brand, req.Category, req.Price, time.Now())
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err := s.listings.Create(ctx, l); err != nil {
		if errors.Is(err, listing.ErrDuplicateSKU) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		s.fail(w, err)
		return
	}
	stamp := fmt.Appendf(nil, `{"id":%d,"at":%d}`, l.ID, time.Now().Unix())
	if err := s.ns.Put(ctx, string(s.ops.Pack("last-posted")), stamp, 0); err != nil { // EXPECT kvhotkey
		s.log.Warn("last-posted", "err", err)
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(l)
}

// spendQuota counts today's posts for a seller; the counter lapses at the
// end of the UTC day.
func (s *Server) spendQuota(ctx context.Context, sellerID string) error {
	now := time.Now().UTC()
	key := string(s.ops.Sub("quota", sellerID).Pack(now.Format(time.DateOnly)))
	used := 0
	if raw, err := s.ns.Get(ctx, key); err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if used >= dailyPostLimit {
		return fmt.Errorf("daily limit of %d listings reached", dailyPostLimit)
	}
	endOfDay := now.Truncate(24 * time.Hour).Add(24 * time.Hour)
	return s.ns.Put(ctx, key, []byte(strconv.Itoa(used+1)), max(time.Until(endOfDay), time.Minute)) // EXPECT kvcounter|kvrace
}

func (s *Server) reprice(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.seller(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var body struct {
		Cents int64 `json:"price_cents"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	l, err := s.listings.Load(r.Context(), id)
	if err != nil || l.SellerID != sess.SellerID {
		http.NotFound(w, r)
		return
	}
	if err := l.Reprice(body.Cents, time.Now()); err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	if err := s.listings.Save(r.Context(), l); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var wt alerts.Watch
	if err := json.NewDecoder(r.Body).Decode(&wt); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.alerts.AddWatch(r.Context(), id, wt); err != nil {
		s.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)

	// The watcher count shown on the listing page is refreshed after the
	// response; a failure only delays the number.
	go func(ctx context.Context) {
		key := string(s.ops.Sub("watchers").Pack(id))
		var users []string
		if err := s.ns.GetJSON(ctx, key, &users); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
			return
		}
		users = append(users, wt.UserID)
		_ = s.ns.PutJSON(ctx, key, users, 0) // EXPECT kvrace
	}(context.WithoutCancel(r.Context()))
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("n"))
	hits, err := s.searcher.Search(r.Context(), r.URL.Query().Get("q"), min(max(limit, 10), 100))
	if err != nil {
		s.fail(w, err)
		return
	}
	_ = json.NewEncoder(w).Encode(hits)
}

func (s *Server) suggest(w http.ResponseWriter, r *http.Request) {
	terms, err := s.index.Suggest(r.Context(), r.URL.Query().Get("p"))
	if err != nil {
		s.fail(w, err)
		return
	}
	_ = json.NewEncoder(w).Encode(terms)
}

func (s *Server) browse(w http.ResponseWriter, r *http.Request) {
	entries, next, err := s.categories.Browse(r.Context(), r.PathValue("category"), r.URL.Query().Get("cursor"))
	if err != nil {
		s.fail(w, err)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"entries": entries, "cursor": next})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.seller(w, r)
	if !ok {
		return
	}
	if err := s.sessions.Logout(r.Context(), sess); err != nil {
		s.fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "kotuku_sid", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) redeem(w http.ResponseWriter, r *http.Request) {
	sess, err := s.sessions.Redeem(r.Context(), r.URL.Query().Get("t"))
	if errors.Is(err, auth.ErrLinkInvalid) {
		http.Error(w, err.Error(), http.StatusGone)
		return
	}
	if err != nil {
		s.fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "kotuku_sid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, Expires: sess.ExpiresAt})
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.log.Error("request failed", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}
