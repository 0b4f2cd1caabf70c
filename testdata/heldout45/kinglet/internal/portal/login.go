package portal

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"kinglet/internal/kvstore"
)

const (
	otpTTL          = 30 * time.Second
	maxLoginAttempt = 5
	attemptWindow   = 15 * time.Minute
)

// ErrTooManyAttempts is returned once an address has used up its attempts.
var ErrTooManyAttempts = errors.New("portal: too many login attempts")

// ErrInvalidCode is returned for unknown or already used codes and links.
var ErrInvalidCode = errors.New("portal: invalid code")

// Mailer sends login e-mails.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Login issues magic links and one-time codes and turns them into sessions.
type Login struct {
	Sessions     Sessions
	Store        *kvstore.Store
	Namespace    string
	MagicLinkTTL time.Duration
	BaseURL      string
	Mail         Mailer
}

func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func (l Login) countAttempt(ctx context.Context, email string) error {
	key := fmt.Sprintf("login-attempts:%s", normEmail(email))
	n := 0
	raw, err := l.Store.Get(ctx, l.Namespace, key)
	switch {
	case kvstore.IsNotFound(err):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= maxLoginAttempt {
		return ErrTooManyAttempts
	}
	return l.Store.Put(ctx, l.Namespace, key, []byte(strconv.Itoa(n+1)), attemptWindow) // EXPECT kvcounter|kvrace
}

// SendMagicLink mails a sign-in link to a known user.
func (l Login) SendMagicLink(ctx context.Context, email, userID, customerID string) error {
	if err := l.countAttempt(ctx, email); err != nil {
		return err
	}
	tok := randomID(24)
	val := fmt.Sprintf("%s|%s|%s", userID, customerID, normEmail(email))
	if err := l.Store.Put(ctx, l.Namespace, "magic:"+tok, []byte(val), l.MagicLinkTTL); err != nil {
		return err
	}
	link := fmt.Sprintf("%s/login/%s", strings.TrimRight(l.BaseURL, "/"), tok)
	return l.Mail.Send(ctx, email, "Your sign-in link", "Sign in: "+link)
}

// RedeemMagicLink turns a magic link into a session.
func (l Login) RedeemMagicLink(ctx context.Context, tok string) (Session, error) {
	raw, err := l.Store.Get(ctx, l.Namespace, "magic:"+tok)
	if kvstore.IsNotFound(err) {
		return Session{}, ErrInvalidCode
	}
	if err != nil {
		return Session{}, err
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return Session{}, ErrInvalidCode
	}
	if err := l.Store.Delete(ctx, l.Namespace, "magic:"+tok); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return l.Sessions.Create(ctx, parts[0], parts[1], parts[2])
}

// SendCode mails a six-digit code for step-up confirmation of payouts.
func (l Login) SendCode(ctx context.Context, sess Session) error {
	code := fmt.Sprintf("%06d", time.Now().UnixNano()%1_000_000)
	if err := l.Store.Put(ctx, l.Namespace, "otp:"+sess.ID, []byte(code), otpTTL); err != nil { // EXPECT kvttl
		return err
	}
	return l.Mail.Send(ctx, sess.Email, "Confirmation code", "Your code is "+code)
}

// VerifyCode checks a step-up code and marks it used.
func (l Login) VerifyCode(ctx context.Context, sess Session, code string) error {
	raw, err := l.Store.Get(ctx, l.Namespace, "otp:"+sess.ID)
	if kvstore.IsNotFound(err) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	if string(raw) == "used" || subtle.ConstantTimeCompare(raw, []byte(code)) != 1 {
		return ErrInvalidCode
	}
	return l.Store.Put(ctx, l.Namespace, "otp:"+sess.ID, []byte("used"), 5*time.Minute) // EXPECT kvsession
}
