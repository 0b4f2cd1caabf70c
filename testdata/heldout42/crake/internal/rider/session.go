//go:build js && wasm

// Package rider serves rider sign-in, sessions and account profiles.
package rider

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	sessionCookie  = "crake_sid"
	sessionTTL     = 12 * time.Hour
	sessionRenewAt = 6 * time.Hour
	refreshTTL     = 30 * 24 * time.Hour
)

// Session is what the edge knows about a signed-in rider.
type Session struct {
	ID        string    `json:"id"`
	RiderID   string    `json:"riderId"`
	Device    string    `json:"device"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

type refreshRecord struct {
	RiderID   string    `json:"riderId"`
	SessionID string    `json:"sessionId"`
	Device    string    `json:"device"`
	IssuedAt  time.Time `json:"issuedAt"`
}

func newID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionPrefix(riderID string) string    { return "sess:" + riderID + ":" }
func sessionKey(riderID, sid string) string  { return sessionPrefix(riderID) + sid }
func refreshKey(token string) string         { return "refresh:" + token }
func revokedKey(sid string) string           { return "revoked-sess:" + sid }
func cookieValue(riderID, sid string) string { return riderID + "." + sid }

func parseCookie(r *http.Request) (riderID, sid string, ok bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", "", false
	}
	riderID, sid, ok = strings.Cut(c.Value, ".")
	return riderID, sid, ok && riderID != "" && sid != ""
}

// startSession creates a session and a refresh token for a rider who has
// just proved who they are.
func startSession(ctx context.Context, w http.ResponseWriter, riderID, device string) (refresh string, err error) {
	now := time.Now().UTC()
	s := Session{
		ID:        newID(18),
		RiderID:   riderID,
		Device:    device,
		CreatedAt: now,
		ExpiresAt: now.Add(sessionTTL),
	}
	if err := kvstore.Put(ctx, sessionKey(riderID, s.ID), s, sessionTTL); err != nil {
		return "", err
	}
	refresh = newID(32)
	rec := refreshRecord{RiderID: riderID, SessionID: s.ID, Device: device, IssuedAt: now}
	if err := kvstore.Put(ctx, refreshKey(refresh), rec, refreshTTL); err != nil { // DEBATABLE kvsession
		return "", err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: cookieValue(riderID, s.ID), Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, Expires: s.ExpiresAt,
	})
	return refresh, nil
}

var errNoSession = errors.New("rider: not signed in")

// Authenticate loads the caller's session into dst and extends it when it
// is past half of its lifetime.
func Authenticate(r *http.Request, dst *Session) error {
	ctx := r.Context()
	riderID, sid, ok := parseCookie(r)
	if !ok {
		return errNoSession
	}
	found, err := kvstore.Load(ctx, sessionKey(riderID, sid), dst)
	if err != nil {
		return err
	}
	if !found || time.Now().After(dst.ExpiresAt) {
		return errNoSession
	}
	if time.Until(dst.ExpiresAt) < sessionRenewAt {
		dst.ExpiresAt = time.Now().UTC().Add(sessionTTL)
		if err := kvstore.Put(ctx, sessionKey(riderID, sid), dst, sessionTTL); err != nil { // EXPECT kvsession|kvrace
			return err
		}
	}
	return nil
}

// HandleLogout ends the caller's session.
func HandleLogout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	riderID, sid, ok := parseCookie(r)
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := kvstore.Delete(ctx, sessionKey(riderID, sid)); err != nil { // EXPECT kvsession
		http.Error(w, "logout failed", http.StatusBadGateway)
		return
	}
	if err := kvstore.PutString(ctx, revokedKey(sid), riderID, sessionTTL); err != nil { // EXPECT kvsession
		http.Error(w, "logout failed", http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

// HandleRefresh trades a refresh token for a new session and a new
// refresh token.
func HandleRefresh(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in refreshRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.RefreshToken == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	var rec refreshRecord
	ok, err := kvstore.Load(ctx, refreshKey(in.RefreshToken), &rec)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "invalid refresh token", http.StatusUnauthorized)
		return
	}
	if err := kvstore.Delete(ctx, refreshKey(in.RefreshToken)); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	next, err := startSession(ctx, w, rec.RiderID, rec.Device)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"refreshToken": next})
}

// revokeAll signs a rider out everywhere, for example after their phone
// number changes.
func revokeAll(ctx context.Context, st *kvstore.Store, riderID string) (int, error) {
	res, err := st.List(ctx, &kv.ListOptions{Prefix: sessionPrefix(riderID)}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range res.Keys {
		if err := st.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	return n, nil
}

// HandleSessions lists the caller's active sessions, one page at a time.
func HandleSessions(w http.ResponseWriter, r *http.Request) {
	var s Session
	if err := Authenticate(r, &s); err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	st := kvstore.Default()
	res, err := st.List(r.Context(), &kv.ListOptions{
		Prefix: sessionPrefix(s.RiderID),
		Cursor: r.URL.Query().Get("cursor"),
		Limit:  50,
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	out := struct {
		Sessions []string `json:"sessions"`
		Cursor   string   `json:"cursor,omitempty"`
	}{}
	for _, k := range res.Keys {
		out.Sessions = append(out.Sessions, strings.TrimPrefix(k.Name, sessionPrefix(s.RiderID)))
	}
	if !res.ListComplete {
		out.Cursor = res.Cursor
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
