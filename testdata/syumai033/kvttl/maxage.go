package kvttl

import (
	"crypto/rand"
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

// A session store in the manner of gorilla/sessions: Options.MaxAge is
// the lifetime in seconds, and below zero it deletes the session.

type cookieOptions struct{ MaxAge int }

type webSession struct {
	ID      string
	Options *cookieOptions
	Values  map[string]string
}

type sessionStore struct{ ns *kv.Namespace }

func (s *sessionStore) put(key, value string, ttl int) error {
	return s.ns.PutString(key, value, &kv.PutOptions{ExpirationTTL: ttl})
}

func (s *sessionStore) Save(sess *webSession) error {
	if sess.Options.MaxAge < 0 {
		return s.ns.Delete("sess:" + sess.ID)
	}
	if sess.ID == "" {
		sess.ID = newSessionID()
	}
	b, err := json.Marshal(sess.Values)
	if err != nil {
		return err
	}
	return s.put("sess:"+sess.ID, string(b), sess.Options.MaxAge)
}

func newSessionID() string { return rand.Text() }

// Quiet: a logout, which Save turns into a delete.
func logoutSession(s *sessionStore, sess *webSession) error {
	sess.Options.MaxAge = -1
	return s.Save(sess)
}

func stepUpSession(s *sessionStore, sess *webSession) error {
	sess.Options.MaxAge = 30 // want `ExpirationTTL 30 \(kept in cookieOptions.MaxAge, which a later put reads\) is below KV's 60-second minimum`
	return s.Save(sess)
}
