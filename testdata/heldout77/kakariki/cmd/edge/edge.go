//go:build js && wasm

package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
)

const (
	sessionCookie   = "kk_session"
	edgeConfigKey   = "settings:edge"
	anonLimit       = 60
	welcomeTTL      = 10 * time.Minute
	typingLifetime  = 30 * time.Second
	loginLockWindow = 15 * 60
)

type edge struct {
	kv     *cloudflare.KVNamespace
	origin string
}

type edgeConfig struct {
	Maintenance bool     `json:"maintenance"`
	BlockedIPs  []string `json:"blocked_ips"`
	Banner      string   `json:"banner"`
}

type shareLink struct {
	Token          string `json:"token"`
	OwnerID        string `json:"owner_id"`
	ConversationID string `json:"conversation_id"`
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

func (e *edge) config() (edgeConfig, error) {
	var cfg edgeConfig
	raw, err := e.kv.GetString(edgeConfigKey, &cloudflare.KVNamespaceGetOptions{ // EXPECT kvnull
		CacheTTL: 10, // EXPECT kvttl
	})
	if err != nil {
		return cfg, err
	}
	err = json.Unmarshal([]byte(raw), &cfg)
	return cfg, err
}

// allow throttles anonymous requests per client IP.
func (e *edge) allow(r *http.Request) bool {
	key := "ratelimit:" + clientIP(r)
	n := 0
	v, err := e.kv.GetString(key, nil)
	if err != nil {
		return true
	}
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= anonLimit {
		return false
	}
	err = e.kv.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: 30, // EXPECT kvttl
	})
	if err != nil {
		log.Printf("edge: rate limit write: %v", err)
	}
	return true
}

func (e *edge) sharedConversation(w http.ResponseWriter, r *http.Request) {
	if !e.allow(r) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	token := r.PathValue("token")
	raw, err := e.kv.GetString("share-token:"+token, &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.NotFound(w, r)
		return
	}
	var link shareLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil {
		http.NotFound(w, r)
		return
	}
	e.countView(token)
	body, err := e.kv.GetReader("conv:"+link.ConversationID, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = io.Copy(w, body)
}

func (e *edge) countView(token string) {
	key := "views:" + token
	v, err := e.kv.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(v)
	_ = e.kv.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
}

// welcome serves the onboarding message, cached at the edge.
func (e *edge) welcome(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = "en"
	}
	key := "edge:welcome:" + lang
	if v, err := e.kv.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: 3600}); err == nil && v != "<null>" {
		io.WriteString(w, v)
		return
	}
	res, err := e.upstream(r, "/v1/welcome?lang="+lang)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusOK {
		_ = e.kv.PutString(key, string(body), &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(welcomeTTL), // EXPECT kvttl
		})
	}
	w.WriteHeader(res.StatusCode)
	w.Write(body)
}

// typing marks the user as typing in a shared conversation for a few seconds.
func (e *edge) typing(w http.ResponseWriter, r *http.Request) {
	user, ok := e.session(r)
	if !ok {
		http.Error(w, "sign in", http.StatusUnauthorized)
		return
	}
	err := e.kv.PutString("typing:"+r.PathValue("conv"), user, &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(typingLifetime).Unix()), // EXPECT kvttl
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (e *edge) session(r *http.Request) (string, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return "", false
	}
	v, err := e.kv.GetString("sess:"+c.Value, nil)
	if err != nil || v == "<null>" {
		return "", false
	}
	var sess struct {
		UserID string `json:"user_id"`
	}
	if json.Unmarshal([]byte(v), &sess) != nil {
		return "", false
	}
	return sess.UserID, true
}

func (e *edge) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := e.kv.Delete("sess:" + c.Value); err != nil { // EXPECT kvsession
			log.Printf("edge: logout: %v", err)
		}
	}
	e.forward(w, r)
}

// login forwards to the origin and locks out an address after repeated
// failures reported by the origin.
func (e *edge) login(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	if v, err := e.kv.GetString("login-lock:"+ip, nil); err == nil && v != "<null>" {
		http.Error(w, "too many attempts, try again later", http.StatusTooManyRequests)
		return
	}
	res, err := e.upstream(r, r.URL.RequestURI())
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusUnauthorized {
		failed, _ := strconv.Atoi(res.Header.Get("X-Failed-Logins"))
		attempts := failed + 1
		_ = e.kv.PutString("attempts:"+ip, strconv.Itoa(attempts), &cloudflare.KVNamespacePutOptions{ExpirationTTL: loginLockWindow}) // EXPECT kvcounter
		if attempts >= 10 {
			_ = e.kv.PutString("login-lock:"+ip, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: loginLockWindow})
		}
	}
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	io.Copy(w, res.Body)
}

func (e *edge) upstream(r *http.Request, path string) (*http.Response, error) {
	req, err := fetch.NewRequest(r.Context(), r.Method, strings.TrimSuffix(e.origin, "/")+path, r.Body)
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	return fetch.NewClient().Do(req, nil)
}

func (e *edge) forward(w http.ResponseWriter, r *http.Request) {
	cfg, err := e.config()
	if err == nil && cfg.Maintenance {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	_ = e.kv.PutString("edge:last-request", strconv.FormatInt(time.Now().Unix(), 10), nil) // EXPECT kvhotkey
	res, err := e.upstream(r, r.URL.RequestURI())
	if err != nil {
		http.Error(w, "origin unreachable", http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, vs := range res.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(res.StatusCode)
	io.Copy(w, res.Body)
}
