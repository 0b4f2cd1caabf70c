// Package portal holds the partner dashboard's login sessions.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
)

// Session is a signed-in portal user.
type Session struct {
	ID        string    `json:"id"`
	PartnerID string    `json:"partner_id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// ErrNoSession means the cookie does not name a live session.
var ErrNoSession = errors.New("portal: no session")

// CookieName is the session cookie.
const CookieName = "tundra_portal"

// Sessions stores portal sessions in their own namespace.
type Sessions struct {
	Client      *cloudflare.Client
	AccountID   string
	NamespaceID string
	TTLSeconds  int64
	// IdleRefresh: a session seen again after this long gets its expiry pushed out.
	IdleRefresh time.Duration
	Now         func() time.Time
}

func sessionKey(id string) string { return "sess:" + id }

func randomID(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func (s *Sessions) write(ctx context.Context, sess Session) error {
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.NamespaceID, sessionKey(sess.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.AccountID),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(float64(s.TTLSeconds)),
	})
	return err
}

// Create starts a session after a successful sign-in.
func (s *Sessions) Create(ctx context.Context, partnerID, email, role string) (Session, error) {
	id, err := randomID(32)
	if err != nil {
		return Session{}, err
	}
	now := s.Now().UTC()
	sess := Session{ID: id, PartnerID: partnerID, Email: email, Role: role, CreatedAt: now, LastSeen: now}
	return sess, s.write(ctx, sess)
}

// Load returns the session named by id.
func (s *Sessions) Load(ctx context.Context, id string) (Session, error) {
	res, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NamespaceID, sessionKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.AccountID),
	})
	if err != nil {
		return Session{}, fmt.Errorf("portal: load session: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := json.NewDecoder(res.Body).Decode(&sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Touch records activity and extends an idle session.
func (s *Sessions) Touch(ctx context.Context, sess Session) (Session, error) {
	now := s.Now().UTC()
	if now.Sub(sess.LastSeen) < s.IdleRefresh {
		return sess, nil
	}
	sess.LastSeen = now
	raw, err := json.Marshal(sess)
	if err != nil {
		return sess, err
	}
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.NamespaceID, sessionKey(sess.ID), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(s.AccountID),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(float64(s.TTLSeconds)),
	})
	return sess, err
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.NamespaceID, sessionKey(id), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.AccountID),
	})
	return err
}

// RememberDevice stores a long-lived device marker so the user skips the
// second factor on this browser for the next 30 days.
func (s *Sessions) RememberDevice(ctx context.Context, sess Session, userAgent string) (string, error) {
	id, err := randomID(24)
	if err != nil {
		return "", err
	}
	raw, _ := json.Marshal(map[string]string{"partner_id": sess.PartnerID, "email": sess.Email, "ua": userAgent})
	expires := s.Now().Add(30 * 24 * time.Hour)
	_, err = s.Client.KV.Namespaces.Values.Update(ctx, s.NamespaceID, "device:"+id, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.AccountID),
		Value:      cloudflare.F(string(raw)),
		Expiration: cloudflare.F(float64(expires.UnixMilli())), // EXPECT kvttl
	})
	return id, err
}

// Middleware loads the session from the cookie and stores it in the request.
func (s *Sessions) Middleware(next func(http.ResponseWriter, *http.Request, Session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(CookieName)
		if err != nil {
			http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
			return
		}
		sess, err := s.Load(r.Context(), c.Value)
		if errors.Is(err, ErrNoSession) {
			http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		if sess, err = s.Touch(r.Context(), sess); err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		next(w, r, sess)
	})
}
