// Package auth implements console login, OAuth sign-in with the partner
// identity provider, e-mail verification and password changes.
package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
	"example.com/estuary/internal/session"
)

var (
	ErrBadCredentials = errors.New("auth: bad credentials")
	ErrLocked         = errors.New("auth: too many failed attempts, try later")
	ErrBadState       = errors.New("auth: unknown or expired OAuth state")
)

const (
	maxAttempts   = 5
	lockout       = 15 * time.Minute
	stateTTL      = 10 * time.Minute
	verifyCodeTTL = 45 * time.Second
)

// Directory is the account system of record.
type Directory interface {
	CheckPassword(ctx context.Context, acct ids.AccountID, password string) error
	SetPassword(ctx context.Context, acct ids.AccountID, password string) error
}

// Mailer sends transactional mail.
type Mailer interface {
	Send(ctx context.Context, acct ids.AccountID, subject, body string) error
}

// Service wires the pieces together.
type Service struct {
	store    kvstore.Store
	sessions *session.Manager
	dir      Directory
	mail     Mailer
}

func New(store kvstore.Store, sessions *session.Manager, dir Directory, mail Mailer) *Service {
	return &Service{store: store, sessions: sessions, dir: dir, mail: mail}
}

// Login checks a password and starts a session.
func (s *Service) Login(ctx context.Context, acct ids.AccountID, password string) (*session.Record, error) {
	key := "attempts/" + acct.String()
	failures := 0
	b, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		failures, _ = strconv.Atoi(string(b))
	case !kvstore.IsNotFound(err):
		return nil, err
	}
	if failures >= maxAttempts {
		return nil, ErrLocked
	}
	if err := s.dir.CheckPassword(ctx, acct, password); err != nil {
		if perr := s.store.Put(ctx, key, []byte(strconv.Itoa(failures+1)), kvstore.PutOptions{TTL: lockout}); perr != nil { // EXPECT kvcounter
			return nil, errors.Join(ErrBadCredentials, perr)
		}
		return nil, ErrBadCredentials
	}
	return s.sessions.Create(ctx, acct)
}

// BeginOAuth records where to send the user back to and returns the state
// parameter for the authorization request.
func (s *Service) BeginOAuth(ctx context.Context, returnTo string) (ids.Token, error) {
	state := ids.NewToken(24)
	if err := s.store.Put(ctx, "oauth/"+state.String(), []byte(returnTo), kvstore.PutOptions{TTL: stateTTL}); err != nil {
		return "", fmt.Errorf("auth: saving state: %w", err)
	}
	return state, nil
}

// CompleteOAuth checks the state parameter of a callback and returns the
// saved return path. A state can be used once.
func (s *Service) CompleteOAuth(ctx context.Context, state ids.Token) (string, error) {
	key := "oauth/" + state.String()
	b, err := s.store.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return "", ErrBadState
	}
	if err != nil {
		return "", err
	}
	if err := s.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(b), nil
}

// SendVerification mails a six-digit code to the account's address.
func (s *Service) SendVerification(ctx context.Context, acct ids.AccountID) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := s.store.Put(ctx, "verify/"+acct.String(), []byte(code), kvstore.PutOptions{TTL: verifyCodeTTL}); err != nil { // EXPECT kvttl
		return err
	}
	return s.mail.Send(ctx, acct, "Your estuary code", "Your verification code is "+code)
}

// Reauthenticate checks the password again before a sensitive action.
func (s *Service) Reauthenticate(ctx context.Context, rec *session.Record, password string) error {
	if err := s.dir.CheckPassword(ctx, rec.Account, password); err != nil {
		return ErrBadCredentials
	}
	return s.sessions.Elevate(ctx, rec.ID, 10*time.Minute)
}

// ChangePassword sets a new password and signs out every other session.
func (s *Service) ChangePassword(ctx context.Context, acct ids.AccountID, oldPW, newPW string) error {
	if err := s.dir.CheckPassword(ctx, acct, oldPW); err != nil {
		return ErrBadCredentials
	}
	if err := s.dir.SetPassword(ctx, acct, newPW); err != nil {
		return err
	}
	return s.sessions.RevokeAll(ctx, acct)
}
