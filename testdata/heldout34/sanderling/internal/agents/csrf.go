//go:build js && wasm

package agents

import (
	"errors"
	"net/http"

	"github.com/syumai/workers/cloudflare"

	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
)

// ErrCSRF is returned when a state-changing request has no valid CSRF token.
var ErrCSRF = errors.New("agents: invalid csrf token")

// IssueCSRF creates a CSRF token bound to a session.
func (s *Service) IssueCSRF(sessionID string) (string, error) {
	tok := httpx.NewID()
	ttl := s.ttl.CSRF
	err := edgekv.Sessions.PutString(keys.KindCSRF.Key(sessionID, tok), "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl)}) // EXPECT kvttl
	return tok, err
}

// CheckCSRF accepts a CSRF token once.
func (s *Service) CheckCSRF(sessionID, tok string) error {
	key := keys.KindCSRF.Key(sessionID, tok)
	m, err := edgekv.Lookup(edgekv.Sessions, key)
	if err != nil {
		return err
	}
	if tok == "" || !m.IsSome() {
		return ErrCSRF
	}
	return edgekv.Sessions.Delete(key) // EXPECT kvsession
}

// RequireCSRF wraps a state-changing handler with session and CSRF checks.
func (s *Service) RequireCSRF(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.Authenticate(r)
		if err != nil {
			httpx.Error(w, http.StatusUnauthorized, err.Error())
			return
		}
		if err := s.CheckCSRF(sess.ID, r.Header.Get("X-CSRF-Token")); err != nil {
			httpx.Error(w, http.StatusForbidden, err.Error())
			return
		}
		next(w, r)
	}
}
