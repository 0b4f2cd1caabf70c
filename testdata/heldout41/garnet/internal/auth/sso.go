package auth

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"garnet/internal/bus"
	"garnet/internal/events"
	"garnet/internal/httpx"
	"garnet/internal/kvstore"
	"garnet/internal/policy"
)

// Identity is what the identity provider vouches for.
type Identity struct {
	TenantID string
	UserID   string
	Email    string
}

// Exchanger redeems an authorization code at the identity provider.
type Exchanger interface {
	Exchange(ctx context.Context, code, verifier string) (Identity, error)
}

type ssoState struct {
	Verifier string `json:"verifier"`
	ReturnTo string `json:"return_to"`
}

// SSO runs the OIDC login flow.
type SSO struct {
	store    kvstore.Store
	expiry   policy.ExpiryPolicy
	idp      Exchanger
	bus      *bus.Bus
	sessions *Sessions
	refresh  *RefreshTokens
	authURL  string
}

// NewSSO wires the SSO flow.
func NewSSO(st kvstore.Store, expiry policy.ExpiryPolicy, idp Exchanger, b *bus.Bus, s *Sessions, rt *RefreshTokens, authURL string) *SSO {
	return &SSO{store: st.WithPrefix("sso:"), expiry: expiry, idp: idp, bus: b, sessions: s, refresh: rt, authURL: authURL}
}

// Start redirects to the identity provider.
func (s *SSO) Start(w http.ResponseWriter, r *http.Request) error {
	state, verifier := randomToken(), randomToken()
	returnTo := r.URL.Query().Get("return_to")
	if !strings.HasPrefix(returnTo, "/") {
		returnTo = "/"
	}
	raw, err := json.Marshal(ssoState{Verifier: verifier, ReturnTo: returnTo})
	if err != nil {
		return err
	}
	if err := s.store.PutTTL(r.Context(), "state:"+state, raw, s.expiry.Lifetime("sso-state")); err != nil {
		return err
	}
	q := url.Values{"state": {state}, "code_challenge": {challenge(verifier)}, "response_type": {"code"}}
	http.Redirect(w, r, s.authURL+"?"+q.Encode(), http.StatusFound)
	return nil
}

// Callback completes the flow and signs the user in.
func (s *SSO) Callback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	state := r.URL.Query().Get("state")
	var st ssoState
	if err := s.store.GetJSON(ctx, "state:"+state, &st); err != nil {
		return httpx.Error(http.StatusBadRequest, "login expired, try again")
	}
	if err := s.store.Delete(ctx, "state:"+state); err != nil { // EXPECT kvsession
		return err
	}
	id, err := s.idp.Exchange(ctx, r.URL.Query().Get("code"), st.Verifier)
	if err != nil {
		return httpx.Error(http.StatusUnauthorized, "login failed")
	}
	sessID := randomToken()
	evt := events.LoginSucceeded{TenantID: id.TenantID, UserID: id.UserID, Email: id.Email, SessionID: sessID, IP: httpx.ClientIP(r), At: time.Now().UTC()}
	if err := s.bus.Publish(ctx, evt); err != nil {
		return err
	}
	rt, err := s.refresh.Mint(ctx, id.TenantID, id.UserID)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "garnet_session", Value: id.TenantID + "." + sessID, Path: "/", HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: "garnet_refresh", Value: rt, Path: "/auth/refresh", HttpOnly: true, Secure: true})
	http.Redirect(w, r, st.ReturnTo, http.StatusFound)
	return nil
}

// Logout ends the current session.
func (s *SSO) Logout(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.sessions.Authenticate(r)
	if err != nil {
		return err
	}
	if err := s.bus.Publish(r.Context(), &events.LoggedOut{TenantID: sess.TenantID, UserID: sess.UserID, SessionID: sess.ID}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "garnet_session", Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Refresh rotates the refresh token cookie.
func (s *SSO) Refresh(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie("garnet_refresh")
	if err != nil {
		return httpx.Error(http.StatusUnauthorized, "no refresh token")
	}
	tenantID := r.URL.Query().Get("tenant")
	next, _, err := s.refresh.Rotate(r.Context(), tenantID, c.Value)
	if err != nil {
		return httpx.Error(http.StatusUnauthorized, "refresh token invalid")
	}
	http.SetCookie(w, &http.Cookie{Name: "garnet_refresh", Value: next, Path: "/auth/refresh", HttpOnly: true, Secure: true})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
