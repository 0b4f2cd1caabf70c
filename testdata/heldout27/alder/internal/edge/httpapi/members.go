//go:build js && wasm

package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

// loginAttempts is how many sign-in mails one address may request per window.
const loginAttempts = 5

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

// loginStart mails a one-time sign-in code.
func (s *Server) loginStart(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	email := domain.Email(r.FormValue("email")).Normalize()
	if !email.Valid() {
		http.Error(w, "enter a valid address", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	rlKey := "ratelimit:login:" + clientIP(r)
	v, err := ns.GetString(rlKey, nil)
	if err != nil {
		fail(w, err)
		return
	}
	n := 0
	if v != nullText {
		n, _ = strconv.Atoi(v)
	}
	if n >= loginAttempts {
		http.Error(w, "too many sign-in attempts, try again later", http.StatusTooManyRequests)
		return
	}
	if err := ns.PutString(rlKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter
		fail(w, err)
		return
	}
	code, err := domain.NewCode()
	if err != nil {
		fail(w, err)
		return
	}
	if err := ns.PutString("otp:"+string(email), code.String(), &kv.PutOptions{ExpirationTTL: 30}); err != nil { // EXPECT kvttl
		fail(w, err)
		return
	}
	if err := s.mail.Send(r.Context(), email, "Your Alder sign-in code", "Your code is "+code.String()); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// loginVerify exchanges the mailed code for a session.
func (s *Server) loginVerify(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	ctx := r.Context()
	email := domain.Email(r.FormValue("email")).Normalize()
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	otpKey := "otp:" + string(email)
	want, err := ns.GetString(otpKey, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if want == nullText || want != r.FormValue("code") {
		http.Error(w, "code not valid", http.StatusUnauthorized)
		return
	}
	if err := ns.Delete(otpKey); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	var m domain.Member
	if err := s.store.GetJSON(ctx, email.Key(), &m); err != nil {
		if storage.IsNotFound(err) {
			http.Error(w, "no membership for this address", http.StatusNotFound)
			return
		}
		fail(w, err)
		return
	}
	sess, err := s.sessions.Create(ctx, m.ID, r.UserAgent())
	if err != nil {
		fail(w, err)
		return
	}
	if fp := r.FormValue("device"); fp != "" && r.FormValue("remember") == "1" {
		if err := s.sessions.RememberDevice(ctx, m.ID, fp, r.UserAgent()); err != nil {
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.ID, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	writeJSON(w, map[string]string{"member": string(m.ID), "banner": s.banner(ctx)})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	if err := s.sessions.Logout(r.Context(), sess.ID); err != nil {
		fail(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// profile shows or edits the signed-in member's profile.
func (s *Server) profile(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	switch r.Method {
	case http.MethodGet:
		s.showProfile(w, r, sess)
	case http.MethodPatch:
		s.patchProfile(w, r, sess)
	default:
		methodNotAllowed(w, "GET, PATCH")
	}
}

func (s *Server) showProfile(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	m := domain.Member{ID: sess.Member}
	if err := s.store.GetJSON(r.Context(), m.Key(), &m); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, m)
}

type profilePatch struct {
	Name       *string `json:"name"`
	Locale     *string `json:"locale"`
	Newsletter *bool   `json:"newsletter"`
}

func (p profilePatch) apply(m *domain.Member) error {
	if p.Name != nil && *p.Name == "" {
		return errors.New("name must not be empty")
	}
	if p.Name != nil {
		m.Name = *p.Name
	}
	if p.Locale != nil {
		m.Locale = *p.Locale
	}
	if p.Newsletter != nil {
		m.Newsletter = *p.Newsletter
	}
	return nil
}

func (s *Server) patchProfile(w http.ResponseWriter, r *http.Request, sess *domain.Session) {
	var patch profilePatch
	if err := json.NewDecoder(r.Body).Decode(&patch); err != nil {
		http.Error(w, "malformed profile", http.StatusBadRequest)
		return
	}
	ns, err := kv.NewNamespace(s.binding)
	if err != nil {
		fail(w, err)
		return
	}
	key := (&domain.Member{ID: sess.Member}).Key()
	cur, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if cur == nullText {
		http.NotFound(w, r)
		return
	}
	var m domain.Member
	if err := json.Unmarshal([]byte(cur), &m); err != nil {
		fail(w, err)
		return
	}
	if err := patch.apply(&m); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, err := json.Marshal(m)
	if err != nil {
		fail(w, err)
		return
	}
	if err := ns.PutString(key, string(out), nil); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}
	writeJSON(w, m)
}
