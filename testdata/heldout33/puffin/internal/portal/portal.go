//go:build js && wasm

// Package portal is the sign-in of the speaker portal. Speakers get a
// one-time code or a magic link by e-mail and then carry a session cookie
// while they upload slides and edit their bio.
package portal

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/edge"
	"github.com/confhub/puffin/internal/keys"
)

const (
	otpTTL         = 10 * time.Minute
	magicLinkTTL   = 15 * time.Minute
	sessionTTL     = 12 * time.Hour
	loginWindow    = time.Hour
	maxOTPAttempts = 5
	maxLogins      = 10
	cookieName     = "pf_session"
)

type otpRecord struct {
	Email    string    `json:"email"`
	Code     string    `json:"code"`
	Speaker  string    `json:"speaker"`
	Attempts int       `json:"attempts"`
	Issued   time.Time `json:"issued"`
}

func (o otpRecord) Key() string        { return keys.OTPKey(o.Email).String() }
func (o otpRecord) TTL() time.Duration { return otpTTL }

// loginQuota caps how many codes one address can request per hour.
type loginQuota struct {
	Email string    `json:"email"`
	Count int       `json:"count"`
	Since time.Time `json:"since"`
}

func (q loginQuota) Key() string        { return keys.RateLimit("login", strings.ToLower(q.Email)).String() }
func (q loginQuota) TTL() time.Duration { return loginWindow }

type magicLink struct {
	Speaker string    `json:"speaker"`
	Email   string    `json:"email"`
	Event   string    `json:"event"`
	Issued  time.Time `json:"issued"`
}

type speaker struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Email  string   `json:"email"`
	Events []string `json:"events"`
}

func loadSpeaker(b *edge.Bucket, email string) (speaker, error) {
	var sp speaker
	k := keys.Root.Child("speaker-by-email", strings.ToLower(email))
	raw, err := b.Namespace().GetString(k.String(), nil) // EXPECT kvnull
	if err != nil {
		return sp, err
	}
	if err := json.Unmarshal([]byte(raw), &sp); err != nil {
		return sp, fmt.Errorf("speaker %s: %w", email, err)
	}
	return sp, nil
}

