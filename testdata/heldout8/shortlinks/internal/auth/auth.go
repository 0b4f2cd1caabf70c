// Package auth implements passwordless (magic link) login and browser
// sessions.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/shortlinks/internal/accounts"
	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
)

var (
	ErrInvalidLink  = errors.New("auth: link is invalid or has expired")
	ErrTooMany      = errors.New("auth: too many login requests")
	ErrNoSession    = errors.New("auth: no session")
	maxLinkRequests = 5
)

type MagicLink struct {
	Email    string    `json:"email"`
	Account  string    `json:"account"`
	IssuedAt time.Time `json:"issued_at"`
	ReturnTo string    `json:"return_to,omitempty"`
}

type Session struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	// Workspace is the account the user is currently acting for; agency
	// users can switch between client accounts.
	Workspace string    `json:"workspace"`
	LastSeen  time.Time `json:"last_seen,omitzero"`
}

// Mailer delivers the login email.
type Mailer interface {
	SendLogin(ctx context.Context, to, link string) error
}

type Service struct {
	cfg      config.AuthConfig
	host     string
	st       store.Store
	magic    *repo.Repo[MagicLink]
	sessions *repo.Repo[Session]
	accounts *accounts.Service
	mail     Mailer

	// bumpAttempts records a login link request for email and returns how
	// many were made in the current hour.
	bumpAttempts func(ctx context.Context, email string) (int, error)
}

func NewService(cfg config.AuthConfig, host string, st store.Store, accts *accounts.Service, mail Mailer) *Service {
	s := &Service{
		cfg:      cfg,
		host:     host,
		st:       st,
		magic:    repo.New[MagicLink](st, keys.MagicPrefix),
		sessions: repo.New[Session](st, keys.SessionPrefix),
		accounts: accts,
		mail:     mail,
	}
	s.bumpAttempts = func(ctx context.Context, email string) (int, error) {
		k := "login-attempts:" + strings.ToLower(email)
		n := 0
		v, ok, err := st.Get(ctx, k)
		if err != nil {
			return 0, err
		}
		if ok {
			n, _ = strconv.Atoi(v)
		}
		n++
		return n, st.Put(ctx, k, strconv.Itoa(n), store.WithTTL(time.Hour)) // EXPECT kvcounter
	}
	return s
}

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// RequestLink emails a one-time login link.
func (s *Service) RequestLink(ctx context.Context, email, returnTo string) error {
	n, err := s.bumpAttempts(ctx, email)
	if err != nil {
		return err
	}
	if n > maxLinkRequests {
		return ErrTooMany
	}
	acct, err := s.accounts.FindByEmail(ctx, email)
	if errors.Is(err, accounts.ErrNotFound) {
		// Accounts are provisioned by billing; say nothing to the caller.
		return nil
	}
	if err != nil {
		return err
	}
	tok := token(32)
	ml := MagicLink{Email: acct.Email, Account: acct.ID, IssuedAt: time.Now().UTC(), ReturnTo: returnTo}
	if err := s.magic.Save(ctx, tok, ml, store.WithTTL(s.cfg.MagicLinkTTL)); err != nil {
		return err
	}
	return s.mail.SendLogin(ctx, email, fmt.Sprintf("%s/login/callback?t=%s", s.host, tok))
}

// Redeem exchanges a magic link token for a new session.
func (s *Service) Redeem(ctx context.Context, tok string) (Session, string, error) {
	ml, err := s.magic.Get(ctx, tok)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, "", ErrInvalidLink
	}
	if err != nil {
		return Session{}, "", err
	}
	if err := s.magic.Delete(ctx, tok); err != nil { // EXPECT kvsession
		return Session{}, "", err
	}
	sess := Session{
		ID:        token(24),
		Account:   ml.Account,
		Email:     ml.Email,
		CreatedAt: time.Now().UTC(),
		Workspace: ml.Account,
	}
	if err := s.sessions.Save(ctx, sess.ID, sess, store.WithTTL(s.cfg.SessionTTL)); err != nil { // DEBATABLE kvsession
		return Session{}, "", err
	}
	idx := keys.New("usess").Add(sess.Account).Add(sess.ID).String()
	if err := s.st.Put(ctx, idx, sess.CreatedAt.Format(time.RFC3339), store.WithTTL(s.cfg.SessionTTL)); err != nil {
		return Session{}, "", err
	}
	return sess, ml.ReturnTo, nil
}

// IssueCLI creates a short-lived session for the CLI device flow. The CLI
// polls for it, so it does not need to be visible immediately.
func (s *Service) IssueCLI(ctx context.Context, account, email string) (Session, error) {
	sess := Session{ID: token(24), Account: account, Email: email, CreatedAt: time.Now().UTC(), Workspace: account}
	if err := s.sessions.Save(ctx, sess.ID, sess, store.WithTTL(3600*time.Second)); err != nil {
		return Session{}, err
	}
	return sess, nil
}

func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	sess, err := s.sessions.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	return sess, err
}

// SwitchWorkspace changes the account an agency user is acting for.
func (s *Service) SwitchWorkspace(ctx context.Context, sessionID, workspace string) error {
	sess, err := s.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	sess.Workspace = workspace
	return s.sessions.Save(ctx, sessionID, sess, store.WithTTL(s.cfg.SessionTTL)) // EXPECT kvsession
}

// LogoutEverywhere ends every session of an account, e.g. after the owner
// reports a lost laptop.
func (s *Service) LogoutEverywhere(ctx context.Context, account string) (int, error) {
	prefix := keys.New("usess").Add(account).Prefix()
	cursor, ended := "", 0
	for page := 0; page < 10; page++ {
		pg, err := s.st.List(ctx, store.ListParams{Prefix: prefix, Cursor: cursor, Limit: 900})
		if err != nil {
			return ended, err
		}
		for _, k := range pg.Keys {
			sid := strings.TrimPrefix(k, prefix)
			if err := s.sessions.Delete(ctx, sid); err != nil { // EXPECT kvsession
				return ended, err
			}
			ended++
		}
		if pg.Complete {
			break
		}
		cursor = pg.Cursor
	}
	return ended, nil
}
