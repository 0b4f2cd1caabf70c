package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/kvstore"
)

var (
	ErrBadCredentials = errors.New("session: bad credentials")
	ErrLockedOut      = errors.New("session: too many attempts")
	ErrBadCode        = errors.New("session: invalid or expired code")
)

// Directory checks passwords against the account database.
type Directory interface {
	Authenticate(ctx context.Context, email, password string) (User, error)
	Lookup(ctx context.Context, userID string) (User, error)
}

// Mailer delivers one-time codes.
type Mailer interface {
	SendCode(ctx context.Context, email, code string) error
}

// Authenticator runs the two-step admin login: password, then emailed code.
type Authenticator struct {
	Store       kvstore.Store
	Sessions    *Manager
	Users       Directory
	Mail        Mailer
	MaxAttempts int
}

// CheckPassword verifies the password and, on success, emails a code. It
// returns the challenge ID the code must be submitted with.
func (a *Authenticator) CheckPassword(ctx context.Context, email, password string) (string, error) {
	key := consts.PrefixLogin.Key(strings.ToLower(strings.TrimSpace(email)))
	failures := 0
	if raw, err := a.Store.Get(ctx, key); err == nil {
		failures, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	if failures >= a.MaxAttempts {
		return "", ErrLockedOut
	}
	u, err := a.Users.Authenticate(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		failures++
		werr := a.Store.Put(ctx, key, []byte(strconv.Itoa(failures)), kvstore.PutOptions{TTL: consts.LoginWindow}) // EXPECT kvcounter
		return "", errors.Join(err, werr)
	}
	if err != nil {
		return "", err
	}
	return a.issueCode(ctx, u)
}

type challenge struct {
	UserID string    `json:"uid"`
	Code   string    `json:"code"`
	Issued time.Time `json:"issued"`
}

func otpKey(challengeID string) string { return consts.PrefixOTP.Key(challengeID) }

func (a *Authenticator) issueCode(ctx context.Context, u User) (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	id, code, now := randomToken(16), fmt.Sprintf("%06d", n.Int64()), time.Now().UTC()
	err = kvstore.PutJSON(ctx, a.Store, otpKey(id), challenge{UserID: u.ID, Code: code, Issued: now}, kvstore.PutOptions{
		ExpireAt: now.Add(30 * time.Second), // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	return id, a.Mail.SendCode(ctx, u.Email, code)
}

// VerifyCode checks the emailed code of a challenge and starts a session.
func (a *Authenticator) VerifyCode(ctx context.Context, challengeID, code string) (Session, error) {
	c, err := kvstore.GetJSON[challenge](ctx, a.Store, otpKey(challengeID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, ErrBadCode
	}
	if err != nil {
		return Session{}, err
	}
	if subtle.ConstantTimeCompare([]byte(c.Code), []byte(code)) != 1 {
		return Session{}, ErrBadCode
	}
	if err := a.Store.Delete(ctx, otpKey(challengeID)); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	u, err := a.Users.Lookup(ctx, c.UserID)
	if err != nil {
		return Session{}, err
	}
	return a.Sessions.Create(ctx, u)
}
