// Package dashboard implements creator sign-in for the dashboard: magic
// links, single sign-on through the accounts service, and sessions kept in
// the AUTH namespace.
package dashboard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/accounts"
	"github.com/skua-fm/skua/internal/config"
	"github.com/skua-fm/skua/internal/kvstore"
)

// Session is a signed-in creator, stored under session:<creator>:<id> so
// that a creator's sessions can be listed by prefix.
type Session struct {
	ID        string    `json:"id"`
	CreatorID string    `json:"creator_id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	UserAgent string    `json:"user_agent"`
}

func sessionKey(creatorID, id string) string { return "session:" + creatorID + ":" + id }

// magicLink is stored under magic:<token> until it is redeemed.
type magicLink struct {
	Email     string    `json:"email"`
	CreatorID string    `json:"creator_id"`
	Next      string    `json:"next"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Mailer sends transactional mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Auth holds the sign-in flows. fx constructs it with the "auth" namespace.
type Auth struct {
	ns       *kvstore.Namespace
	cfg      config.AuthConfig
	baseURL  string
	mail     Mailer
	accounts *accounts.Client
	log      *zap.Logger
}

func NewAuth(ns *kvstore.Namespace, cfg config.Config, mail Mailer, acc *accounts.Client, log *zap.Logger) *Auth {
	return &Auth{ns: ns, cfg: cfg.Auth, baseURL: cfg.PublicURL, mail: mail, accounts: acc, log: log.Named("auth")}
}

var errTooManyAttempts = errors.New("too many sign-in attempts")

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// SendMagicLink mails a one-time sign-in link to a creator.
func (a *Auth) SendMagicLink(ctx context.Context, email, next string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	n, err := a.bumpAttempts(ctx, email)
	if err != nil {
		return err
	}
	if n > a.cfg.MaxAttempts {
		return errTooManyAttempts
	}
	creatorID, err := a.accounts.CreatorForEmail(ctx, email)
	if err != nil {
		return err
	}
	token := randomToken(32)
	link := magicLink{Email: email, CreatorID: creatorID, Next: next, IssuedAt: time.Now().UTC()}
	if err := a.ns.PutJSON(ctx, "magic:"+token, link, a.cfg.MagicLinkTTL); err != nil {
		return err
	}
	return a.mail.Send(ctx, email, "Your skua.fm sign-in link", "Sign in: "+a.baseURL+"/auth/magic/"+token)
}

func (a *Auth) bumpAttempts(ctx context.Context, email string) (int, error) {
	key := "login:attempts:" + email
	n := 0
	raw, err := a.ns.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return 0, err
	}
	n++
	if err := a.ns.Put(ctx, key, []byte(strconv.Itoa(n)), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return n, nil
}

// RedeemMagicLink turns a link into a session.
func (a *Auth) RedeemMagicLink(ctx context.Context, token, userAgent string) (*Session, string, error) {
	key := "magic:" + token
	var link magicLink
	if err := a.ns.GetJSON(ctx, key, &link); err != nil {
		return nil, "", err
	}
	if err := a.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	sess, err := a.startSession(ctx, link.CreatorID, link.Email, userAgent)
	return sess, link.Next, err
}

func (a *Auth) startSession(ctx context.Context, creatorID, email, userAgent string) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{ID: randomToken(24), CreatorID: creatorID, Email: email, CreatedAt: now, LastSeen: now, UserAgent: userAgent}
	if err := a.ns.PutJSON(ctx, sessionKey(creatorID, sess.ID), sess, a.cfg.SessionTTL); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	return sess, nil
}

func (a *Auth) ssoRedirect() string { return a.baseURL + "/auth/sso/callback" }

// BeginSSO records an OAuth state and returns the URL to send the browser to.
func (a *Auth) BeginSSO(ctx context.Context, next string) (string, error) {
	state := randomToken(16)
	if err := a.ns.Put(ctx, "oauth_state:"+state, []byte(next), a.cfg.OAuthTTL); err != nil {
		return "", err
	}
	return a.accounts.AuthorizeURL(state, a.ssoRedirect()), nil
}

// FinishSSO checks the state, exchanges the code and starts a session.
func (a *Auth) FinishSSO(ctx context.Context, state, code, userAgent string) (*Session, string, error) {
	key := "oauth_state:" + state
	next, err := a.ns.Get(ctx, key)
	if err != nil {
		return nil, "", fmt.Errorf("oauth state: %w", err)
	}
	if err := a.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	email, err := a.accounts.Exchange(ctx, code, a.ssoRedirect())
	if err != nil {
		return nil, "", err
	}
	creatorID, err := a.accounts.CreatorForEmail(ctx, email)
	if err != nil {
		return nil, "", err
	}
	sess, err := a.startSession(ctx, creatorID, email, userAgent)
	return sess, string(next), err
}

// Lookup returns the session named by a cookie value "<creator>.<id>".
func (a *Auth) Lookup(ctx context.Context, cookie string) (*Session, error) {
	creatorID, id, ok := strings.Cut(cookie, ".")
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	var sess Session
	if err := a.ns.GetJSON(ctx, sessionKey(creatorID, id), &sess); err != nil {
		return nil, err
	}
	return &sess, nil
}

// Touch records activity and pushes the session's expiry forward.
func (a *Auth) Touch(ctx context.Context, sess *Session) error {
	sess.LastSeen = time.Now().UTC()
	return a.ns.PutJSON(ctx, sessionKey(sess.CreatorID, sess.ID), sess, a.cfg.SessionTTL) // EXPECT kvsession|kvrace
}

// SignOut ends one session.
func (a *Auth) SignOut(ctx context.Context, sess *Session) error {
	return a.ns.Delete(ctx, sessionKey(sess.CreatorID, sess.ID)) // EXPECT kvsession
}

// SignOutEverywhere ends every session of a creator, e.g. after an email
// change.
func (a *Auth) SignOutEverywhere(ctx context.Context, creatorID string) (int, error) {
	prefix := "session:" + creatorID + ":"
	var keys []string
	cursor := ""
	for {
		page, next, err := a.ns.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page {
			keys = append(keys, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(keys) == 0 {
		return 0, nil
	}
	if err := a.ns.BulkDelete(ctx, keys); err != nil { // EXPECT kvsession
		return 0, err
	}
	return len(keys), nil
}

// RevokeAPIToken marks a creator API token as revoked; the API gateway
// checks for revoked:<token> before accepting a token.
func (a *Auth) RevokeAPIToken(ctx context.Context, tok string) error {
	return a.ns.Put(ctx, "revoked:"+tok, []byte(time.Now().UTC().Format(time.RFC3339)), 365*24*time.Hour) // EXPECT kvsession
}
