// Package portal backs the developer portal: login sessions and the OAuth
// round trip with the identity provider. It talks to Workers KV directly.
package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/tollgate/internal/domain"
)

var (
	ErrNoSession = errors.New("portal: no such session")
	ErrBadState  = errors.New("portal: unknown or expired oauth state")
)

// Portal holds the KV coordinates and lifetimes.
type Portal struct {
	cf          *cloudflare.Client
	accountID   string
	namespaceID string
	sessionTTL  time.Duration
	stateTTL    time.Duration
	log         *slog.Logger
}

// New wires the portal store.
func New(cf *cloudflare.Client, accountID, namespaceID string, sessionTTL, stateTTL time.Duration, log *slog.Logger) *Portal {
	return &Portal{cf: cf, accountID: accountID, namespaceID: namespaceID, sessionTTL: sessionTTL, stateTTL: stateTTL, log: log}
}

func value(b []byte) kv.NamespaceValueUpdateParamsValueUnion {
	return shared.UnionString(b)
}

func notFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func sessionKey(id domain.SessionID) string { return "portal-session:" + string(id) }

// CreateSession starts a session for a signed-in user.
func (p *Portal) CreateSession(ctx context.Context, email string, tenant domain.TenantID) (domain.PortalSession, error) {
	now := time.Now().UTC()
	sess := domain.PortalSession{ID: domain.SessionID(domain.NewToken(20)), UserEmail: email, TenantID: tenant, CreatedAt: now, LastSeen: now}
	raw, err := json.Marshal(sess)
	if err != nil {
		return sess, err
	}
	_, err = p.cf.KV.Namespaces.Values.Update(ctx, p.namespaceID, sessionKey(sess.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(value(raw)),
		ExpirationTTL: cloudflare.F(p.sessionTTL.Seconds()),
		Metadata:      cloudflare.F[any](map[string]any{"tenant": string(tenant)}),
	})
	return sess, err
}

// LoadSession returns the session with id.
func (p *Portal) LoadSession(ctx context.Context, id domain.SessionID) (domain.PortalSession, error) {
	var sess domain.PortalSession
	res, err := p.cf.KV.Namespaces.Values.Get(ctx, p.namespaceID, sessionKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(p.accountID),
	})
	if err != nil {
		return sess, fmt.Errorf("portal: load session: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return sess, ErrNoSession
	}
	return sess, json.NewDecoder(res.Body).Decode(&sess)
}

// Touch extends a session on activity so that active users stay signed in.
func (p *Portal) Touch(ctx context.Context, id domain.SessionID) error {
	sess, err := p.LoadSession(ctx, id)
	if err != nil {
		return err
	}
	sess.LastSeen = time.Now().UTC()
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	_, err = p.cf.KV.Namespaces.Values.Update(ctx, p.namespaceID, sessionKey(id), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(value(raw)),
		ExpirationTTL: cloudflare.F(p.sessionTTL.Seconds()),
	})
	return err
}

// Logout ends a session.
func (p *Portal) Logout(ctx context.Context, id domain.SessionID) error {
	_, err := p.cf.KV.Namespaces.Values.Delete(ctx, p.namespaceID, sessionKey(id), kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(p.accountID),
	})
	if err != nil && !notFound(err) {
		return err
	}
	return nil
}

// BeginOAuth stores a fresh state value bound to the post-login redirect.
func (p *Portal) BeginOAuth(ctx context.Context, redirect string) (string, error) {
	state := domain.NewToken(16)
	_, err := p.cf.KV.Namespaces.Values.Update(ctx, p.namespaceID, "oauth-state:"+state, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.accountID),
		Value:         cloudflare.F(value([]byte(redirect))),
		ExpirationTTL: cloudflare.F(float64(p.stateTTL)), // EXPECT kvttl
	})
	return state, err
}

// CompleteOAuth checks and consumes a state value, returning its redirect.
func (p *Portal) CompleteOAuth(ctx context.Context, state string) (string, error) {
	key := "oauth-state:" + state
	res, err := p.cf.KV.Namespaces.Values.Get(ctx, p.namespaceID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(p.accountID)})
	if notFound(err) {
		return "", ErrBadState
	}
	if err != nil {
		return "", err
	}
	redirect, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return "", err
	}
	if _, err := p.cf.KV.Namespaces.Values.Delete(ctx, p.namespaceID, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(p.accountID),
	}); err != nil {
		return "", err
	}
	return string(redirect), nil
}

// HandleLogin is the portal's POST /login handler, called after the identity
// provider has verified the user.
func (p *Portal) HandleLogin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := r.Header.Get("X-Verified-Email")
	tenant := domain.TenantID(r.Header.Get("X-Verified-Tenant"))
	if email == "" || tenant == "" {
		http.Error(w, "unverified", http.StatusUnauthorized)
		return
	}
	sess, err := p.CreateSession(ctx, email, tenant)
	if err != nil {
		p.log.ErrorContext(ctx, "creating session", "err", err)
		http.Error(w, "session unavailable", http.StatusServiceUnavailable)
		return
	}
	stamp := value([]byte(time.Now().UTC().Format(time.RFC3339)))
	if _, err := p.cf.KV.Namespaces.Values.Update(ctx, p.namespaceID, "portal:last-login", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
		AccountID: cloudflare.F(p.accountID),
		Value:     cloudflare.F(stamp),
	}); err != nil {
		p.log.WarnContext(ctx, "stamping last login", "err", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: "tg_portal", Value: string(sess.ID), Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(p.sessionTTL.Seconds()),
	})
	w.WriteHeader(http.StatusNoContent)
}
