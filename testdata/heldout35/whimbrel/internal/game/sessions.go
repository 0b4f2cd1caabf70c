//go:build js && wasm

package game

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"whimbrel/internal/events"
	"whimbrel/internal/keys"
)

// Session is the record stored for a signed-in player.
type Session struct {
	ID        keys.SessionID `json:"id"`
	User      keys.UserID    `json:"user"`
	Lobby     keys.LobbyID   `json:"lobby,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	ExpiresAt time.Time      `json:"expires_at"`
}

type loginRequest struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

// handleLogin mints a new session with a random ID.
func (s *Server) handleLogin() http.HandlerFunc {
	ttl := s.cfg.SessionTTL
	if ttl < time.Hour {
		ttl = time.Hour
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var req loginRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.User == "" {
			writeErr(w, http.StatusBadRequest, "invalid login")
			return
		}
		now := time.Now()
		sess := Session{
			ID:        keys.SessionID(newID(24)),
			User:      keys.UserID(req.User),
			CreatedAt: now,
			ExpiresAt: now.Add(ttl),
		}
		b, _ := json.Marshal(sess)
		if err := s.sessions.Namespace().PutString(sess.ID.Key(), string(b), &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)}); err != nil {
			writeErr(w, http.StatusBadGateway, "session store unavailable")
			return
		}
		refresh := newID(32)
		if err := s.sessions.PutFor(sess.ID.RefreshKey(), refresh, 30*24*time.Hour); err != nil {
			writeErr(w, http.StatusBadGateway, "session store unavailable")
			return
		}
		_ = s.bus.Emit(events.UserLogin, LoginEvent{User: sess.User, Session: sess.ID, IP: clientIP(r)})
		writeJSON(w, http.StatusOK, map[string]any{"session": sess.ID, "refresh": refresh, "expires_at": sess.ExpiresAt})
	}
}

// handleLogout ends the caller's session.
func (s *Server) handleLogout() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err := s.sessions.Delete(sess.ID.Key()); err != nil { // EXPECT kvsession
			writeErr(w, http.StatusBadGateway, "logout failed")
			return
		}
		_ = s.bus.Emit(events.UserLogout, LogoutEvent{User: sess.User, Session: sess.ID})
		http.SetCookie(w, &http.Cookie{Name: "sid", MaxAge: -1, Path: "/"})
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleTouch extends the caller's session while they are playing.
func (s *Server) handleTouch() http.HandlerFunc {
	idle := s.cfg.SessionTTL
	ns := s.sessions.Namespace()
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		sess.ExpiresAt = time.Now().Add(idle)
		b, _ := json.Marshal(sess)
		err := ns.PutString(sess.ID.Key(), string(b), &kv.PutOptions{ExpirationTTL: int(idle.Seconds())}) // EXPECT kvsession
		if err != nil {
			writeErr(w, http.StatusBadGateway, "touch failed")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"expires_at": sess.ExpiresAt})
	}
}

// handleOAuthCallback finishes a third-party sign-in.
func (s *Server) handleOAuthCallback() http.HandlerFunc {
	ns := s.sessions.Namespace()
	ttl := s.cfg.SessionTTL
	return func(w http.ResponseWriter, r *http.Request) {
		state := r.URL.Query().Get("state")
		if state == "" {
			writeErr(w, http.StatusBadRequest, "missing state")
			return
		}
		stateKey := keys.OAuthStateKey(state)
		owner, err := ns.GetString(stateKey, nil)
		if err != nil || owner == "<null>" {
			writeErr(w, http.StatusForbidden, "unknown state")
			return
		}
		if err := ns.Delete(stateKey); err != nil { // EXPECT kvsession
			writeErr(w, http.StatusBadGateway, "state store unavailable")
			return
		}
		now := time.Now()
		sess := Session{ID: keys.SessionID(newID(24)), User: keys.UserID(owner), CreatedAt: now, ExpiresAt: now.Add(ttl)}
		b, _ := json.Marshal(sess)
		if err := s.sessions.PutFor(sess.ID.Key(), string(b), ttl); err != nil {
			writeErr(w, http.StatusBadGateway, "session store unavailable")
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "sid", Value: string(sess.ID), Path: "/", HttpOnly: true, Secure: true})
		http.Redirect(w, r, "/", http.StatusFound)
	}
}

// handleMagicLink signs a player in with an emailed one-time code.
func (s *Server) handleMagicLink() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		user, ok, err := s.sessions.Get(keys.MagicLinkKey(code))
		if err != nil {
			writeErr(w, http.StatusBadGateway, "lookup failed")
			return
		}
		if !ok {
			writeErr(w, http.StatusGone, "link expired")
			return
		}
		now := time.Now()
		sess := Session{ID: keys.SessionID(newID(24)), User: keys.UserID(user), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}
		b, _ := json.Marshal(sess)
		if err := s.sessions.PutFor(sess.ID.Key(), string(b), s.cfg.SessionTTL); err != nil {
			writeErr(w, http.StatusBadGateway, "session store unavailable")
			return
		}
		cloudflare.WaitUntil(func() {
			_ = s.sessions.Delete(keys.MagicLinkKey(code)) // EXPECT kvsession
		})
		writeJSON(w, http.StatusOK, map[string]any{"session": sess.ID})
	}
}

// handlePasswordChange records a password change; subscribers revoke the
// user's other sessions.
func (s *Server) handlePasswordChange() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.currentUser(r)
		if !ok {
			writeErr(w, http.StatusUnauthorized, "no session")
			return
		}
		if err := s.bus.Emit(events.PasswordChanged, PasswordChangedEvent{User: sess.User, Keep: sess.ID, At: time.Now()}); err != nil {
			writeErr(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// handleAdminSessions lists the active sessions for the support console.
func (s *Server) handleAdminSessions() http.HandlerFunc {
	ns := s.sessions.Namespace()
	return func(w http.ResponseWriter, r *http.Request) {
		var out []Session
		cursor := ""
		for {
			res, err := ns.List(&kv.ListOptions{Prefix: "sess/", Cursor: cursor}) // EXPECT kvlist
			if err != nil {
				writeErr(w, http.StatusBadGateway, err.Error())
				return
			}
			for _, k := range res.Keys {
				raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
				if err != nil || raw == "<null>" {
					continue
				}
				var sess Session
				if json.Unmarshal([]byte(raw), &sess) == nil {
					out = append(out, sess)
				}
			}
			if res.ListComplete {
				break
			}
			cursor = res.Cursor
		}
		writeJSON(w, http.StatusOK, out)
	}
}
