// Package sessionkv is a gorilla/sessions Store that keeps session values in
// Workers KV. The cookie carries only the signed session ID; the values live
// under prefix+ID for the session's MaxAge.
package sessionkv

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/sessionkv")

// Store implements sessions.Store on top of a KV namespace.
type Store struct {
	ns     *kv.Namespace
	codecs []securecookie.Codec
	prefix string

	// Options is copied into every new session. MaxAge is in seconds.
	Options *sessions.Options
}

// New returns a Store writing under prefix; keyPairs sign the ID cookie.
func New(ns *kv.Namespace, prefix string, keyPairs ...[]byte) *Store {
	return &Store{
		ns:     ns,
		codecs: securecookie.CodecsFromPairs(keyPairs...),
		prefix: prefix,
		Options: &sessions.Options{
			Path: "/", MaxAge: 7 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		},
	}
}

// Get returns the session for name, loading it at most once per request.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the request's cookie, or returns a fresh one.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	session := sessions.NewSession(s, name)
	opts := *s.Options
	session.Options = &opts
	session.IsNew = true

	c, err := r.Cookie(name)
	if err != nil {
		return session, nil
	}
	if err := securecookie.DecodeMulti(name, c.Value, &session.ID, s.codecs...); err != nil {
		session.ID = "" // tampered, or signed with a retired key
		return session, nil
	}
	ctx, span := tracer.Start(r.Context(), "session.load", trace.WithAttributes(attribute.String("session.name", name)))
	defer span.End()

	raw, err := s.ns.Get(ctx, s.prefix+session.ID)
	if errors.Is(err, kv.ErrNotFound) {
		session.ID = ""
		return session, nil
	}
	if err != nil {
		span.RecordError(err)
		return session, err
	}
	var values map[string]any
	if err := json.Unmarshal(raw, &values); err != nil {
		return session, fmt.Errorf("session %s: %w", name, err)
	}
	for k, v := range values {
		session.Values[k] = v
	}
	session.IsNew = false
	return session, nil
}

// Save writes the session to KV and sets the ID cookie. A negative MaxAge
// deletes the session.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, session *sessions.Session) error {
	ctx, span := tracer.Start(r.Context(), "session.save", trace.WithAttributes(
		attribute.Bool("session.new", session.ID == ""), attribute.Int("session.max_age", session.Options.MaxAge)))
	defer span.End()

	if session.Options.MaxAge < 0 {
		if session.ID != "" {
			if err := s.ns.Delete(ctx, s.prefix+session.ID); err != nil { // EXPECT kvsession
				span.RecordError(err)
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(session.Name(), "", session.Options))
		return nil
	}

	payload, err := encode(session.Values)
	if err != nil {
		return err
	}
	lifetime := time.Duration(session.Options.MaxAge) * time.Second
	if session.ID == "" {
		session.ID = newID()
		err = s.ns.Put(ctx, s.prefix+session.ID, payload, lifetime)
	} else {
		err = s.ns.Put(ctx, s.prefix+session.ID, payload, lifetime) // EXPECT kvsession|kvrace
	}
	if err != nil {
		span.RecordError(err)
		return err
	}
	encoded, err := securecookie.EncodeMulti(session.Name(), session.ID, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(session.Name(), encoded, session.Options))
	return nil
}

func encode(values map[any]any) ([]byte, error) {
	out := make(map[string]any, len(values))
	for k, v := range values {
		ks, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("session key %v is not a string", k)
		}
		out[ks] = v
	}
	return json.Marshal(out)
}

func newID() string {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}
