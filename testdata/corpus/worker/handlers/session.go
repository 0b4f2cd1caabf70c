package handlers

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/corpus/worker/config"
)

type session struct {
	UserID    string    `json:"uid"`
	CreatedAt time.Time `json:"created_at"`
}

func newID() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Login creates a session after the password has been checked upstream.
func Login(w http.ResponseWriter, r *http.Request) {
	uid := r.Header.Get("X-Authenticated-User")
	sessions, err := kv.NewNamespace("SESSIONS")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sid := newID()
	data, _ := json.Marshal(session{UserID: uid, CreatedAt: time.Now()})

	ttl := config.SessionTTL
	if r.FormValue("remember") == "on" {
		remember := 30 * 24 * time.Hour
		ttl = int(remember.Seconds())
	}
	if err := sessions.PutString("sess:"+sid, string(data), &kv.PutOptions{ExpirationTTL: ttl}); err != nil {
		http.Error(w, "could not create session", http.StatusInternalServerError)
		return
	}

	// One-shot "welcome back" message shown on the next page.
	_ = sessions.PutString("flash:"+sid, "Welcome back!", &kv.PutOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	})

	http.SetCookie(w, &http.Cookie{Name: "sid", Value: sid, HttpOnly: true, Secure: true, MaxAge: ttl})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
