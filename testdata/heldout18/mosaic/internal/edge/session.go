//go:build js && wasm

package edge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/mosaic/internal/domain"
)

const (
	cookieName = "mosaic_session"
	kvNull     = "<null>"
)

var (
	errUnauthenticated = errors.New("unauthenticated")
	errRateLimited     = errors.New("rate limited")
)

// session is the value stored under "sess:<uid>:<id>".
type session struct {
	UserID    string    `json:"uid"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	UserAgent string    `json:"ua"`
}

func sessionKey(cookie string) (string, bool) {
	uid, id, ok := strings.Cut(cookie, ":")
	if !ok || uid == "" || len(id) < 32 {
		return "", false
	}
	return "sess:" + uid + ":" + id, true
}

// login exchanges an identity-provider assertion for a session cookie.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var in struct {
		UserID string `json:"uid"`
		Proof  string `json:"proof"`
	}
	if err := decode(r, &in); err != nil || in.UserID == "" {
		writeError(w, domain.ErrBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(cloudflare.Getenv("LOGIN_SIGNING_KEY")))
	mac.Write([]byte(in.UserID))
	if !hmac.Equal([]byte(in.Proof), []byte(hex.EncodeToString(mac.Sum(nil)))) {
		writeError(w, errUnauthenticated)
		return
	}
	id := domain.NewToken()
	now := time.Now().UTC()
	raw, _ := json.Marshal(session{UserID: in.UserID, CreatedAt: now, LastSeen: now, UserAgent: r.UserAgent()})
	ttl := s.Config.LoginSessionTTL()
	err := s.NS.PutString("sess:"+in.UserID+":"+id, string(raw), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
	if err != nil {
		writeError(w, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: in.UserID + ":" + id, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds()),
	})
	writeJSON(w, http.StatusOK, map[string]string{"uid": in.UserID})
}

// authenticate resolves the session cookie and slides its expiry forward.
func (s *Server) authenticate(r *http.Request) (string, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return "", errUnauthenticated
	}
	key, ok := sessionKey(c.Value)
	if !ok {
		return "", errUnauthenticated
	}
	raw, err := s.NS.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if raw == kvNull {
		return "", errUnauthenticated
	}
	var sess session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return "", errUnauthenticated
	}
	sess.LastSeen = time.Now().UTC()
	updated, _ := json.Marshal(sess)
	ttl := s.Config.LoginSessionTTL()
	if err := s.NS.PutString(key, string(updated), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil { // EXPECT kvsession
		s.Log.WarnContext(r.Context(), "session refresh failed", "err", err)
	}
	return sess.UserID, nil
}

// logout deletes the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err == nil {
		if key, ok := sessionKey(c.Value); ok {
			if err := s.NS.Delete(key); err != nil { // EXPECT kvsession
				writeError(w, err)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}
