//go:build js && wasm

package feeds

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

// Register mounts the private-feed routes.
func (s *TokenStore) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /feeds/{token}/rss", s.handleRSS)
	mux.HandleFunc("POST /shows/{show}/feeds", s.handleMint)
	mux.HandleFunc("POST /feeds/{token}/rotate", s.handleRotate)
	mux.HandleFunc("DELETE /feeds/{token}", s.handleRevoke)
	mux.HandleFunc("GET /shows/{show}/subscribers", s.handleSubscribers)
	mux.HandleFunc("GET /shows/{show}/subscribers/count", s.handleCount)
	mux.HandleFunc("POST /shows/{show}/purge", s.handlePurge)
}

func status(err error) int {
	var nf *kverr.NotFoundError
	if errors.As(err, &nf) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

func (s *TokenStore) handleRSS(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	tok, err := s.Resolve(ctx, r.PathValue("token"))
	if err != nil {
		http.Error(w, "feed not found", status(err))
		return
	}
	var body string
	if r.URL.Query().Get("live") == "1" {
		body, err = s.LiveRSS(ctx, tok.ShowID, tok.Plan)
	} else {
		body, err = s.RSS(ctx, tok.ShowID, tok.Plan)
	}
	if err != nil {
		http.Error(w, "render failed", http.StatusBadGateway)
		return
	}
	if err := s.Touch(ctx, tok, r.UserAgent()); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	_ = s.Feeds.PutString("feeds:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write([]byte(body))
}

func (s *TokenStore) handleMint(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	var body struct {
		SubscriberID string `json:"subscriber_id"`
		Plan         string `json:"plan"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t, err := s.Mint(ctx, body.SubscriberID, r.PathValue("show"), body.Plan)
	if err != nil {
		http.Error(w, "internal error", status(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(t)
}

func (s *TokenStore) handleRotate(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	t, err := s.Rotate(ctx, r.PathValue("token"))
	if err != nil {
		http.Error(w, "rotate failed", status(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(t)
}

func (s *TokenStore) handleRevoke(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	reason := r.URL.Query().Get("reason")
	if reason == "" {
		reason = "publisher"
	}
	if err := s.Revoke(ctx, r.PathValue("token"), reason); err != nil {
		http.Error(w, "revoke failed", status(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *TokenStore) handleSubscribers(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	toks, err := s.SubscriberTokens(ctx, r.PathValue("show"))
	if err != nil {
		http.Error(w, "list failed", status(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(toks)
}

func (s *TokenStore) handleCount(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	n, complete, err := s.CountTokens(ctx, r.PathValue("show"))
	if err != nil {
		http.Error(w, "count failed", status(err))
		return
	}
	w.Header().Set("X-Complete", strconv.FormatBool(complete))
	_, _ = w.Write([]byte(strconv.Itoa(n)))
}

func (s *TokenStore) handlePurge(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
	n, err := s.PurgeRSS(ctx, r.PathValue("show"))
	if err != nil {
		http.Error(w, "purge failed", status(err))
		return
	}
	_, _ = w.Write([]byte(strconv.Itoa(n)))
}
