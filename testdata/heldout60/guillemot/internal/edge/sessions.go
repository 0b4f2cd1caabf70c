//go:build js && wasm

package edge

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"
	"github.com/syumai/workers/cloudflare"

	"github.com/forumworks/guillemot/internal/sessionfmt"
)

// Store is the Worker's view of the sessions the account service creates. It
// implements sessions.Store over the SESSIONS binding.
type Store struct {
	ns      *cloudflare.KVNamespace
	codecs  []securecookie.Codec
	Options *sessions.Options
}

var _ sessions.Store = (*Store)(nil)

// NewStore returns a store reading ns with the account service's cookie keys.
func NewStore(ns *cloudflare.KVNamespace, hashKey, blockKey []byte) *Store {
	return &Store{
		ns:      ns,
		codecs:  securecookie.CodecsFromPairs(hashKey, blockKey),
		Options: &sessions.Options{Path: "/", MaxAge: 14 * 24 * 3600, Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode},
	}
}

// Get returns the request's session from the registry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session named by the cookie. Sessions keep the lifetime they
// were created with.
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
	raw, err := s.ns.GetString(sessionfmt.Key(sess.ID), nil)
	if err != nil {
		return sess, err
	}
	if raw == "" { // EXPECT kvnull
		sess.ID = ""
		return sess, nil
	}
	rec, err := sessionfmt.Decode([]byte(raw))
	if err != nil {
		return sess, err
	}
	if !rec.Expires.IsZero() {
		sess.Options.MaxAge = int(time.Until(rec.Expires).Seconds()) // EXPECT kvttl
	}
	sess.Values = sessionfmt.ToValues(rec.Values)
	sess.IsNew = false
	return sess, nil
}

// Save writes the session back. The edge never creates sessions; a negative
// MaxAge ends the session.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.ns.Delete(sessionfmt.Key(sess.ID)); err != nil { // EXPECT kvsession
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", sess.Options))
		return nil
	}
	if sess.ID == "" {
		return errors.New("edge: sessions are created by the account service")
	}
	uid, _ := sess.Values["uid"].(string)
	data, err := json.Marshal(sessionfmt.Record{
		Account: uid,
		Values:  sessionfmt.FromValues(sess.Values),
		Created: time.Now().UTC(),
		Expires: time.Now().Add(time.Duration(sess.Options.MaxAge) * time.Second).UTC(),
	})
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: sess.Options.MaxAge}
	if err := s.ns.PutString(sessionfmt.Key(sess.ID), string(data), opts); err != nil {
		return err
	}
	encoded, err := securecookie.EncodeMulti(sess.Name(), sess.ID, s.codecs...)
	if err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(sess.Name(), encoded, sess.Options))
	return nil
}
