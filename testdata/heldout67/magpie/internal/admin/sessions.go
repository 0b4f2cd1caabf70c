// Package admin holds the console's sign-in sessions. Sessions are written
// once at sign-in and read on every console request.
package admin

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/magpie-media/magpie/internal/kvrest"
)

// SessionTTL is how long a console session lasts.
const SessionTTL = 12 * time.Hour

const cookieName = "magpie_console"

var ErrLocked = errors.New("too many sign-in attempts")

// ConsoleSession is what the console knows about a signed-in operator.
type ConsoleSession struct {
	ID      string    `json:"id"`
	Email   string    `json:"email"`
	Role    string    `json:"role"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
}

// Sessions stores console sessions in the SESSIONS namespace.
type Sessions struct {
	KV          *kvrest.Namespace
	MaxAttempts int
}

func sessKey(id string) string        { return "sess:" + id }
func attemptsKey(email string) string { return "login:attempts:" + email }
func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start creates a session after a successful sign-in and sets its cookie.
func (s *Sessions) Start(ctx context.Context, w http.ResponseWriter, email, role string) (*ConsoleSession, error) {
	cs := &ConsoleSession{ID: token(), Email: email, Role: role, CSRF: token(), Created: time.Now()}
	if err := s.KV.PutJSON(ctx, sessKey(cs.ID), cs, SessionTTL); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: cs.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionTTL.Seconds()),
	})
	return cs, nil
}

// Current returns the session of the request, or nil.
func (s *Sessions) Current(r *http.Request) (*ConsoleSession, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, nil
	}
	var cs ConsoleSession
	if err := s.KV.GetJSON(r.Context(), sessKey(c.Value), &cs); err != nil {
		if kvrest.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return &cs, nil
}

// End signs the operator out.
func (s *Sessions) End(ctx context.Context, w http.ResponseWriter, cs *ConsoleSession) error {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	return s.KV.Delete(ctx, sessKey(cs.ID)) // EXPECT kvsession
}

// RotateCSRF issues a new CSRF token for the session after a sensitive action.
func (s *Sessions) RotateCSRF(ctx context.Context, cs *ConsoleSession) error {
	cs.CSRF = token()
	return s.KV.PutJSON(ctx, sessKey(cs.ID), cs, SessionTTL) // EXPECT kvsession
}

// NoteFailure counts a failed sign-in for email and locks the account for
// fifteen minutes after MaxAttempts.
func (s *Sessions) NoteFailure(ctx context.Context, email string) error {
	n := 0
	if raw, err := s.KV.Get(ctx, attemptsKey(email)); err == nil { // EXPECT kvnull
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := s.KV.Put(ctx, attemptsKey(email), []byte(strconv.Itoa(n)), 15*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= s.MaxAttempts {
		return ErrLocked
	}
	return nil
}