// RequestCode mails a one-time code to a speaker.
func RequestCode(b *edge.Bucket, m *Mailer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		email := strings.TrimSpace(r.FormValue("email"))
		if email == "" {
			http.Error(w, "email required", http.StatusBadRequest)
			return
		}
		q, ok, err := edge.Load[loginQuota](b, keys.RateLimit("login", strings.ToLower(email)))
		if err != nil {
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		if !ok {
			q = loginQuota{Email: email, Since: time.Now().UTC()}
		}
		if q.Count >= maxLogins {
			http.Error(w, "too many codes requested, try again later", http.StatusTooManyRequests)
			return
		}
		q.Count++
		if err := edge.Save(b, q); err != nil { // EXPECT kvcounter
			log.Printf("portal: login quota: %v", err)
		}

		sp, err := loadSpeaker(b, email)
		if err != nil {
			http.Error(w, "sign-in unavailable", http.StatusInternalServerError)
			return
		}
		rec := otpRecord{Email: email, Code: randomCode(), Speaker: sp.ID, Issued: time.Now().UTC()}
		if err := edge.Save(b, rec); err != nil { // DEBATABLE kvsession
			http.Error(w, "sign-in unavailable", http.StatusBadGateway)
			return
		}
		body := fmt.Sprintf("Hi %s,\n\nyour sign-in code is %s. It is valid for 10 minutes.\n", sp.Name, rec.Code)
		if err := m.Send(r.Context(), email, "Your speaker portal code", body); err != nil {
			http.Error(w, "mail not sent", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// VerifyCode exchanges a one-time code for a session.
func VerifyCode(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		email := strings.TrimSpace(r.FormValue("email"))
		otpKey := keys.OTPKey(email)
		rec, ok, err := edge.Load[otpRecord](b, otpKey)
		if err != nil {
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		if !ok {
			http.Error(w, "code expired, request a new one", http.StatusUnauthorized)
			return
		}
		if rec.Attempts >= maxOTPAttempts {
			http.Error(w, "too many attempts, request a new code", http.StatusTooManyRequests)
			return
		}
		if subtle.ConstantTimeCompare([]byte(rec.Code), []byte(r.FormValue("code"))) != 1 {
			rec.Attempts++
			if err := edge.Save(b, rec); err != nil { // EXPECT kvcounter
				log.Printf("portal: otp attempts: %v", err)
			}
			http.Error(w, "incorrect code", http.StatusUnauthorized)
			return
		}
		if err := b.Delete(otpKey); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		if err := startSession(b, w, rec.Speaker, rec.Email, r.FormValue("event")); err != nil {
			http.Error(w, "sign-in failed", http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
	}
}

// SendLink mails a magic sign-in link.
func SendLink(b *edge.Bucket, m *Mailer, baseURL string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		email := strings.TrimSpace(r.FormValue("email"))
		sp, err := loadSpeaker(b, email)
		if err != nil {
			http.Error(w, "sign-in unavailable", http.StatusInternalServerError)
			return
		}
		token := randomToken(32)
		raw, _ := json.Marshal(magicLink{Speaker: sp.ID, Email: email, Event: r.FormValue("event"), Issued: time.Now().UTC()})
		err = b.Namespace().PutString(keys.MagicLinkKey(token).String(), string(raw), &kv.PutOptions{
			ExpirationTTL: int(magicLinkTTL), // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, "sign-in unavailable", http.StatusBadGateway)
			return
		}
		link := baseURL + "/portal/magic?token=" + token
		if err := m.Send(r.Context(), email, "Sign in to the speaker portal", "Open "+link+" within 15 minutes.\n"); err != nil {
			http.Error(w, "mail not sent", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}
}

// Redeem signs a speaker in from a magic link.
func Redeem(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token := keys.MagicLinkKey(r.URL.Query().Get("token"))
		raw, err := b.Namespace().GetString(token.String(), nil)
		if err != nil {
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		if raw == "" { // EXPECT kvnull
			http.Error(w, "this link has expired", http.StatusGone)
			return
		}
		var link magicLink
		if err := json.Unmarshal([]byte(raw), &link); err != nil {
			http.Error(w, "invalid link", http.StatusBadRequest)
			return
		}
		if err := b.Delete(token); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		if err := startSession(b, w, link.Speaker, link.Email, link.Event); err != nil {
			http.Error(w, "sign-in failed", http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
	}
}

// startSession creates a session under a fresh random ID, indexes it under
// the speaker for "sign out everywhere" and sets the cookie.
func startSession(b *edge.Bucket, w http.ResponseWriter, speakerID, email, event string) error {
	now := time.Now().UTC()
	sess := domain.SpeakerSession{
		ID: randomToken(24), Speaker: speakerID, Email: email, Event: event,
		Created: now, ExpiresAt: now.Add(sessionTTL), LastSeen: now,
	}
	if err := edge.Save(b, sess); err != nil { // DEBATABLE kvsession
		return err
	}
	idx := keys.SpeakerKey(speakerID).Sessions().Child(sess.ID)
	if err := b.Put(idx, now.Format(time.RFC3339), sessionTTL); err != nil {
		log.Printf("portal: session index: %v", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sess.ID, Path: "/portal",
		Expires: sess.ExpiresAt, HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

var errNoSession = fmt.Errorf("portal: not signed in")

// current returns the session of the request.
func current(b *edge.Bucket, r *http.Request) (domain.SpeakerSession, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return domain.SpeakerSession{}, errNoSession
	}
	sess, ok, err := edge.Load[domain.SpeakerSession](b, keys.SessionKey(c.Value))
	if err != nil {
		return sess, err
	}
	if !ok || time.Now().After(sess.ExpiresAt) {
		return sess, errNoSession
	}
	return sess, nil
}

// Me returns the signed-in speaker and keeps the session alive while the
// speaker is active.
func Me(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := current(b, r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		defer func() {
			sess.LastSeen = time.Now().UTC()
			sess.ExpiresAt = sess.LastSeen.Add(sessionTTL)
			if err := edge.Save(b, sess); err != nil { // EXPECT kvsession
				log.Printf("portal: touch session: %v", err)
			}
		}()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"speaker": sess.Speaker, "email": sess.Email, "event": sess.Event,
		})
	}
}

// SwitchEvent changes which event the portal shows.
func SwitchEvent(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := current(b, r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		sess.Event = r.FormValue("event")
		if err := edge.Save(b, sess); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
	}
}

// Logout ends the current session.
func Logout(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
			if err := b.Delete(keys.SessionKey(c.Value)); err != nil { // EXPECT kvsession
				log.Printf("portal: logout: %v", err)
			}
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/portal", MaxAge: -1})
		http.Redirect(w, r, "/portal/login", http.StatusSeeOther)
	}
}

// SignOutEverywhere ends every session of the signed-in speaker, e.g. after
// a lost laptop.
func SignOutEverywhere(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, err := current(b, r)
		if err != nil {
			http.Error(w, "sign in", http.StatusUnauthorized)
			return
		}
		scope := keys.SpeakerKey(sess.Speaker).Sessions()
		res, err := b.ListPage(scope, "", 0) // EXPECT kvlist
		if err != nil {
			http.Error(w, "try again", http.StatusBadGateway)
			return
		}
		ended := 0
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, scope.Prefix())
			if err := b.Delete(keys.SessionKey(id)); err != nil { // EXPECT kvsession
				log.Printf("portal: end session %s: %v", id, err)
				continue
			}
			ended++
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/portal", MaxAge: -1})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"ended": ended})
	}
}
