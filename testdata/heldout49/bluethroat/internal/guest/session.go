//go:build js && wasm

// Package guest signs guests in (magic links and SMS codes) and keeps their
// session and profile.
package guest

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/clock"
	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// CookieName is the session cookie.
const CookieName = "tk_sess"

// Errors.
var (
	ErrNoSession = errors.New("guest: not signed in")
	ErrLinkUsed  = errors.New("guest: link expired or already used")
)

// Sessions creates and loads guest sessions.
type Sessions struct {
	binding string
	ns      *edgekv.Namespace
	clock   clock.Clock
	ttl     time.Duration // absolute lifetime, from configuration
	idle    time.Duration // sliding idle window, from configuration
}

// NewSessions stores sessions in the GUESTS binding under "sess:".
func NewSessions(binding string, clk clock.Clock, ttl, idle time.Duration) *Sessions {
	return &Sessions{
		binding: binding,
		ns:      edgekv.Open(binding, model.PrefixSession),
		clock:   clk,
		ttl:     ttl,
		idle:    idle,
	}
}

// Create starts a session for a guest who has just proved their phone number.
func (s *Sessions) Create(guestID, phone string) (*model.GuestSession, error) {
	now := s.clock.Now()
	sess := &model.GuestSession{
		ID:        newToken(),
		GuestID:   guestID,
		Phone:     phone,
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl),
		LastSeen:  now,
	}
	if err := s.ns.Store(sess.ID, sess, s.ttl); err != nil {
		return nil, err
	}
	return sess, nil
}

// State is the request's view of the guest's session. Handlers change it through
// its methods and WithSession writes it back once, after the handler.
type State struct {
	Session model.GuestSession
	dirty   bool
}

// HoldSlot remembers the slot the guest is in the middle of booking.
func (st *State) HoldSlot(slot string, party int) {
	if st.Session.HeldSlot == slot && st.Session.PendingParty == party {
		return
	}
	st.Session.HeldSlot = slot
	st.Session.PendingParty = party
	st.dirty = true
}

// ReleaseHold forgets the held slot, after booking or abandoning it.
func (st *State) ReleaseHold() {
	if st.Session.HeldSlot == "" {
		return
	}
	st.Session.HeldSlot = ""
	st.Session.PendingParty = 0
	st.dirty = true
}

// Begin loads the session named by the request's cookie.
func (s *Sessions) Begin(r *http.Request) (*State, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	st := &State{}
	if err := s.ns.Load(c.Value, &st.Session); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	if s.clock.Now().After(st.Session.ExpiresAt) {
		return nil, ErrNoSession
	}
	return st, nil
}

// Touch extends an active session by the idle window.
func (s *Sessions) Touch(st *State) error {
	now := s.clock.Now()
	st.Session.LastSeen = now
	st.Session.ExpiresAt = now.Add(s.idle)
	return s.ns.Store(st.Session.ID, &st.Session, s.idle) // EXPECT kvsession|kvrace
}

// Finish writes the session back if the handler changed it.
func (s *Sessions) Finish(st *State) error {
	if !st.dirty {
		return nil
	}
	st.dirty = false
	return s.ns.Store(st.Session.ID, &st.Session, s.ttl) // EXPECT kvsession|kvrace
}

// Logout ends the session.
func (s *Sessions) Logout(w http.ResponseWriter, st *State) error {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1})
	return s.ns.Delete(st.Session.ID) // EXPECT kvsession
}

// WithSession loads the session, slides its expiry, runs h and saves any change.
func (s *Sessions) WithSession(h func(w http.ResponseWriter, r *http.Request, st *State)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := s.Begin(r)
		if err != nil {
			if errors.Is(err, ErrNoSession) {
				http.Error(w, "sign in required", http.StatusUnauthorized)
				return
			}
			log.Printf("guest: session: %v", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		if err := s.Touch(st); err != nil {
			log.Printf("guest: touch: %v", err)
		}
		h(w, r, st)
		if err := s.Finish(st); err != nil {
			log.Printf("guest: save session: %v", err)
		}
	}
}

// SendMagicLink mints a single-use sign-in link valid for fifteen minutes.
func (s *Sessions) SendMagicLink(guestID, phone string) (string, error) {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return "", err
	}
	token := newToken()
	exp := s.clock.Now().Add(15 * time.Minute)
	err = ns.PutString("magic:"+token, guestID+"|"+phone, &kv.PutOptions{
		Expiration: int(exp.UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	return "https://book.tablekeep.example/in/" + token, nil
}

// RedeemMagicLink exchanges a link token for a new session.
func (s *Sessions) RedeemMagicLink(token string) (*model.GuestSession, error) {
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		return nil, err
	}
	v, err := ns.GetString("magic:"+token, nil)
	if err != nil {
		return nil, err
	}
	if v == "<null>" {
		return nil, ErrLinkUsed
	}
	guestID, phone, ok := strings.Cut(v, "|")
	if !ok {
		return nil, fmt.Errorf("guest: malformed link record")
	}
	if err := ns.Delete("magic:" + token); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.Create(guestID, phone)
}

// SetCookie writes the session cookie.
func SetCookie(w http.ResponseWriter, sess *model.GuestSession) {
	http.SetCookie(w, &http.Cookie{
		Name:     CookieName,
		Value:    sess.ID,
		Path:     "/",
		Expires:  sess.ExpiresAt,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}

func newToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
