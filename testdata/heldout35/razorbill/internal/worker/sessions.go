//go:build js && wasm

package worker

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"razorbill/internal/events"
	"razorbill/internal/keys"
)

const (
	sessionCookie = "rb_session"
	csrfTokenTTL  = 45
	magicLinkTTL  = 15 * time.Minute
	oauthStateTTL = 10 * time.Minute
)

// Session is the stored listener session.
type Session struct {
	ID         string          `json:"id"`
	ListenerID keys.ListenerID `json:"listener"`
	Created    time.Time       `json:"created"`
	LastSeen   time.Time       `json:"last_seen"`
	Plan       string          `json:"plan"`
}

var errNoSession = errors.New("no session")

func (s *Server) startSession(w http.ResponseWriter, listener keys.ListenerID, plan string) (Session, error) {
	sess := Session{ID: newID(), ListenerID: listener, Created: time.Now(), LastSeen: time.Now(), Plan: plan}
	b, err := json.Marshal(sess)
	if err != nil {
		return sess, err
	}
	if err := s.sessions.Put(s.cfg.Session.Prefix+sess.ID, string(b), s.cfg.Session.TTL); err != nil { // DEBATABLE kvsession
		return sess, err
	}
	if err := s.sessions.Put(listener.SessionIndexPrefix()+sess.ID, "", s.cfg.Session.TTL); err != nil {
		return sess, err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		MaxAge: int(s.cfg.Session.TTL.Seconds())})
	return sess, nil
}

// currentSession loads the caller's session and extends it.
func (s *Server) currentSession(r *http.Request) (Session, error) {
	var sess Session
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return sess, errNoSession
	}
	key := s.cfg.Session.Prefix + c.Value
	raw, ok, err := s.sessions.Get(key)
	if err != nil {
		return sess, err
	}
	if !ok {
		return sess, errNoSession
	}
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return sess, errNoSession
	}
	if time.Since(sess.LastSeen) > time.Minute {
		sess.LastSeen = time.Now()
		b, _ := json.Marshal(sess)
		if err := s.sessions.Put(key, string(b), s.cfg.Session.TTL); err != nil { // EXPECT kvsession
			return sess, err
		}
	}
	return sess, nil
}

func (s *Server) handleLogin() http.HandlerFunc {
	plan := "free"
	return func(w http.ResponseWriter, r *http.Request) {
		listener := keys.ListenerID(strings.TrimSpace(r.FormValue("listener")))
		if listener == "" || !checkPassword(listener, r.FormValue("password")) {
			http.Error(w, "invalid credentials", http.StatusUnauthorized)
			return
		}
		sess, err := s.startSession(w, listener, plan)
		if err != nil {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = s.bus.Emit(events.Event{Name: events.ListenerActivity,
			Payload: events.LoginEvent{ListenerID: string(listener), SessionID: sess.ID, At: sess.Created}})
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	}
}

func (s *Server) handleLogout() http.HandlerFunc {
	prefix := s.cfg.Session.Prefix
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		sess, _ := s.currentSession(r)
		if err := s.sessions.Delete(prefix + c.Value); err != nil { // EXPECT kvsession
			http.Error(w, "logout failed", http.StatusBadGateway)
			return
		}
		_ = s.bus.Emit(events.Event{Name: events.ListenerActivity,
			Payload: events.LogoutEvent{ListenerID: string(sess.ListenerID), DeviceID: r.Header.Get("X-Device")}})
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) handleRequestMagicLink() http.HandlerFunc {
	host := s.cfg.PublicHost
	return func(w http.ResponseWriter, r *http.Request) {
		listener := keys.ListenerID(r.FormValue("listener"))
		token := newID()
		if err := s.sessions.Put("magic/"+token, string(listener), magicLinkTTL); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		sendMail(string(listener), "https://"+host+"/magic?t="+token)
		w.WriteHeader(http.StatusAccepted)
	}
}

func (s *Server) handleMagicLink() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := r.URL.Query().Get("t")
		key := "magic/" + token
		listener, ok, err := s.sessions.Get(key)
		if err != nil || !ok {
			http.Error(w, "link expired", http.StatusUnauthorized)
			return
		}
		if err := s.sessions.Delete(key); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		if _, err := s.startSession(w, keys.ListenerID(listener), "free"); err != nil {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, "/me", http.StatusSeeOther)
	}
}

func (s *Server) handleOAuthStart() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		state := newID()
		if err := s.sessions.Put("oauth_state/"+state, r.URL.Query().Get("return"), oauthStateTTL); err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		http.Redirect(w, r, "https://accounts.example.com/authorize?state="+state, http.StatusFound)
	}
}

func (s *Server) handleOAuthCallback() http.HandlerFunc {
	statePrefix := "oauth_state/"
	return func(w http.ResponseWriter, r *http.Request) {
		state := r.URL.Query().Get("state")
		ret, ok, err := s.sessions.Get(statePrefix + state)
		if err != nil || !ok {
			http.Error(w, "bad state", http.StatusBadRequest)
			return
		}
		_ = s.sessions.NS().Delete(statePrefix + state) // EXPECT kvsession
		listener := keys.ListenerID(r.URL.Query().Get("sub"))
		if _, err := s.startSession(w, listener, "free"); err != nil {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		if ret == "" {
			ret = "/me"
		}
		http.Redirect(w, r, ret, http.StatusSeeOther)
	}
}

func (s *Server) handleCSRF() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		tok := newID()
		err = s.sessions.NS().PutString("csrf/"+sess.ID+"/"+tok, "1", &kv.PutOptions{
			ExpirationTTL: csrfTokenTTL, // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"csrf": tok})
	}
}

func (s *Server) handleRevokeDevice() http.HandlerFunc {
	ttl := s.cfg.Session.TTL
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		device := r.PathValue("device")
		jti := string(sess.ListenerID) + ":" + device
		if err := s.sessions.Put("revoked/"+jti, time.Now().UTC().Format(time.RFC3339), ttl); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) handleMe() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := s.currentSession(r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"listener": sess.ListenerID, "plan": sess.Plan})
	}
}

func checkPassword(l keys.ListenerID, password string) bool { return l != "" && len(password) >= 8 }

func sendMail(to, link string) { _ = to; _ = link }
