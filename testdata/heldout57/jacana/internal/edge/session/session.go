//go:build js && wasm

// Package session keeps learner sessions in edge KV. A session is created at
// sign-in under a fresh random ID and read on every request.
package session

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/lingofox/jacana/internal/edge/edgekv"
)

const (
	sessionTTL  = 30 * 24 * time.Hour
	sessionIdle = 2 * time.Hour
	refreshTTL  = 60 * 24 * time.Hour
)

// ErrNoSession is returned when the request carries no usable session.
var ErrNoSession = errors.New("session: none")

type field uint8

const (
	fieldCourse field = 1 << iota
	fieldLocale
	fieldGoal
	fieldSeen
)

// Session is the stored session record.
type Session struct {
	ID        string    `json:"id"`
	Learner   string    `json:"learner"`
	Course    string    `json:"course,omitempty"`
	Locale    string    `json:"locale,omitempty"`
	DailyGoal int       `json:"daily_goal,omitempty"`
	LastSeen  time.Time `json:"last_seen"`
	Created   time.Time `json:"created"`
}

// State is the per-request view of a session with dirty tracking.
type State struct {
	ns     *edgekv.NS
	s      Session
	dirty  field
	loaded bool
}

// NewState binds a State to the sessions namespace.
func NewState(ns *edgekv.NS) *State { return &State{ns: ns} }

func key(id string) string { return "sess:" + id }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// entry is the stored form of a session.
func entry(s Session) (string, string, *kv.PutOptions) {
	raw, _ := json.Marshal(s)
	return key(s.ID), string(raw), &kv.PutOptions{ExpirationTTL: int(sessionTTL.Seconds())}
}

// Create starts a new session for learner.
func (st *State) Create(learner, locale string) (string, error) {
	now := time.Now().UTC()
	st.s = Session{ID: randomID(24), Learner: learner, Locale: locale, LastSeen: now, Created: now}
	st.loaded = true
	return st.s.ID, st.ns.Raw().PutString(entry(st.s))
}

// Load reads the session id.
func (st *State) Load(id string) error {
	if id == "" {
		return ErrNoSession
	}
	raw, err := st.ns.Raw().GetString(key(id), nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), &st.s); err != nil {
		return err
	}
	st.loaded = true
	return nil
}

// Learner returns the signed-in learner.
func (st *State) Learner() string { return st.s.Learner }

// Course returns the learner's current course.
func (st *State) Course() string { return st.s.Course }

// SetCourse switches the current course.
func (st *State) SetCourse(c string) {
	if c != st.s.Course {
		st.s.Course = c
		st.dirty |= fieldCourse
	}
}

// SetGoal changes the daily lesson goal.
func (st *State) SetGoal(n int) {
	if n != st.s.DailyGoal {
		st.s.DailyGoal = n
		st.dirty |= fieldGoal
	}
}

// Save writes the session back when a field changed.
func (st *State) Save() error {
	if !st.loaded || st.dirty&^fieldSeen == 0 {
		return nil
	}
	st.dirty = 0
	return st.ns.Raw().PutString(entry(st.s)) // EXPECT kvsession|kvrace
}

// Touch extends the session's idle window; it is called on every request.
func (st *State) Touch() error {
	if !st.loaded {
		return nil
	}
	st.s.LastSeen = time.Now().UTC()
	st.dirty |= fieldSeen
	raw, _ := json.Marshal(st.s)
	return st.ns.Raw().PutString(key(st.s.ID), string(raw), &kv.PutOptions{ // EXPECT kvsession
		ExpirationTTL: int(sessionIdle), // EXPECT kvttl
	})
}

// Logout ends the session.
func (st *State) Logout() error {
	if !st.loaded {
		return nil
	}
	return st.ns.Delete(key(st.s.ID)) // EXPECT kvsession
}

// Refresh tokens live beside sessions so a mobile client can get a new
// session without signing in again.

func refreshKey(tok string) string { return "rt:" + tok }

// IssueRefresh mints a refresh token for learner.
func IssueRefresh(ns *edgekv.NS, learner string) (string, error) {
	tok := randomID(32)
	return tok, ns.Put(refreshKey(tok), learner, refreshTTL)
}

// Rotate exchanges a refresh token for a new one.
func Rotate(ns *edgekv.NS, old string) (string, string, error) {
	learner, ok, err := ns.Get(refreshKey(old))
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", ErrNoSession
	}
	if err := ns.Delete(refreshKey(old)); err != nil { // EXPECT kvsession
		return "", "", err
	}
	tok, err := IssueRefresh(ns, learner)
	return learner, tok, err
}

// RevokeAll is called after a password change: the learner's current token
// generation is recorded as revoked until every token of it has expired.
func RevokeAll(ns *edgekv.NS, learner string, generation int64) error {
	var buf []byte
	buf = append(buf, "revoked:"...)
	buf = append(buf, learner...)
	buf = append(buf, ':')
	buf = strconv.AppendInt(buf, generation, 10)
	return ns.Put(string(buf), time.Now().UTC().Format(time.RFC3339), refreshTTL) // EXPECT kvsession
}

// CSRF returns a fresh CSRF token bound to the session, valid for an hour.
func (st *State) CSRF() (string, error) {
	tok := randomID(18)
	return tok, st.ns.Put("csrf:"+st.s.ID+":"+tok, "1", time.Hour)
}
