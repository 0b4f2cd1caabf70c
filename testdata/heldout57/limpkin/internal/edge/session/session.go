//go:build js && wasm

// Package session keeps courier and customer sessions at the edge.
package session

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// Role separates couriers from customers.
type Role string

const (
	Courier  Role = "courier"
	Customer Role = "customer"
)

const (
	courierLifetime  = 10 * time.Hour
	customerLifetime = 30 * time.Minute
	cookieName       = "lk_sess"
)

// ErrNoSession is returned when the request carries no live session.
var ErrNoSession = errors.New("session: none")

type dirty uint8

const (
	dirtySeen dirty = 1 << iota
	dirtySite
	dirtyDoors
)

// Record is what is stored under "sess:<id>".
type Record struct {
	Subject string    `json:"sub"`
	Role    Role      `json:"role"`
	Site    string    `json:"site,omitempty"`
	Doors   []int     `json:"doors,omitempty"`
	Created time.Time `json:"created"`
	Seen    time.Time `json:"seen"`
}

// State is a loaded session plus the fields changed during this request.
type State struct {
	ID    string
	Rec   Record
	store *edgekv.Store
	dirty dirty
}

func key(id string) string { return "sess:" + id }

func lifetime(r Role) time.Duration {
	return kvx.If(r == Courier, courierLifetime, customerLifetime)
}

// Start creates a new session for subject and returns its cookie.
func Start(st *edgekv.Store, subject string, role Role, site string) (*http.Cookie, error) {
	id := kvx.NewID()
	now := time.Now().UTC()
	rec := Record{Subject: subject, Role: role, Site: site, Created: now, Seen: now}
	raw, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := st.PutFor(key(id), string(raw), lifetime(role)); err != nil {
		return nil, err
	}
	return &http.Cookie{Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(lifetime(role).Seconds())}, nil
}

// Load reads the session named by the request cookie.
func (s *State) Load(r *http.Request) error {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return ErrNoSession
	}
	raw, ok, err := s.store.LookupCached(key(c.Value), 5*time.Minute)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoSession
	}
	s.ID = c.Value
	return json.Unmarshal([]byte(raw), &s.Rec)
}

// Touch records activity so the session slides forward.
func (s *State) Touch(now time.Time) {
	s.Rec.Seen = now.UTC()
	s.dirty |= dirtySeen
}

// Assign moves a courier session to another site and door set.
func (s *State) Assign(site string, doors []int) {
	if s.Rec.Site != site {
		s.Rec.Site = site
		s.dirty |= dirtySite
	}
	s.Rec.Doors = doors
	s.dirty |= dirtyDoors
}

// Save writes the session back when anything changed.
func (s *State) Save() error {
	if s.dirty == 0 || s.ID == "" {
		return nil
	}
	raw, err := json.Marshal(s.Rec)
	if err != nil {
		return err
	}
	s.dirty = 0
	return s.store.PutFor(key(s.ID), string(raw), lifetime(s.Rec.Role)) // EXPECT kvsession|kvrace
}

// Handler is embedded by request handlers that need the caller's session.
type Handler struct {
	State
}

// Bind attaches the store; the zero Handler is otherwise ready to Load.
func (h *Handler) Bind(st *edgekv.Store) { h.store = st }

// End logs the caller out.
func End(st *edgekv.Store, w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	return st.Forget(key(c.Value)) // EXPECT kvsession
}

// Revoke blocks every session of subject after a password change. Edge
// handlers consult the list before trusting a session.
func Revoke(st *edgekv.Store, subject string, until time.Time) error {
	return st.PutUntil("revoked:"+strings.ToLower(subject), time.Now().UTC().Format(time.RFC3339), until) // EXPECT kvsession
}

// Revoked reports whether subject's sessions were revoked.
func Revoked(st *edgekv.Store, subject string) (bool, error) {
	_, ok, err := st.Lookup("revoked:" + strings.ToLower(subject))
	return ok, err
}
