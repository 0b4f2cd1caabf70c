//go:build js && wasm

package auth

import (
	"context"
	"net/http"
	"time"

	"github.com/podloft/fennel/internal/codec"
	"github.com/podloft/fennel/internal/edgekv"
	"github.com/podloft/fennel/internal/keys"
)

// slideAfter is how close to expiry a session must be before we extend it.
const slideAfter = 7 * 24 * time.Hour

// request carries one authenticated request through the handlers. The store
// is held here so the handler code never reaches for a global.
type request struct {
	store   *edgekv.Store
	r       *http.Request
	session *Session
	dirty   bool
}

func (s *Service) newRequest(r *http.Request) *request {
	return &request{store: s.Store, r: r}
}

// load resolves the session cookie.
func (req *request) load() error {
	c, err := req.r.Cookie(cookieName)
	if err != nil {
		return ErrNoSession
	}
	sess, ok, err := edgekv.Load[string, Session](req.store, keys.SessionKey{ID: c.Value}.String())
	if err != nil {
		return err
	}
	if !ok || time.Now().After(sess.Expires) {
		return ErrNoSession
	}
	req.session = &sess
	return nil
}

// touch extends the session when it is past the sliding threshold.
func (req *request) touch(now time.Time) {
	if req.session.Expires.Sub(now) < slideAfter {
		req.session.Expires = now.Add(sessionTTL)
		req.dirty = true
	}
}

// save writes back a session that touch extended.
func (req *request) save(ctx context.Context) error {
	if !req.dirty {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	raw := codec.Must(codec.Gob(req.session))
	return req.store.Put(keys.SessionKey{ID: req.session.ID}, raw, sessionTTL) // EXPECT kvsession|kvrace
}

// Authenticate resolves the caller's session and slides its expiry.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (sess *Session, err error) {
	defer codec.Recover(&err)
	req := s.newRequest(r)
	if err := req.load(); err != nil {
		return nil, err
	}
	req.touch(time.Now())
	if err := req.save(ctx); err != nil {
		return nil, err
	}
	return req.session, nil
}
