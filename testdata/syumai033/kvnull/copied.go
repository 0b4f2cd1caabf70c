package kvnull

import (
	"crypto/rand"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

type signIn struct{ pending, codes *kv.Namespace }

// The signed-in user, read with only the error looked at, is copied to
// the code's key: a missing pending login stores "<null>" as the code's
// user, and the token endpoint signs in "<null>".
func (s *signIn) issueCode(w http.ResponseWriter, sid string) {
	user, err := s.pending.GetString(sid, nil) // want `this value is written to KV at line 21 with no check for it, so a miss stores the text "<null>" as data`
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.codes.PutString(rand.Text(), user, nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
	}
}

// Quiet: the miss is looked for before the copy.
func (s *signIn) issueChecked(w http.ResponseWriter, sid string) {
	user, err := s.pending.GetString(sid, nil)
	if err != nil || user == "<null>" {
		http.Error(w, "expired", http.StatusUnauthorized)
		return
	}
	_ = s.codes.PutString(rand.Text(), user, nil)
}

// Quiet: a key the program publishes itself is there.
func (s *signIn) publishBanner() error {
	banner, err := s.pending.GetString("config:banner", nil)
	if err != nil {
		return err
	}
	return s.codes.PutString("edge:banner", banner, nil)
}

// Quiet: written before it is read, not copied from the get.
func (s *signIn) swap(sid, user string) (string, error) {
	if err := s.codes.PutString(sid, user, nil); err != nil {
		return "", err
	}
	return s.pending.GetString(sid, nil)
}
