// Package portal serves the customer billing portal's own pages: sign-in by
// magic link, the session cookie, and the usage view.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/hornbill-billing/hornbill/internal/billing"
	"github.com/hornbill-billing/hornbill/internal/kvstore"
)

const (
	cookieName   = "hb_portal"
	idleTimeout  = 30 * time.Minute
	magicLinkTTL = 15 * time.Minute
)

// Session is a signed-in portal user.
type Session struct {
	AccountID  string `json:"account_id"`
	CustomerID string `json:"customer_id"`
	Email      string `json:"email"`
	CreatedAt  int64  `json:"created_at"`
	LastSeen   int64  `json:"last_seen"`
}

// Server is the portal's HTTP handler.
type Server struct {
	kv      *kvstore.Store
	billing *billing.Service
	mux     *http.ServeMux
}

// NewServer returns the portal routes.
func NewServer(store *kvstore.Store, svc *billing.Service) *Server {
	s := &Server{kv: store, billing: svc, mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /portal/login/{token}", s.redeemMagicLink)
	s.mux.HandleFunc("POST /portal/logout", s.logout)
	s.mux.HandleFunc("GET /portal/usage", s.withSession(s.usage))
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sessionKey(id string) string { return "sess:portal:" + id }

// SendMagicLink stores a sign-in token for the e-mail address.
func (s *Server) SendMagicLink(ctx context.Context, email, accountID, customerID string) (string, error) {
	tok := newToken()
	err := s.kv.PutJSON(ctx, "magic:"+tok, Session{AccountID: accountID, CustomerID: customerID, Email: email}, magicLinkTTL)
	return tok, err
}

func (s *Server) redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := r.PathValue("token")
	var sess Session
	if err := s.kv.GetJSON(ctx, "magic:"+tok, &sess); err != nil {
		http.Error(w, "link expired", http.StatusUnauthorized)
		return
	}
	if err := s.kv.Delete(ctx, "magic:"+tok); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	id := newToken()
	now := time.Now().Unix()
	sess.CreatedAt, sess.LastSeen = now, now
	if err := s.kv.PutJSON(ctx, sessionKey(id), sess, idleTimeout); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: id, Path: "/portal", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/portal/usage", http.StatusSeeOther)
}

type sessionHandler func(w http.ResponseWriter, r *http.Request, sess *Session)

// withSession loads the session named by the cookie and extends its idle
// timeout.
func (s *Server) withSession(next sessionHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil {
			http.Redirect(w, r, "/portal/signin", http.StatusSeeOther)
			return
		}
		ctx := r.Context()
		var sess Session
		if err := s.kv.GetJSON(ctx, sessionKey(c.Value), &sess); err != nil {
			if errors.Is(err, kvstore.ErrNotFound) {
				http.Redirect(w, r, "/portal/signin", http.StatusSeeOther)
				return
			}
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		sess.LastSeen = time.Now().Unix()
		if err := s.kv.PutJSON(ctx, sessionKey(c.Value), sess, idleTimeout); err != nil { // EXPECT kvsession
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next(w, r, &sess)
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		_ = s.kv.Delete(r.Context(), sessionKey(c.Value)) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/portal", MaxAge: -1})
	http.Redirect(w, r, "/portal/signin", http.StatusSeeOther)
}

func (s *Server) usage(w http.ResponseWriter, r *http.Request, sess *Session) {
	snap, err := s.billing.Snapshot(r.Context(), sess.CustomerID)
	if err != nil {
		http.Error(w, "usage unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"customer": sess.CustomerID, "usage": snap})
}
