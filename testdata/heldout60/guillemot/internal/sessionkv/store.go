// Package sessionkv is a gorilla/sessions store that keeps session values in
// Workers KV. The cookie only carries the signed session ID.
package sessionkv

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/forumworks/guillemot/internal/kv"
	"github.com/forumworks/guillemot/internal/sessionfmt"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/sessionkv")

// browserSessionTTL bounds sessions whose cookie has no Max-Age.
const browserSessionTTL = 12 * time.Hour

// Store implements sessions.Store.
type Store struct {
	ns      *kv.Namespace
	codecs  []securecookie.Codec
	Options *sessions.Options
}

var _ sessions.Store = (*Store)(nil)

// New returns a store writing to ns. keyPairs are securecookie key pairs.
func New(ns *kv.Namespace, keyPairs ...[]byte) *Store {
	return &Store{
		ns:      ns,
		codecs:  securecookie.CodecsFromPairs(keyPairs...),
		Options: &sessions.Options{Path: "/", MaxAge: 14 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode},
	}
}

// Get returns the session registered for this request.
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
	if err != nil {
		return sess, nil
	}
	if err := securecookie.DecodeMulti(name, c.Value, &sess.ID, s.codecs...); err != nil {
		return sess, err
	}
	ctx, span := tracer.Start(r.Context(), "sessionkv.load")
	defer span.End()
	raw, err := s.ns.Get(ctx, sessionfmt.Key(sess.ID))
	if errors.Is(err, kv.ErrNotFound) {
		sess.ID = ""
		return sess, nil
	}
	if err != nil {
		span.RecordError(err)
		return sess, err
	}
	rec, err := sessionfmt.Decode(raw)
	if err != nil {
		span.RecordError(err)
		return sess, err
	}
	sess.Values = sessionfmt.ToValues(rec.Values)
	sess.IsNew = false
	return sess, nil
}

// Save writes the session and its cookie. A negative MaxAge deletes both.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx, span := tracer.Start(r.Context(), "sessionkv.save")
	defer span.End()
	span.SetAttributes(attribute.Int("session.max_age", sess.Options.MaxAge), attribute.Bool("session.new", sess.IsNew))

	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.ns.Delete(ctx, sessionfmt.Key(sess.ID)); err != nil { // EXPECT kvsession
				span.RecordError(err)
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}

	uid, _ := sess.Values["uid"].(string)
	if sess.ID == "" {
		sess.ID = sessionfmt.NewID(uid)
	}
	ttl := time.Duration(sess.Options.MaxAge) * time.Second
	if sess.Options.MaxAge == 0 {
		ttl = browserSessionTTL
	}
	data, err := json.Marshal(sessionfmt.Record{
		Account: uid,
		Values:  sessionfmt.FromValues(sess.Values),
		Created: time.Now().UTC(),
		Expires: time.Now().Add(ttl).UTC(),
	})
	if err != nil {
		return err
	}
	if err := s.ns.Put(ctx, sessionfmt.Key(sess.ID), data, ttl); err != nil {
		span.RecordError(err)
		return err
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}
