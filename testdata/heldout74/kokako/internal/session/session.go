// Package session keeps student sign-in sessions for the registration portal.
package session

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/kvstore"
)

// ErrNoSession is returned when the cookie names no live session.
var ErrNoSession = errors.New("session: not signed in")

// Session is what the portal knows about a signed-in student.
type Session struct {
	ID        string    `json:"id"`
	StudentID string    `json:"student_id"`
	Term      string    `json:"term"`
	Roles     []string  `json:"roles,omitempty"`
	CSRF      string    `json:"csrf"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
}

// Params are the session store's dependencies.
type Params struct {
	dig.In

	KV     *kvstore.Namespace `name:"sessions"`
	TTL    time.Duration      `name:"session-ttl"`
	Idle   time.Duration      `name:"session-idle"`
	Prefix string             `name:"session-prefix"`
}

// Result publishes the store twice: as itself and as a sweeper.
type Result struct {
	dig.Out

	Store   *Store
	Sweeper Sweeper `group:"sweepers"`
}

// Sweeper is implemented by stores that clean up after themselves.
type Sweeper interface {
	Sweep(ctx context.Context, budget int) (int, error)
}

// Store reads and writes sessions.
type Store struct {
	kv     *kvstore.Namespace
	ttl    time.Duration
	idle   time.Duration
	prefix string
}

// NewStore is the dig constructor.
func NewStore(p Params) Result {
	s := &Store{kv: p.KV, ttl: p.TTL, idle: p.Idle, prefix: p.Prefix}
	return Result{Store: s, Sweeper: s}
}

func (s *Store) key(id string) string { return s.prefix + id }

// Create signs a student in and returns the new session.
func (s *Store) Create(ctx context.Context, studentID, term string, roles []string) (*Session, error) {
	now := time.Now().UTC()
	sess := &Session{
		ID:        rand.Text(),
		StudentID: studentID,
		Term:      term,
		Roles:     roles,
		CSRF:      rand.Text(),
		Created:   now,
		LastSeen:  now,
	}
	raw, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.kv.Put(ctx, s.key(sess.ID), raw, s.ttl); err != nil {
		return nil, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// Load returns the session with the given id.
func (s *Store) Load(ctx context.Context, id string) (*Session, error) {
	raw, err := s.kv.Get(ctx, s.key(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, fmt.Errorf("decode session %s: %w", id, err)
	}
	return &sess, nil
}

// Touch records activity and pushes the idle deadline out.
func (s *Store) Touch(ctx context.Context, sess *Session) error {
	sess.LastSeen = time.Now().UTC()
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return s.kv.Put(ctx, s.key(sess.ID), raw, s.idle) // EXPECT kvsession
}

// RotateCSRF issues a fresh anti-forgery token for the next form.
func (s *Store) RotateCSRF(ctx context.Context, sess *Session) (string, error) {
	sess.CSRF = rand.Text()
	raw, err := json.Marshal(sess)
	if err != nil {
		return "", err
	}
	if err := s.kv.Put(ctx, s.key(sess.ID), raw, s.ttl); err != nil { // EXPECT kvsession
		return "", err
	}
	return sess.CSRF, nil
}

// Destroy signs the student out.
func (s *Store) Destroy(ctx context.Context, id string) error {
	return s.kv.Delete(ctx, s.key(id)) // EXPECT kvsession
}

// Sweep removes sessions whose owners were withdrawn from the term. It
// looks at no more than budget keys per call.
func (s *Store) Sweep(ctx context.Context, budget int) (int, error) {
	removed, seen, cursor := 0, 0, ""
	for seen < budget {
		page, err := s.kv.ListPage(ctx, s.prefix, cursor, min(1000, budget-seen))
		if err != nil {
			return removed, err
		}
		seen += len(page.Keys)
		var stale []string
		for _, k := range page.Keys {
			if withdrawn, _ := k.Metadata["withdrawn"].(bool); withdrawn {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if err := s.kv.DeleteMany(ctx, stale); err != nil { // DEBATABLE kvsession
				return removed, err
			}
			removed += len(stale)
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return removed, nil
}
