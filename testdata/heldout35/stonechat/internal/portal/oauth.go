package portal

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"

	"stonechat/internal/ids"
	"stonechat/internal/kvstore"
)

type oauthState struct {
	ReturnTo string    `json:"return_to"`
	Created  time.Time `json:"created"`
}

type refreshRecord struct {
	Customer ids.CustomerID `json:"customer"`
	Issued   time.Time      `json:"issued"`
}

// handleOAuthStart begins single sign-on with the customer's identity provider.
func (s *Server) handleOAuthStart() http.HandlerFunc {
	stateTTL := 10 * time.Minute
	return func(w http.ResponseWriter, r *http.Request) {
		state := ids.NewToken(24)
		buf, _ := json.Marshal(oauthState{ReturnTo: r.URL.Query().Get("return_to"), Created: time.Now()})
		if err := s.sessions.PutTTL(r.Context(), "oauth-state/"+state, buf, stateTTL); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		q := url.Values{"state": {state}, "response_type": {"code"}}
		http.Redirect(w, r, "https://idp.example.com/authorize?"+q.Encode(), http.StatusFound)
	}
}

func (s *Server) handleOAuthCallback() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		key := "oauth-state/" + r.URL.Query().Get("state")
		raw, err := s.sessions.Get(ctx, key)
		if errors.Is(err, kvstore.ErrNotFound) {
			http.Error(w, "unknown state", http.StatusBadRequest)
			return
		}
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		defer func() { _ = s.sessions.Delete(ctx, key) }() // EXPECT kvsession
		var st oauthState
		if err := json.Unmarshal(raw, &st); err != nil {
			http.Error(w, "bad state", http.StatusBadRequest)
			return
		}
		http.Redirect(w, r, st.ReturnTo, http.StatusFound)
	}
}

// handleRefresh rotates the portal API refresh token.
func (s *Server) handleRefresh() http.HandlerFunc {
	prefix := "refresh/"
	ttl := 30 * 24 * time.Hour
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		old := r.FormValue("refresh_token")
		raw, err := s.sessions.Get(ctx, prefix+old)
		if err != nil {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		var rec refreshRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		next := ids.NewToken(32)
		buf, _ := json.Marshal(refreshRecord{Customer: rec.Customer, Issued: time.Now()})
		if err := s.sessions.PutTTL(ctx, prefix+next, buf, ttl); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := s.sessions.Delete(ctx, prefix+old); err != nil { // EXPECT kvsession
			s.log.Warn("refresh token not revoked", "err", err)
		}
		writeJSON(w, http.StatusOK, map[string]string{"refresh_token": next})
	}
}
