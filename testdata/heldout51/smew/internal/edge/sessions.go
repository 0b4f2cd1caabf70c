//go:build js && wasm

package edge

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/smew/internal/officers"
)

const (
	sessionCookie  = "smew_sid"
	maxPINAttempts = 5
)

type officerSession struct {
	Badge    string    `json:"badge"`
	DeviceID string    `json:"device"`
	Issued   time.Time `json:"iat"`
	LastSeen time.Time `json:"seen"`
}

// startSession writes a new session and its per-officer index entry and
// sets the cookie.
func startSession(w http.ResponseWriter, ns *cloudflare.KVNamespace, badge, device string) error {
	sid := randomID(24)
	now := time.Now().UTC()
	if err := putJSON(ns, "sess:"+sid, officerSession{badge, device, now, now}, sessionTTL); err != nil {
		return err
	}
	idx := "sessidx:" + strings.ToUpper(badge) + ":" + sid
	if err := ns.PutString(idx, device, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(sessionTTL.Seconds())}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: int(sessionTTL.Seconds())})
	return nil
}

func (s *Server) officerLogin(w http.ResponseWriter, r *http.Request, b *bindings) error {
	var req struct{ Badge, PIN, Device string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Badge == "" {
		return fail(http.StatusBadRequest, "badge and pin required")
	}
	attemptsKey := "pin-attempts:" + strings.ToUpper(req.Badge)
	raw, err := b.sessions.GetString(attemptsKey, nil)
	if err != nil {
		return err
	}
	attempts := 0
	if raw != kvMissing {
		attempts, _ = strconv.Atoi(raw)
	}
	if attempts >= maxPINAttempts {
		return fail(http.StatusTooManyRequests, "badge locked, try again later")
	}
	var officer officers.Record
	found, err := getJSON(b.devices, "officer:"+strings.ToUpper(req.Badge), &officer)
	if err != nil {
		return err
	}
	if !found || !officer.Active || officer.PINHash != officers.HashPIN(req.Badge, req.PIN) {
		opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(pinLockout.Seconds())}
		if err := b.sessions.PutString(attemptsKey, strconv.Itoa(attempts+1), opts); err != nil { // EXPECT kvcounter|kvrace
			return err
		}
		return fail(http.StatusUnauthorized, "unknown badge or wrong PIN")
	}
	if err := startSession(w, b.sessions, officer.Badge, req.Device); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"badge": officer.Badge, "name": officer.Name})
}

// currentSession loads the session named by the cookie and slides its
// expiry forward when it has been idle for a while.
func currentSession(r *http.Request, b *bindings) (officerSession, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return officerSession{}, "", errUnauthenticated
	}
	key := "sess:" + c.Value
	var sess officerSession
	found, err := getJSON(b.sessions, key, &sess)
	if err != nil {
		return officerSession{}, "", err
	}
	if !found {
		return officerSession{}, "", errUnauthenticated
	}
	if time.Since(sess.LastSeen) > sessionRefresh {
		sess.LastSeen = time.Now().UTC()
		if err := putJSON(b.sessions, key, sess, sessionTTL); err != nil { // EXPECT kvsession|kvrace
			return officerSession{}, "", err
		}
	}
	return sess, c.Value, nil
}

func (s *Server) officerLogout(w http.ResponseWriter, r *http.Request, b *bindings) error {
	_, sid, err := currentSession(r, b)
	if err != nil {
		return err
	}
	if err := b.sessions.Delete("sess:" + sid); err != nil { // EXPECT kvsession
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
