//go:build js && wasm

// Package diner implements passwordless login for diners: magic links by
// email, SMS confirmation codes, OAuth sign-in, and the sessions they create.
package diner

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"sedge/internal/bus"
	"sedge/internal/config"
	"sedge/internal/edgekv"
	"sedge/internal/events"
)

// Session is what the worker keeps per signed-in device.
type Session struct {
	DinerID   string    `json:"diner_id"`
	Method    string    `json:"method"`
	UserAgent string    `json:"ua"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
}

// Mailer sends login links.
type Mailer interface {
	SendLink(to, link string) error
}

// Texter sends SMS messages.
type Texter interface {
	Send(to, body string) error
}

// Service handles the login endpoints.
type Service struct {
	magic    edgekv.Store
	sessions edgekv.Store
	codes    edgekv.Store
	attempts edgekv.Store
	oauth    edgekv.Store
	revoked  edgekv.Store
	carts    edgekv.Store
	bus      *bus.Bus
	cfg      *config.Live
	mail     Mailer
	sms      Texter
}

// NewService scopes st for each kind of record the service keeps.
func NewService(st edgekv.Store, b *bus.Bus, cfg *config.Live, m Mailer, t Texter) *Service {
	return &Service{
		magic:    st.Scope("magic"),
		sessions: st.Scope("sess"),
		codes:    st.Scope("otp"),
		attempts: st.Scope("code-attempts"),
		oauth:    st.Scope("oauth-state"),
		revoked:  st.Scope("revoked"),
		carts:    st.Scope("cart"),
		bus:      b,
		cfg:      cfg,
		mail:     m,
		sms:      t,
	}
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// DinerID derives a stable diner identifier from a verified contact.
func DinerID(contact string) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "diner|%s", strings.ToLower(strings.TrimSpace(contact))))
	return hex.EncodeToString(sum[:12])
}

type startLogin struct {
	Email string `json:"email"`
	Next  string `json:"next"`
}

func (c *startLogin) Validate() error {
	if _, err := mail.ParseAddress(c.Email); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	if c.Next != "" && !strings.HasPrefix(c.Next, "/") {
		return errors.New("next must be a path")
	}
	return nil
}

type magicLink struct {
	Email   string `json:"email"`
	Next    string `json:"next"`
	Created int64  `json:"created"`
}

func sessionCookie(id string, ttl time.Duration) *http.Cookie {
	return &http.Cookie{
		Name:     "sid",
		Value:    id,
		Path:     "/",
		MaxAge:   int(ttl.Seconds()),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	}
}

func publishLogin(r *http.Request, b *bus.Bus, dinerID, method string) (events.LoginSucceeded, error) {
	evt := events.LoginSucceeded{
		DinerID:   dinerID,
		SessionID: newID(24),
		Method:    method,
		UserAgent: r.UserAgent(),
		At:        time.Now(),
	}
	return evt, b.Publish(r.Context(), evt)
}
