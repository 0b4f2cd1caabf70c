//go:build js && wasm

package edge

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/redpoll-jobs/redpoll/internal/keys"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

const (
	sessionCookie = "rp_session"
	otpTTLSeconds = 30
	slideAfter    = 0
)

type sessionRecord struct {
	EmployerID string    `json:"employer_id"`
	Email      string    `json:"email"`
	Created    time.Time `json:"created"`
	LastSeen   time.Time `json:"last_seen"`
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashPassword(salt, pw string) string {
	sum := sha256.Sum256([]byte(salt + ":" + pw))
	return hex.EncodeToString(sum[:])
}

// startSession stores a fresh session for emp and sets the cookie.
func (h *Handler) startSession(w http.ResponseWriter, b bucket, emp records.Employer) error {
	id := randomID(32)
	now := time.Now().UTC()
	raw, err := json.Marshal(sessionRecord{EmployerID: emp.ID, Email: emp.Email, Created: now, LastSeen: now})
	if err != nil {
		return err
	}
	if err := b.ns.PutString(keys.Session(id), string(raw), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(h.Cfg.SessionTTL.Seconds()),
	}); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.Cfg.SessionTTL.Seconds()),
	})
	return nil
}

// session loads the caller's session, writing 401 when there is none. Active
// sessions are extended so employers are not signed out mid-task.
func (h *Handler) session(w http.ResponseWriter, r *http.Request, b bucket) (sessionRecord, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return sessionRecord{}, false
	}
	raw, ok, err := b.text(keys.Session(c.Value))
	if err != nil {
		fail(w, err)
		return sessionRecord{}, false
	}
	var s sessionRecord
	if !ok || json.Unmarshal([]byte(raw), &s) != nil {
		http.Error(w, "session expired", http.StatusUnauthorized)
		return sessionRecord{}, false
	}
	if time.Since(s.LastSeen) > slideAfter {
		s.LastSeen = time.Now().UTC()
		if out, err := json.Marshal(s); err == nil {
			if err := b.put(keys.Session(c.Value), string(out), h.Cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
				fail(w, err)
				return sessionRecord{}, false
			}
		}
	}
	return s, true
}

// requestMagicLink e-mails a sign-in link and a six-digit code.
func (h *Handler) requestMagicLink(w http.ResponseWriter, r *http.Request, b bucket) {
	email := r.FormValue("email")
	if email == "" {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	if _, ok, err := b.text(keys.Login(email)); err != nil || !ok {
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
		return
	}
	token := randomID(32)
	if err := b.put(keys.MagicLink(token), keys.EmailHash(email), h.Cfg.MagicLinkTTL); err != nil { // DEBATABLE kvsession
		fail(w, err)
		return
	}
	code := strconv.Itoa(100000 + int(time.Now().UnixNano()%900000))
	if err := b.ns.PutString("otp/"+keys.EmailHash(email)+"/"+code, token, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: otpTTLSeconds, // EXPECT kvttl
	}); err != nil {
		fail(w, err)
		return
	}
	if err := sendMail(email, "Your Redpoll sign-in link", originBase+"/auth/magic/"+token+"\n\nCode: "+code); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "sent"})
}

// redeemMagicLink consumes a magic link and signs the employer in.
func (h *Handler) redeemMagicLink(w http.ResponseWriter, r *http.Request, b bucket, token string) {
	mkey := keys.MagicLink(token)
	hash, ok, err := b.text(mkey)
	if err != nil {
		fail(w, err)
		return
	}
	if !ok {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := b.del(mkey); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	raw, ok, err := b.text("login/" + hash)
	if err != nil || !ok {
		http.Error(w, "account not found", http.StatusNotFound)
		return
	}
	var emp records.Employer
	if err := json.Unmarshal([]byte(raw), &emp); err != nil {
		fail(w, err)
		return
	}
	if err := h.startSession(w, b, emp); err != nil {
		fail(w, err)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

var errBadCredentials = errors.New("bad credentials")

// passwordLogin signs an employer in with e-mail and password.
func (h *Handler) passwordLogin(w http.ResponseWriter, r *http.Request, b bucket) {
	email, pw := r.FormValue("email"), r.FormValue("password")
	akey := keys.LoginAttempts(email)
	attempts := 0
	if v, ok, err := b.text(akey); err != nil {
		fail(w, err)
		return
	} else if ok {
		attempts, _ = strconv.Atoi(v)
	}
	if attempts >= h.Cfg.LoginAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}

	err := func() error {
		raw, ok, err := b.text(keys.Login(email))
		if err != nil {
			return err
		}
		if !ok {
			return errBadCredentials
		}
		var emp records.Employer
		if err := json.Unmarshal([]byte(raw), &emp); err != nil {
			return err
		}
		want := []byte(emp.PasswordHash)
		got := []byte(hashPassword(emp.ID, pw))
		if subtle.ConstantTimeCompare(want, got) != 1 {
			return errBadCredentials
		}
		return h.startSession(w, b, emp)
	}()
	switch {
	case errors.Is(err, errBadCredentials):
		if perr := b.put(akey, strconv.Itoa(attempts+1), 15*time.Minute); perr != nil { // EXPECT kvcounter|kvrace
			fail(w, perr)
			return
		}
		http.Error(w, "wrong e-mail or password", http.StatusUnauthorized)
	case err != nil:
		fail(w, err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "signed-in"})
	}
}

// logout ends the caller's session.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, b bucket) {
	c, err := r.Cookie(sessionCookie)
	if err == nil {
		if err := b.ns.Delete(keys.Session(c.Value)); err != nil { // EXPECT kvsession
			fail(w, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// oauthCallback completes "Sign in with Google" for employers.
func (h *Handler) oauthCallback(w http.ResponseWriter, r *http.Request, b bucket) {
	state := r.URL.Query().Get("state")
	skey := "oauth-state/" + state
	email, ok, err := b.text(skey)
	if err != nil {
		fail(w, err)
		return
	}
	if !ok || state == "" {
		http.Error(w, "invalid state", http.StatusBadRequest)
		return
	}
	if err := b.ns.Delete(skey); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	raw, ok, err := b.text(keys.Login(email))
	if err != nil || !ok {
		http.Error(w, "account not found", http.StatusNotFound)
		return
	}
	var emp records.Employer
	if err := json.Unmarshal([]byte(raw), &emp); err != nil {
		fail(w, err)
		return
	}
	if err := h.startSession(w, b, emp); err != nil {
		fail(w, err)
		return
	}
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// sendMail hands a message to the mail relay.
func sendMail(to, subject, body string) error {
	req, err := http.NewRequest(http.MethodPost, originBase+"/internal/mail", nil)
	if err != nil {
		return err
	}
	q := req.URL.Query()
	q.Set("to", to)
	q.Set("subject", subject)
	q.Set("body", body)
	req.URL.RawQuery = q.Encode()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return errors.New("mail relay: " + res.Status)
	}
	return nil
}
