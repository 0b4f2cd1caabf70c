//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"brambling/internal/keys"
)

const (
	cookieName   = "bramble_sid"
	magicLinkTTL = 15 * time.Minute
	oauthTTL     = 10 * time.Minute
	csrfTTL      = 30 // seconds; the form is re-rendered on every page view
	signInLimit  = 10 // per IP per window
)

// Session is what the Worker stores for a signed-in browser.
type Session struct {
	Email   string `json:"email"`
	Created int64  `json:"created"`
	Seen    int64  `json:"seen"`
}

func randomID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// current returns the session of the request and keeps it alive.
func (a *API) current(r *http.Request) (Session, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return Session{}, false
	}
	key := keys.Session(c.Value)
	raw, ok, err := a.sessions.Get(key, 0)
	if err != nil || !ok {
		return Session{}, false
	}
	var s Session
	if json.Unmarshal([]byte(raw), &s) != nil {
		return Session{}, false
	}
	if time.Since(time.Unix(s.Seen, 0)) > 5*time.Minute {
		s.Seen = time.Now().Unix()
		b, _ := json.Marshal(s)
		_ = a.sessions.Put(key, string(b), a.sessionTTL) // EXPECT kvsession|kvrace
	}
	return s, true
}

func (a *API) session(w http.ResponseWriter, r *http.Request, rest string) {
	switch rest {
	case "login":
		if r.Method != http.MethodPost {
			break
		}
		if !a.allowSignIn(clientIP(r)) {
			http.Error(w, "too many attempts", http.StatusTooManyRequests)
			return
		}
		email, err := a.verify(r)
		if err != nil {
			http.Error(w, "wrong e-mail or password", http.StatusUnauthorized)
			return
		}
		a.signIn(w, r, email, r.FormValue("return_to"))
		return
	case "logout":
		if r.Method != http.MethodPost {
			break
		}
		if c, err := r.Cookie(cookieName); err == nil {
			_ = a.sessions.Delete(keys.Session(c.Value)) // EXPECT kvsession
		}
		http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
		w.WriteHeader(http.StatusNoContent)
		return
	case "csrf":
		if r.Method != http.MethodGet {
			break
		}
		nonce := randomID()
		err := a.sessions.ns.PutString("csrf/"+nonce, "1", &kv.PutOptions{
			ExpirationTTL: csrfTTL, // EXPECT kvttl
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"csrf": nonce})
		return
	case "magic":
		if r.Method != http.MethodPost {
			break
		}
		tok := randomID()
		email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
		if err := a.sessions.Put("magic/"+tok, email, magicLinkTTL); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		a.sendMagicLink(r, email, tok)
		w.WriteHeader(http.StatusAccepted)
		return
	case "oauth/start":
		state := randomID()
		if err := a.sessions.Put("oauth/state/"+state, r.URL.Query().Get("return_to"), oauthTTL); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, cloudflare.Getenv("OAUTH_AUTHORIZE_URL")+"?state="+state, http.StatusFound)
		return
	case "oauth/callback":
		a.oauthCallback(w, r)
		return
	}
	if tok, ok := strings.CutPrefix(rest, "magic/"); ok && r.Method == http.MethodGet {
		a.redeemMagicLink(w, r, tok)
		return
	}
	http.NotFound(w, r)
}

// startSession creates a fresh session and returns its cookie.
func (a *API) startSession(email string) (*http.Cookie, error) {
	id := randomID()
	now := time.Now().Unix()
	b, _ := json.Marshal(Session{Email: email, Created: now, Seen: now})
	if err := a.sessions.Put(keys.Session(id), string(b), a.sessionTTL); err != nil {
		return nil, err
	}
	_ = a.sessions.Put(keys.User(email)+"sessions/"+id, strconv.FormatInt(now, 10), a.sessionTTL)
	return &http.Cookie{
		Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(a.sessionTTL.Seconds()),
	}, nil
}

func (a *API) signIn(w http.ResponseWriter, r *http.Request, email, returnTo string) {
	c, err := a.startSession(email)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, c)
	if returnTo == "" || !strings.HasPrefix(returnTo, "/") {
		returnTo = "/"
	}
	http.Redirect(w, r, returnTo, http.StatusSeeOther)
}

// allowSignIn applies the per-IP sign-in limit.
func (a *API) allowSignIn(ip string) bool {
	key := "ratelimit/signin/" + ip
	raw, found, err := a.ops.Get(key, 0)
	if err != nil {
		return true
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(raw)
	}
	if n >= signInLimit {
		return false
	}
	_ = a.ops.PutFor(key, strconv.Itoa(n+1), 10*time.Minute) // EXPECT kvcounter|kvrace
	return true
}

func (a *API) redeemMagicLink(w http.ResponseWriter, r *http.Request, tok string) {
	key := "magic/" + tok
	email, err := a.sessions.ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if email == "" { // EXPECT kvnull
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := a.sessions.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	a.signIn(w, r, email, "/account")
}

func (a *API) oauthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	key := "oauth/state/" + state
	returnTo, ok, err := a.sessions.Get(key, 0)
	if err != nil || !ok {
		http.Error(w, "invalid state", http.StatusBadRequest)
		return
	}
	_ = a.sessions.Delete(key) // EXPECT kvsession
	email, err := a.exchange(r, r.URL.Query().Get("code"))
	if err != nil {
		http.Error(w, "sign-in failed", http.StatusBadGateway)
		return
	}
	a.signIn(w, r, email, returnTo)
}
