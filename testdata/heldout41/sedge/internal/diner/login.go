//go:build js && wasm

package diner

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"sedge/internal/events"
	"sedge/internal/httpx"
)

// StartLogin mails a one-time sign-in link.
func (s *Service) StartLogin(w http.ResponseWriter, r *http.Request) error {
	var cmd startLogin
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	cfg := s.cfg.Load()
	token := newID(32)
	rec := magicLink{Email: cmd.Email, Next: cmd.Next, Created: time.Now().Unix()}
	if err := s.magic.PutJSON(token, rec, cfg.MagicLinkTTL); err != nil {
		return err
	}
	link := cfg.OriginURL + "/login/verify?token=" + url.QueryEscape(token)
	if err := s.mail.SendLink(cmd.Email, link); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// VerifyLink redeems a sign-in link and starts a session.
func (s *Service) VerifyLink(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" {
		return httpx.Status(http.StatusBadRequest, "missing token")
	}
	o, err := s.magic.Lookup(token)
	if err != nil {
		return err
	}
	raw, ok := o.Get()
	if !ok {
		return httpx.Status(http.StatusUnauthorized, "link expired or already used")
	}
	var rec magicLink
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return err
	}
	if err := s.magic.Delete(token); err != nil { // EXPECT kvsession
		return err
	}
	evt, err := publishLogin(r, s.bus, DinerID(rec.Email), "link")
	if err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie(evt.SessionID, s.cfg.Load().SessionTTL))
	next := rec.Next
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// Authenticate resolves the session cookie of r.
func (s *Service) Authenticate(r *http.Request) (Session, string, error) {
	c, err := r.Cookie("sid")
	if err != nil {
		return Session{}, "", httpx.Status(http.StatusUnauthorized, "not signed in")
	}
	o, err := s.sessions.Lookup(c.Value)
	if err != nil {
		return Session{}, "", err
	}
	raw, ok := o.Get()
	if !ok {
		return Session{}, "", httpx.Status(http.StatusUnauthorized, "session expired")
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return Session{}, "", err
	}
	if cut, err := s.revoked.Lookup(sess.DinerID); err == nil {
		if v, ok := cut.Get(); ok {
			if ts, _ := strconv.ParseInt(v, 10, 64); sess.Created.Unix() <= ts {
				return Session{}, "", httpx.Status(http.StatusUnauthorized, "signed out")
			}
		}
	}
	cfg := s.cfg.Load()
	sess.LastSeen = time.Now()
	if err := s.sessions.PutJSON(c.Value, sess, cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
		return Session{}, "", err
	}
	return sess, c.Value, nil
}

// Logout ends the current session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	sess, sid, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	if err := s.bus.Publish(r.Context(), &events.LoggedOut{DinerID: sess.DinerID, SessionID: sid}); err != nil {
		return err
	}
	http.SetCookie(w, sessionCookie("", 0))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// SignOutEverywhere invalidates every session the diner has, on any device.
func (s *Service) SignOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	cfg := s.cfg.Load()
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := s.revoked.Put(sess.DinerID, stamp, cfg.SessionTTL); err != nil { // EXPECT kvsession
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type cartBody struct {
	Venue string   `json:"venue"`
	Items []string `json:"items"`
}

func (c *cartBody) Validate() error {
	if c.Venue == "" || len(c.Items) > 40 {
		return httpx.Status(http.StatusUnprocessableEntity, "bad cart")
	}
	return nil
}

// SaveCart stores the pre-order the diner is composing for a booking.
func (s *Service) SaveCart(w http.ResponseWriter, r *http.Request) error {
	_, sid, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	var cmd cartBody
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	if err := s.carts.PutJSON(sid+":"+cmd.Venue, cmd, 2*time.Hour); err != nil { // EXPECT kvsession
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
