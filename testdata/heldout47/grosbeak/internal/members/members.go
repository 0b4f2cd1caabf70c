//go:build js && wasm

// Package members handles member sign-in, sessions and member passes.
package members

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"grosbeak/internal/keys"
	"grosbeak/internal/kvstore"
	"grosbeak/internal/museum"
)

// Service handles /members routes.
type Service struct {
	Auth   *kvstore.Store
	Passes *kvstore.Store
	Mailer func(to, subject, body string) error
}

const cookieName = "mus_sess"

func token(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

// RequestLink emails a one-time sign-in link, refusing after too many
// requests from one address.
func (s *Service) RequestLink(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	if !strings.Contains(email, "@") {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	ns := s.Auth.Namespace()

	key := keys.LoginAttemptsPrefix + clientIP(r)
	raw, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	attempts := 0
	if raw != "<null>" {
		attempts, _ = strconv.Atoi(raw)
	}
	if attempts >= 5 {
		http.Error(w, "too many requests", http.StatusTooManyRequests)
		return
	}
	attempts++
	if err := ns.PutString(key, strconv.Itoa(attempts), &kv.PutOptions{ExpirationTTL: keys.AttemptsTTL}); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	link := token(24)
	key = keys.MagicLinkPrefix + link
	if err := s.Auth.PutTTL(key, email, keys.MagicLinkTTL*time.Second); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var body bytes.Buffer
	fmt.Fprintf(&body, "Sign in to your membership:\n\nhttps://museum.example/members/callback?t=%s\n", link)
	fmt.Fprintf(&body, "\nThe link works once and expires in %d minutes.\n", keys.MagicLinkTTL/60)
	if err := s.Mailer(email, "Your sign-in link", body.String()); err != nil {
		log.Printf("mail %s: %v", email, err)
	}
	w.WriteHeader(http.StatusAccepted)
}

// Callback redeems a magic link, opens a session and issues a refresh token.
func (s *Service) Callback(w http.ResponseWriter, r *http.Request) {
	link := r.URL.Query().Get("t")
	ns := s.Auth.Namespace()

	key := keys.MagicLinkPrefix + link
	email, err := s.Auth.Text(key)
	var nf *museum.NotFoundError
	if errors.As(err, &nf) {
		http.Error(w, "link expired", http.StatusGone)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.Auth.Remove(key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	memberID := memberIDFor(email)
	sess := museum.Session{ID: token(24), MemberID: memberID, Created: time.Now().UTC()}
	sess.LastSeen = sess.Created
	raw, err := json.Marshal(sess)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key = keys.SessionPrefix + memberID + ":" + sess.ID
	opts := &kv.PutOptions{ExpirationTTL: keys.SessionTTL}
	if err = ns.PutString(key, string(raw), opts); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	refresh := token(32)
	key = keys.RefreshPrefix + refresh
	opts = &kv.PutOptions{ExpirationTTL: keys.RefreshTTL}
	if err = ns.PutString(key, memberID+":"+sess.ID, opts); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: memberID + ":" + sess.ID, HttpOnly: true, Secure: true, Path: "/"})
	http.SetCookie(w, &http.Cookie{Name: "mus_refresh", Value: refresh, HttpOnly: true, Secure: true, Path: "/members/refresh"})
	http.Redirect(w, r, "/members/pass", http.StatusSeeOther)
}

func memberIDFor(email string) string {
	h := uint32(2166136261)
	for i := 0; i < len(email); i++ {
		h ^= uint32(email[i])
		h *= 16777619
	}
	return strconv.FormatUint(uint64(h), 36)
}

// current loads the caller's session and records that it was seen.
func (s *Service) current(r *http.Request) (*museum.Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, err
	}
	key := keys.SessionPrefix + c.Value
	var sess museum.Session
	if err := s.Auth.JSON(key, &sess); err != nil {
		return nil, err
	}
	if time.Since(sess.LastSeen) > time.Minute {
		sess.LastSeen = time.Now().UTC()
		if err := s.Auth.PutJSON(key, sess, keys.SessionTTL*time.Second); err != nil { // EXPECT kvsession|kvrace
			log.Printf("touch session: %v", err)
		}
	}
	return &sess, nil
}

// Refresh rotates the refresh token.
func (s *Service) Refresh(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("mus_refresh")
	if err != nil {
		http.Error(w, "no refresh token", http.StatusUnauthorized)
		return
	}
	key := keys.RefreshPrefix + c.Value
	owner, err := s.Auth.Text(key)
	if err != nil {
		http.Error(w, "refresh token invalid", http.StatusUnauthorized)
		return
	}
	next := token(32)
	if err := s.Auth.PutTTL(keys.RefreshPrefix+next, owner, keys.RefreshTTL*time.Second); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.Auth.Remove(key); err != nil { // EXPECT kvsession
		log.Printf("retire refresh token: %v", err)
	}
	http.SetCookie(w, &http.Cookie{Name: "mus_refresh", Value: next, HttpOnly: true, Secure: true, Path: "/members/refresh"})
	w.WriteHeader(http.StatusNoContent)
}

// Logout ends the current session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err == nil {
		if err := s.Auth.Remove(keys.SessionPrefix + c.Value); err != nil { // EXPECT kvsession
			log.Printf("logout: %v", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", MaxAge: -1, Path: "/"})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// SignOutEverywhere ends every session the member holds, for example after
// a lost phone is reported at the membership desk.
func (s *Service) SignOutEverywhere(w http.ResponseWriter, r *http.Request) {
	sess, err := s.current(r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	ns := s.Auth.Namespace()
	res, err := ns.List(&kv.ListOptions{Prefix: keys.SessionPrefix + sess.MemberID + ":"}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	ended := 0
	for _, k := range res.Keys {
		func() {
			defer func() {
				if p := recover(); p != nil {
					log.Printf("sign-out %s: %v", k.Name, p)
				}
			}()
			if err := ns.Delete(k.Name); err != nil { // EXPECT kvsession
				log.Printf("sign-out %s: %v", k.Name, err)
				return
			}
			ended++
		}()
	}
	fmt.Fprintf(w, `{"ended":%d}`, ended)
}

// OAuthStart begins sign-in with a partner museum's identity provider.
func (s *Service) OAuthStart(w http.ResponseWriter, r *http.Request) {
	state := token(16)
	if err := s.Auth.PutFor(keys.OAuthStatePrefix+state, r.URL.Query().Get("return"), keys.OAuthTTL*time.Second); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "https://id.partner.example/authorize?state="+state, http.StatusFound)
}

// OAuthCallback checks the state parameter and forwards to the return URL.
func (s *Service) OAuthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	key := keys.OAuthStatePrefix + state
	ret, err := s.Auth.Text(key)
	if err != nil {
		http.Error(w, "unknown state", http.StatusBadRequest)
		return
	}
	if err := s.Auth.Namespace().Delete(key); err != nil { // EXPECT kvsession
		log.Printf("oauth state: %v", err)
	}
	if ret == "" {
		ret = "/members/pass"
	}
	http.Redirect(w, r, ret, http.StatusSeeOther)
}

// Pass shows the member's pass.
func (s *Service) Pass(w http.ResponseWriter, r *http.Request) {
	sess, err := s.current(r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	raw, err := s.Passes.Namespace().GetString(keys.PassPrefix+sess.MemberID, &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var pass museum.Pass
	if err := json.Unmarshal([]byte(raw), &pass); err != nil {
		http.Error(w, "pass unreadable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(pass)
}

// Renew extends a pass by a year after the payment webhook confirms.
func (s *Service) Renew(w http.ResponseWriter, r *http.Request) {
	memberID := r.URL.Query().Get("member")
	key := keys.PassPrefix + memberID
	ns := s.Passes.Namespace()
	raw, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var pass museum.Pass
	if raw == "<null>" {
		pass = museum.Pass{MemberID: memberID, Tier: "individual", Access: museum.AccessMember, ValidTo: time.Now()}
	} else if err := json.Unmarshal([]byte(raw), &pass); err != nil {
		http.Error(w, "pass unreadable", http.StatusInternalServerError)
		return
	}
	base := pass.ValidTo
	if base.Before(time.Now()) {
		base = time.Now()
	}
	pass.ValidTo = base.AddDate(1, 0, 0)
	pass.Renewals++
	b, _ := json.Marshal(pass)
	if err := ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// AddGuest records a named guest on a family pass.
func (s *Service) AddGuest(w http.ResponseWriter, r *http.Request) {
	sess, err := s.current(r)
	if err != nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	guest := strings.TrimSpace(r.FormValue("name"))
	key := keys.PassPrefix + sess.MemberID
	var pass museum.Pass
	if err := s.Passes.JSON(key, &pass); err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if len(pass.GuestList) >= 4 {
		http.Error(w, "guest list full", http.StatusConflict)
		return
	}
	pass.GuestList = append(pass.GuestList, guest)
	if err := s.Passes.PutJSON(key, pass, 400*24*time.Hour); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
