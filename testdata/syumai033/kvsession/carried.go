package kvsession

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"

	"github.com/syumai/workers/cloudflare/kv"
)

// carriedSession is what the session middleware loads and puts in the
// request's context.
type carriedSession struct {
	ID         string
	UserID     string
	MFAPending bool
}

type carriedKey struct{}

// currentSession returns the session the middleware loaded.
func carriedOf(r *http.Request) *carriedSession {
	s, _ := r.Context().Value(carriedKey{}).(*carriedSession)
	return s
}

func withCarried(r *http.Request, s *carriedSession) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), carriedKey{}, s))
}

type mfa struct{ ns *kv.Namespace }

// The session the request carries, changed and written back.
func (m *mfa) verified(w http.ResponseWriter, r *http.Request) { // want verified:"kvsession"
	s := carriedOf(r)
	s.MFAPending = false
	raw, _ := json.Marshal(s)
	_ = m.ns.PutString("session:"+s.ID, string(raw), nil) // want `A session changed and written back in KV`
}

// The same, taken out of the context in the handler itself.
func (m *mfa) verifiedInline(w http.ResponseWriter, r *http.Request) { // want verifiedInline:"kvsession"
	s := r.Context().Value(carriedKey{}).(*carriedSession)
	s.MFAPending = false
	raw, _ := json.Marshal(s)
	_ = m.ns.PutString("session:"+s.ID, string(raw), nil) // want `A session changed and written back in KV`
}

// Quiet: a new session, under a new ID, for the user the old one names.
func (m *mfa) elevate(w http.ResponseWriter, r *http.Request) {
	s := carriedOf(r)
	fresh := &carriedSession{ID: rand.Text(), UserID: s.UserID}
	raw, _ := json.Marshal(fresh)
	_ = m.ns.PutString("session:"+fresh.ID, string(raw), nil)
	_ = withCarried(r, fresh)
}
