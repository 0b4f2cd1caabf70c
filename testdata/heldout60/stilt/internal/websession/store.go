// Package websession keeps gorilla/sessions session values in Workers KV. The
// cookie only carries a random session ID.
package websession

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"github.com/framewell/stilt/internal/kvstore"
)

// Store implements sessions.Store on top of a KV namespace.
type Store struct {
	ns *kvstore.Namespace
	// Options are copied into every new session.
	Options *sessions.Options
	// Idle is the server-side lifetime of sessions whose cookie has no
	// Max-Age (browser-session cookies).
	Idle time.Duration
}

var _ sessions.Store = (*Store)(nil)

// NewStore returns a store whose sessions start with opts.
func NewStore(ns *kvstore.Namespace, opts sessions.Options, idle time.Duration) *Store {
	return &Store{ns: ns, Options: &opts, Idle: idle}
}

type record struct {
	Values  map[string]any `json:"values"`
	Created time.Time      `json:"created"`
}

func key(id string) string { return "sess:" + id }

func newID() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

// Get returns the session for name, cached per request by the registry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or returns a new one.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := *s.Options
	sess.Options = &opts
	sess.IsNew = true

	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return sess, nil
	}
	raw, err := s.ns.Get(r.Context(), key(c.Value))
	if errors.Is(err, kvstore.ErrNotFound) {
		return sess, nil
	}
	if err != nil {
		return sess, fmt.Errorf("websession: load: %w", err)
	}
	var rec record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return sess, nil
	}
	sess.ID = c.Value
	for k, v := range rec.Values {
		sess.Values[k] = v
	}
	sess.Values["_created"] = rec.Created.Unix()
	sess.IsNew = false
	return sess, nil
}

// Save writes the session to KV and sets the cookie. MaxAge < 0 removes the
// session.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.ns.Delete(ctx, key(sess.ID)); err != nil { // EXPECT kvsession
				return fmt.Errorf("websession: delete: %w", err)
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}

	rec := record{Values: make(map[string]any, len(sess.Values)), Created: time.Now().UTC()}
	for k, v := range sess.Values {
		ks, ok := k.(string)
		if !ok {
			return fmt.Errorf("websession: non-string key %v", k)
		}
		if ks == "_created" {
			if unix, ok := v.(int64); ok {
				rec.Created = time.Unix(unix, 0).UTC()
			}
			continue
		}
		rec.Values[ks] = v
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}

	ttl := time.Duration(sess.Options.MaxAge) * time.Second
	if ttl == 0 {
		ttl = s.Idle
	}
	if sess.ID == "" {
		sess.ID = newID()
	}
	if err := s.ns.Put(ctx, key(sess.ID), body, ttl); err != nil {
		return fmt.Errorf("websession: save: %w", err)
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), sess.ID, sess.Options))
	return nil
}
