package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
)

// MagicLinkTTL is how long an emailed sign-in link works.
const MagicLinkTTL = 15 * time.Minute

// maxAttempts is how many links an address may request per window.
const maxAttempts = 5

// attemptWindow is the window maxAttempts applies to.
const attemptWindow = 15 * time.Minute

// ErrTooManyAttempts is returned when an address asks for too many links.
var ErrTooManyAttempts = errors.New("auth: too many sign-in attempts")

// ErrLinkInvalid is returned for unknown, used or expired links.
var ErrLinkInvalid = errors.New("auth: sign-in link is invalid or has expired")

type magicLink struct {
	Email string    `json:"email"`
	Staff bool      `json:"staff"`
	Sent  time.Time `json:"sent"`
}

func magicKey(token string) string { return "magic:" + token }

func attemptsKey(email string) string {
	return "login-attempts:" + strings.ToLower(strings.TrimSpace(email))
}

// SendMagicLink records a sign-in token for email and returns the URL path
// to mail.
func (m *Manager) SendMagicLink(ctx context.Context, email string, staff bool) (string, error) {
	if err := m.countAttempt(ctx, email); err != nil {
		return "", err
	}
	token := NewID()
	b, err := json.Marshal(magicLink{Email: email, Staff: staff, Sent: time.Now()})
	if err != nil {
		return "", err
	}
	if err := m.NS.PutTTL(ctx, magicKey(token), b, MagicLinkTTL); err != nil {
		return "", err
	}
	return "/login/magic/" + token, nil
}

func (m *Manager) countAttempt(ctx context.Context, email string) error {
	n := 0
	raw, err := m.NS.Get(ctx, attemptsKey(email))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= maxAttempts {
		return ErrTooManyAttempts
	}
	return m.NS.PutTTL(ctx, attemptsKey(email), []byte(strconv.Itoa(n+1)), attemptWindow) // EXPECT kvcounter|kvrace
}

// RedeemMagicLink exchanges a token for the address it was sent to. Links
// work once.
func (m *Manager) RedeemMagicLink(ctx context.Context, token string) (email string, staff bool, err error) {
	var link magicLink
	if err := m.NS.GetJSON(ctx, magicKey(token), &link); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return "", false, ErrLinkInvalid
		}
		return "", false, fmt.Errorf("redeem: %w", err)
	}
	if time.Since(link.Sent) > MagicLinkTTL {
		return "", false, ErrLinkInvalid
	}
	if err := m.NS.Delete(ctx, magicKey(token)); err != nil { // EXPECT kvsession
		return "", false, err
	}
	return link.Email, link.Staff, nil
}
