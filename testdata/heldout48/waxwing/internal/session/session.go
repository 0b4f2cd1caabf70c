//go:build js && wasm

// Package session signs players in at the edge: one-time email codes,
// Discord OAuth, sessions and refresh tokens, all in the SESSIONS namespace.
package session

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"github.com/lanternforge/waxwing/internal/edgekv"
	"github.com/lanternforge/waxwing/internal/keys"
)

// Binding is the wrangler.toml binding of the session namespace.
const Binding = "SESSIONS"

const (
	cookieName  = "wx_session"
	sessionTTL  = 7 * 24 * time.Hour
	refreshTTL  = 30 * 24 * time.Hour
	accessTTL   = 15 * time.Minute
	codeTTL     = 10 * time.Minute
	touchAfter  = 5 * time.Minute
	maxAttempts = 5
)

// Session is one signed-in device of a player.
type Session struct {
	ID       string    `json:"id"`
	Player   string    `json:"player"`
	Region   string    `json:"region"`
	LobbyID  string    `json:"lobby_id,omitempty"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

func (s *Session) Key() string { return keys.Session(s.Player, s.ID).String() }

// Open binds the session namespace.
func Open(log *slog.Logger) (*edgekv.Logged, error) { return edgekv.OpenLogged(Binding, log) }

func unavailable(w http.ResponseWriter) {
	http.Error(w, "try again", http.StatusServiceUnavailable)
}

// Create starts a session with a fresh random ID and sets its cookie.
func Create(kv *edgekv.Logged, w http.ResponseWriter, player, region string) error {
	now := time.Now().UTC()
	s := &Session{ID: rand.Text(), Player: player, Region: region, Created: now, LastSeen: now}
	body, _ := json.Marshal(s)
	if err := kv.Put(s.Key(), string(body), sessionTTL); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: s.Player + "." + s.ID, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds()),
	})
	return nil
}

// Lookup returns the session of the request, or nil. It keeps LastSeen
// roughly current for the "online friends" list.
func Lookup(kv *edgekv.Logged, r *http.Request) (*Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, nil
	}
	player, id, _ := strings.Cut(c.Value, ".")
	key := keys.Session(player, id).String()
	raw, err := kv.Store().Namespace().GetString(key, nil)
	if err != nil {
		return nil, err
	}
	if raw == "" { // EXPECT kvnull
		return nil, nil
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return nil, fmt.Errorf("session %s: %w", key, err)
	}
	if time.Since(s.LastSeen) > touchAfter {
		s.LastSeen = time.Now().UTC()
		body, _ := json.Marshal(s)
		if err := kv.Put(key, string(body), sessionTTL); err != nil { // EXPECT kvsession|kvrace
			return &s, err
		}
	}
	return &s, nil
}

// Require is Lookup for handlers that need a signed-in player; it writes the
// error response itself.
func Require(kv *edgekv.Logged, w http.ResponseWriter, r *http.Request) *Session {
	s, err := Lookup(kv, r)
	if err != nil {
		unavailable(w)
	} else if s == nil {
		http.Error(w, "sign in first", http.StatusUnauthorized)
	}
	return s
}

// Region is the matchmaking region of the request: its continent.
func Region(r *http.Request) string {
	if props, err := fetch.NewIncomingProperties(r.Context()); err == nil && props.Continent != "" {
		return strings.ToLower(props.Continent)
	}
	return "eu"
}

// HandleLogout serves POST /auth/logout.
func HandleLogout(kv *edgekv.Logged, w http.ResponseWriter, r *http.Request) {
	s, err := Lookup(kv, r)
	if err != nil {
		unavailable(w)
		return
	}
	if s != nil {
		if err := kv.Delete(s.Key()); err != nil { // EXPECT kvsession
			unavailable(w)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// HandleStartLogin serves POST /auth/code: it mails a one-time code.
func HandleStartLogin(kv *edgekv.Logged, w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n)
	if err := kv.Put(keys.Auth.Child("otp").With(email).String(), code, codeTTL); err != nil { // DEBATABLE kvsession
		unavailable(w)
		return
	}
	body, _ := json.Marshal(map[string]string{"to": email, "template": "login-code", "code": code})
	res, err := fetch.NewClient().HTTPClient(fetch.RedirectModeError).Post(cloudflare.Getenv("MAIL_API_URL"), "application/json", strings.NewReader(string(body)))
	if err == nil {
		res.Body.Close()
	}
	if err != nil || res.StatusCode >= 300 {
		http.Error(w, "could not send code", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// HandleVerifyLogin serves POST /auth/verify: it checks the code and signs
// the player in.
func HandleVerifyLogin(kv *edgekv.Logged, w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	attemptsKey := keys.Auth.Child("attempts").With(email).String()
	v, found, err := kv.Get(attemptsKey)
	if err != nil {
		unavailable(w)
		return
	}
	attempts := 0
	if found {
		attempts, _ = strconv.Atoi(v)
	}
	if attempts >= maxAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	if err := kv.Put(attemptsKey, strconv.Itoa(attempts+1), codeTTL); err != nil { // EXPECT kvcounter|kvrace
		unavailable(w)
		return
	}
	otpKey := keys.Auth.Child("otp").With(email).String()
	want, ok, err := kv.Get(otpKey)
	if err != nil || !ok || subtle.ConstantTimeCompare([]byte(want), []byte(r.FormValue("code"))) != 1 {
		http.Error(w, "wrong or expired code", http.StatusUnauthorized)
		return
	}
	if err := kv.Delete(otpKey); err != nil { // EXPECT kvsession
		unavailable(w)
		return
	}
	sum := sha256.Sum256([]byte(email))
	if err := Create(kv, w, "p-"+base64.RawURLEncoding.EncodeToString(sum[:12]), Region(r)); err != nil { // DEBATABLE kvsession
		unavailable(w)
		return
	}
	http.Redirect(w, r, "/lobbies", http.StatusSeeOther)
}

// HandleRefresh serves POST /auth/refresh for the mobile client: it rotates
// the refresh token and returns a short-lived signed access token that the
// edge verifies without a KV read.
func HandleRefresh(kv *edgekv.Logged, w http.ResponseWriter, r *http.Request) {
	tok := r.FormValue("refresh_token")
	key := keys.Auth.Child("refresh").With(tok).String()
	player, ok, err := kv.Get(key)
	if err != nil {
		unavailable(w)
		return
	}
	if _, revoked, _ := kv.GetCached(keys.Auth.Child("revoked").With(tok).String(), 5*time.Minute); !ok || revoked {
		http.Error(w, "invalid refresh token", http.StatusUnauthorized)
		return
	}
	if err := kv.Delete(key); err != nil { // EXPECT kvsession
		unavailable(w)
		return
	}
	next := rand.Text()
	opts := &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(refreshTTL), // EXPECT kvttl
	}
	if err := kv.Store().Namespace().PutString(keys.Auth.Child("refresh").With(next).String(), player, opts); err != nil {
		unavailable(w)
		return
	}
	payload := player + "." + strconv.FormatInt(time.Now().Add(accessTTL).Unix(), 10)
	mac := hmac.New(sha256.New, []byte(cloudflare.Getenv("ACCESS_TOKEN_KEY")))
	mac.Write([]byte(payload))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"refresh_token": next,
		"access_token":  payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)),
		"expires_in":    int(accessTTL.Seconds()),
	})
}
