//go:build js && wasm

package agents

import (
	"context"
	"net/http"
	"time"

	"github.com/deskfleet/shearwater/internal/keys"
	"github.com/deskfleet/shearwater/internal/kvstore"
)

// maxSessionPages bounds how far a sign-out-everywhere walks; an agent with
// more than a few thousand live sessions is an incident, not a use case.
const maxSessionPages = 5

var sessionOps = map[string]func(*kvstore.Store, context.Context, string) error{
	"revoke": (*kvstore.Store).Delete,
}

// AdminSession handles POST /admin/sessions/{id}/{op} for tenant admins.
func (s *Service) AdminSession(w http.ResponseWriter, r *http.Request) {
	op, ok := sessionOps[r.PathValue("op")]
	if !ok {
		http.Error(w, "unknown op", http.StatusBadRequest)
		return
	}
	st := s.forTenant(r.Header.Get("X-Tenant"))
	if err := op(st, r.Context(), keys.Session(r.PathValue("id"))); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// RevokeToken handles POST /admin/tokens/{jti}/revoke for API tokens handed
// to integrations. Token checks consult the revocation entry.
func (s *Service) RevokeToken(w http.ResponseWriter, r *http.Request) {
	st := s.forTenant(r.Header.Get("X-Tenant"))
	jti := r.PathValue("jti")
	if err := st.Put(r.Context(), "revoked-tokens/"+jti, time.Now().UTC().Format(time.RFC3339), 30*24*time.Hour); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SignOutEverywhere handles POST /auth/password: after a password change,
// every other session of the agent is ended.
func (s *Service) SignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := s.Authenticate(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	st := s.forTenant(sess.Tenant)
	prefix := keys.UserSessions(sess.AgentID)
	cursor := ""
	for page := 0; page < maxSessionPages; page++ {
		p, err := st.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, k := range p.Keys {
			id := k[len(prefix):]
			if id == sess.ID {
				continue
			}
			_ = st.Delete(ctx, keys.Session(id)) // EXPECT kvsession
			_ = st.Delete(ctx, k)                // DEBATABLE kvsession
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	w.WriteHeader(http.StatusNoContent)
}

// Presence handles POST /agents/presence: the console pings every 20 s while
// the tab is visible, and the board reads the current and previous minute.
func (s *Service) Presence(w http.ResponseWriter, r *http.Request) {
	sess, err := s.Authenticate(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	now := time.Now()
	k := "presence/" + keys.Minute(now) + "/" + sess.AgentID
	if err := s.forTenant(sess.Tenant).Put(r.Context(), k, r.FormValue("status"), 3*time.Minute); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
