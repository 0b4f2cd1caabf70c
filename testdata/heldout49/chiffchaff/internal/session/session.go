// Package session manages listener and creator sessions and the one-time
// credentials used to sign in.
package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"time"

	"github.com/chiffchaff/podhost/internal/kvstore"
)

// ErrNoSession is returned when a session ID is unknown or expired.
var ErrNoSession = errors.New("session: no such session")

// Kind distinguishes listener sessions from creator dashboard sessions.
type Kind string

const (
	Listener Kind = "l"
	Creator  Kind = "c"
)

// Session is the stored state of a signed-in user.
type Session struct {
	ID        string         `json:"id"`
	UserID    string         `json:"user_id"`
	Kind      Kind           `json:"kind"`
	CreatedAt time.Time      `json:"created_at"`
	ExpiresAt time.Time      `json:"expires_at"`
	LastSeen  time.Time      `json:"last_seen"`
	Resume    map[string]int `json:"resume,omitempty"`
	Queue     []string       `json:"queue,omitempty"`
}

// MarshalBinary encodes the session for storage.
func (s *Session) MarshalBinary() ([]byte, error) { return json.Marshal(s) }

// UnmarshalBinary decodes a stored session.
func (s *Session) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, s) }

// Manager creates and loads sessions.
type Manager struct {
	ns  *kvstore.Namespace
	now func() time.Time

	// Lifetime is the absolute lifetime of a new session.
	Lifetime time.Duration
	// Idle extends a session on activity.
	Idle time.Duration
}

// NewManager returns a Manager storing sessions in ns.
func NewManager(ns *kvstore.Namespace, now func() time.Time, lifetime time.Duration) *Manager {
	return &Manager{ns: ns, now: now, Lifetime: lifetime, Idle: 7 * 24 * time.Hour}
}

func sessKey(kind Kind, id string) string { return "sess:" + string(kind) + ":" + id }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a new session for userID.
func (m *Manager) Create(ctx context.Context, userID string, kind Kind) (*Session, error) {
	now := m.now()
	s := &Session{
		ID:        randomID(32),
		UserID:    userID,
		Kind:      kind,
		CreatedAt: now,
		ExpiresAt: now.Add(m.Lifetime),
		LastSeen:  now,
	}
	if err := m.ns.PutObject(ctx, sessKey(kind, s.ID), s, m.Lifetime); err != nil {
		return nil, err
	}
	return s, nil
}

// Get loads a session without changing it.
func (m *Manager) Get(ctx context.Context, kind Kind, id string) (*Session, error) {
	var s Session
	if err := m.ns.GetObject(ctx, sessKey(kind, id), &s); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	if !m.now().Before(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	return &s, nil
}

// Touch loads a session and pushes its idle expiry forward.
func (m *Manager) Touch(ctx context.Context, kind Kind, id string) (*Session, error) {
	s, err := m.Get(ctx, kind, id)
	if err != nil {
		return nil, err
	}
	now := m.now()
	s.LastSeen = now
	if exp := now.Add(m.Idle); exp.After(s.ExpiresAt) {
		s.ExpiresAt = exp
	}
	if err := m.ns.PutObject(ctx, sessKey(kind, id), s, m.Idle); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s, nil
}

// Logout ends a session.
func (m *Manager) Logout(ctx context.Context, kind Kind, id string) error {
	return m.ns.Delete(ctx, sessKey(kind, id)) // EXPECT kvsession
}

// State is the listener session of one request. Handlers change it
// through its methods; the caller saves it once at the end.
type State struct {
	m     *Manager
	sess  *Session
	dirty bool
}

// Begin loads the listener session id for the current request.
func (m *Manager) Begin(ctx context.Context, id string) (*State, error) {
	s, err := m.Get(ctx, Listener, id)
	if err != nil {
		return nil, err
	}
	return &State{m: m, sess: s}, nil
}

// UserID is the signed-in listener.
func (st *State) UserID() string { return st.sess.UserID }

// Dirty reports whether the state changed since Begin.
func (st *State) Dirty() bool { return st.dirty }

// SetPosition records the playback position of an episode.
func (st *State) SetPosition(episodeID string, sec int) {
	if st.sess.Resume == nil {
		st.sess.Resume = map[string]int{}
	}
	if st.sess.Resume[episodeID] == sec {
		return
	}
	st.sess.Resume[episodeID] = sec
	st.dirty = true
}

// Enqueue adds an episode to the listener's up-next queue.
func (st *State) Enqueue(episodeID string) {
	for _, id := range st.sess.Queue {
		if id == episodeID {
			return
		}
	}
	st.sess.Queue = append(st.sess.Queue, episodeID)
	st.dirty = true
}

// Dequeue removes an episode from the queue.
func (st *State) Dequeue(episodeID string) {
	out := st.sess.Queue[:0]
	for _, id := range st.sess.Queue {
		if id != episodeID {
			out = append(out, id)
		}
	}
	if len(out) != len(st.sess.Queue) {
		st.dirty = true
	}
	st.sess.Queue = out
}

// Save writes the session back if a method changed it.
func (st *State) Save(ctx context.Context) error {
	if !st.dirty {
		return nil
	}
	st.dirty = false
	return st.m.ns.PutObject(ctx, sessKey(Listener, st.sess.ID), st.sess, st.m.Lifetime) // EXPECT kvsession
}
