//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/fleetwire/snipe/internal/fleet"
)

// consoleIdle is the console's idle timeout in seconds.
const consoleIdle = 30 * 60

// consoleMaxAge bounds a console session regardless of activity.
const consoleMaxAge = 12 * time.Hour

// consoleSignIn starts a console session for the operator that Cloudflare
// Access authenticated in front of this route.
func consoleSignIn(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	operator := r.Header.Get("Cf-Access-Authenticated-User-Email")
	if operator == "" {
		http.Error(w, "not authenticated", http.StatusUnauthorized)
		return
	}
	now := time.Now().UTC()
	s := fleet.OperatorSession{
		ID:        fleet.NewID(),
		Operator:  operator,
		Role:      r.Header.Get("Cf-Access-Role"),
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(consoleMaxAge),
	}
	raw, _ := json.Marshal(s)
	if err := ns.PutString(fleet.OpSessionKey(operator, s.ID), string(raw), &kv.PutOptions{ExpirationTTL: consoleIdle}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_session", Value: operator + ":" + s.ID, Path: "/", HttpOnly: true, Secure: true, Expires: s.ExpiresAt})
	w.WriteHeader(http.StatusNoContent)
}

// consoleMe returns the signed-in operator and keeps the session alive.
func consoleMe(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	c, err := r.Cookie("fleet_session")
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	operator, id, ok := strings.Cut(c.Value, ":")
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	key := fleet.OpSessionKey(operator, id)
	raw, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if isMissing(raw) {
		http.Error(w, "session expired", http.StatusUnauthorized)
		return
	}
	var s fleet.OperatorSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Error(w, "session corrupt", http.StatusUnauthorized)
		return
	}
	now := time.Now().UTC()
	if now.After(s.ExpiresAt) {
		http.Error(w, "session expired", http.StatusUnauthorized)
		return
	}
	s.LastSeen = now
	updated, _ := json.Marshal(s)
	if err := ns.PutString(key, string(updated), &kv.PutOptions{ExpirationTTL: consoleIdle}); err != nil { // EXPECT kvsession|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"operator": s.Operator, "role": s.Role})
}
