//go:build js && wasm

// Package listeners handles listener sign-in (magic links), sessions and
// connections to third-party podcast directories.
package listeners

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"scaup/internal/config"
	"scaup/internal/kvbase"
	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

// Session is a signed-in listener.
type Session struct {
	ID         string    `json:"id"`
	ListenerID string    `json:"listener_id"`
	Email      string    `json:"email"`
	Plan       string    `json:"plan"`
	CSRF       string    `json:"csrf"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
	LastSeen   time.Time `json:"last_seen"`
}

// MagicLink is a one-time sign-in link.
type MagicLink struct {
	Code    string    `json:"code"`
	Email   string    `json:"email"`
	Next    string    `json:"next"`
	Created time.Time `json:"created"`
}

// OAuthState ties an OAuth redirect back to the listener that started it.
type OAuthState struct {
	State      string    `json:"state"`
	ListenerID string    `json:"listener_id"`
	Provider   string    `json:"provider"`
	Verifier   string    `json:"verifier"`
	Created    time.Time `json:"created"`
}

// Connection is a linked directory account (Spotify, Apple, ...).
type Connection struct {
	Provider string    `json:"provider"`
	Account  string    `json:"account"`
	Linked   time.Time `json:"linked"`
}

// Keys names the raw keys of one network.
type Keys struct{ Network string }

func (k Keys) Session(id string) string { return kvbase.Key(k.Network, "sess", id) }
func (k Keys) CSRF(id string) string    { return kvbase.Key(k.Network, "csrf", id) }
func (k Keys) Attempts(email string) string {
	return kvbase.Key(k.Network, "login-attempts", kvbase.Opaque(email))
}
func (k Keys) Plan(listenerID string) string { return kvbase.Key(k.Network, "plan", listenerID) }
func (k Keys) Connection(listenerID, provider string) string {
	return kvbase.Key(k.Network, "conn", listenerID, provider)
}

// signOutKeys are the per-session keys removed on sign-out.
var signOutKeys = []func(Keys, string) string{Keys.Session, Keys.CSRF}

// SessionStore holds sessions under "<network>:sess:<id>".
type SessionStore struct {
	kvbase.Table[Session]
}

// Put stores a session until its Expires time. It shadows Table.Put so a
// session can never outlive its own expiry field.
func (s *SessionStore) Put(ctx context.Context, sess Session) error {
	return s.Table.PutFor(ctx, sess.ID, sess, max(time.Until(sess.Expires), time.Minute))
}

// ErrTooManyAttempts is returned when an address asks for too many links.
var ErrTooManyAttempts = errors.New("too many sign-in attempts")

// Auth implements the listener sign-in flows.
type Auth struct {
	Sessions *SessionStore
	Links    kvbase.Table[MagicLink]
	States   kvbase.Table[OAuthState]
	NS       *cloudflare.KVNamespace
	Cfg      config.Config
	Mailer   interface {
		SendMagicLink(ctx context.Context, email, url string) error
	}
	BaseURL string
}

// NewAuth binds the auth tables to a namespace.
func NewAuth(ns *cloudflare.KVNamespace, cfg config.Config, m kvbase.Metrics) *Auth {
	return &Auth{
		Sessions: &SessionStore{Table: kvbase.Table[Session]{NS: ns, Prefix: "sess", TTL: cfg.SessionTTL, Metrics: m}},
		Links:    kvbase.Table[MagicLink]{NS: ns, Prefix: "magic", TTL: cfg.MagicLinkTTL, Metrics: m},
		States:   kvbase.Table[OAuthState]{NS: ns, Prefix: "oauth", TTL: cfg.OAuthStateTTL, Metrics: m},
		NS:       ns,
		Cfg:      cfg,
	}
}

func (a *Auth) observe(op string, start time.Time) {
	if m := a.Sessions.Metrics; m != nil {
		m.Observe(op, "auth", time.Since(start))
	}
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// RequestLink mails a sign-in link, refusing after too many requests for
// the same address.
func (a *Auth) RequestLink(ctx context.Context, email, next string) error {
	n, err := a.noteAttempt(ctx, email)
	if err != nil {
		return err
	}
	if n > a.Cfg.LoginAttemptLimit {
		return ErrTooManyAttempts
	}
	link := MagicLink{Code: randomID(24), Email: email, Next: next, Created: time.Now().UTC()}
	if err := a.Links.PutFor(ctx, link.Code, link, a.Cfg.MagicLinkTTL); err != nil {
		return err
	}
	return a.Mailer.SendMagicLink(ctx, email, a.BaseURL+"/login/"+link.Code)
}

func (a *Auth) noteAttempt(ctx context.Context, email string) (int, error) {
	defer a.observe("attempts", time.Now())
	key := Keys{Network: tenant.From(ctx)}.Attempts(email)
	raw, ok, err := kvbase.GetRaw(a.NS, key, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	n++
	err = a.NS.PutString(key, strconv.Itoa(n), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
	return n, err
}

// Redeem consumes a magic link and starts a session.
func (a *Auth) Redeem(ctx context.Context, code string) (Session, string, error) {
	link, err := a.Links.Get(ctx, code)
	if err != nil {
		return Session{}, "", err
	}
	if err := a.Links.Delete(ctx, code); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	now := time.Now().UTC()
	sess := Session{
		ID:         randomID(32),
		ListenerID: kvbase.Opaque(link.Email),
		Email:      link.Email,
		CSRF:       randomID(16),
		Created:    now,
		Expires:    now.Add(a.Cfg.SessionTTL),
		LastSeen:   now,
	}
	sess.Plan = a.Plan(ctx, sess.ListenerID)
	if err := a.Sessions.Put(ctx, sess); err != nil { // DEBATABLE kvsession
		return Session{}, "", err
	}
	return sess, link.Next, nil
}

// Authenticate loads the session for a cookie value and extends it.
func (a *Auth) Authenticate(ctx context.Context, id string) (Session, error) {
	sess, err := a.Sessions.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	now := time.Now().UTC()
	if now.After(sess.Expires) {
		return Session{}, &kverr.NotFoundError{Key: id}
	}
	sess.LastSeen = now
	sess.Expires = now.Add(a.Cfg.SessionTTL)
	if err := a.Sessions.Put(ctx, sess); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// Peek loads a session without extending it (used by the embeddable player).
func (a *Auth) Peek(ctx context.Context, id string) (Session, error) {
	sess, err := a.Sessions.Get(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if time.Now().After(sess.Expires) {
		return Session{}, &kverr.NotFoundError{Key: id}
	}
	return sess, nil
}

// Logout removes the session and its CSRF secret.
func (a *Auth) Logout(ctx context.Context, id string) error {
	k := Keys{Network: tenant.From(ctx)}
	var errs []error
	for _, keyOf := range signOutKeys {
		if err := a.NS.Delete(keyOf(k, id)); err != nil { // EXPECT kvsession
			errs = append(errs, fmt.Errorf("sign out: %w", err))
		}
	}
	return errors.Join(errs...)
}

// CloseAccount signs the listener out and forgets their linked accounts.
func (a *Auth) CloseAccount(ctx context.Context, sess Session, providers []string) error {
	k := Keys{Network: tenant.From(ctx)}
	errs := make([]error, 0, len(providers)+1)
	for _, p := range providers {
		errs = append(errs, a.NS.Delete(k.Connection(sess.ListenerID, p)))
	}
	errs = append(errs, a.Sessions.Delete(ctx, sess.ID)) // EXPECT kvsession
	return errors.Join(errs...)
}

// Plan returns the listener's subscription plan.
func (a *Auth) Plan(ctx context.Context, listenerID string) string {
	plan, err := a.NS.GetString(Keys{Network: tenant.From(ctx)}.Plan(listenerID), nil)
	if err != nil || plan == "" { // EXPECT kvnull
		return "free"
	}
	return plan
}

// Connections lists the directories a listener has linked.
func (a *Auth) Connections(ctx context.Context, listenerID string) ([]string, error) {
	prefix := Keys{Network: tenant.From(ctx)}.Connection(listenerID, "") + kvbase.Sep
	res, err := a.NS.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	if !res.ListComplete {
		return nil, fmt.Errorf("listener %s has more connections than one page", listenerID)
	}
	out := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		out = append(out, k.Name[len(prefix):])
	}
	return out, nil
}

// BeginConnect starts an OAuth link to a directory and returns the state.
func (a *Auth) BeginConnect(ctx context.Context, sess Session, provider string) (OAuthState, error) {
	st := OAuthState{
		State:      randomID(24),
		ListenerID: sess.ListenerID,
		Provider:   provider,
		Verifier:   randomID(32),
		Created:    time.Now().UTC(),
	}
	return st, a.States.PutFor(ctx, st.State, st, a.Cfg.OAuthStateTTL)
}

// FinishConnect checks the state returned by the provider and records the
// linked account.
func (a *Auth) FinishConnect(ctx context.Context, state, provider, account string) (Connection, error) {
	st, err := a.States.Get(ctx, state)
	if err != nil {
		return Connection{}, err
	}
	if st.Provider != provider {
		return Connection{}, fmt.Errorf("state issued for %s, not %s", st.Provider, provider)
	}
	if err := a.States.Delete(ctx, state); err != nil { // EXPECT kvsession
		return Connection{}, err
	}
	c := Connection{Provider: provider, Account: account, Linked: time.Now().UTC()}
	raw := fmt.Sprintf(`{"provider":%q,"account":%q,"linked":%q}`, c.Provider, c.Account, c.Linked.Format(time.RFC3339))
	key := Keys{Network: tenant.From(ctx)}.Connection(st.ListenerID, provider)
	return c, a.NS.PutString(key, raw, nil)
}
