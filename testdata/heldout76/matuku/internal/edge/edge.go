//go:build js && wasm

// Package edge is the part of the gateway that runs as a Cloudflare Worker in
// front of the internal tools: it answers forward-auth checks from edge
// sessions without a round trip to the origin, serves feature flags and the
// JWKS to tools, and sweeps lapsed sessions on a cron trigger.
package edge

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// App holds the Worker's bindings.
type App struct {
	Sessions *cloudflare.KVNamespace // binding SESSIONS
	Config   *cloudflare.KVNamespace // binding CONFIG
	Origin   string
}

const (
	cookieName  = "edge_sid"
	sessionTTL  = 8 * time.Hour
	rememberFor = 30 * 24 * time.Hour
	lockoutFor  = 15 * time.Minute
	maxPINFails = 5
)

type edgeSession struct {
	Subject   string    `json:"sub"`
	Email     string    `json:"email"`
	Tools     []string  `json:"tools"`
	CreatedAt time.Time `json:"created_at"`
}

// Handler returns the Worker's HTTP handler.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /edge/auth", a.auth)
	mux.HandleFunc("POST /edge/session", a.createSession)
	mux.HandleFunc("POST /edge/logout", a.logout)
	mux.HandleFunc("POST /edge/logout-all", a.logoutAll)
	mux.HandleFunc("GET /edge/flags/{tool}", a.flags)
	mux.HandleFunc("GET /edge/jwks", a.jwks)
	mux.HandleFunc("GET /edge/policy-version", a.policyVersion)
	mux.HandleFunc("POST /edge/pin", a.pin)
	mux.HandleFunc("GET /edge/csrf", a.csrf)
	mux.HandleFunc("POST /edge/introspect", a.introspect)
	mux.HandleFunc("GET /edge/sessions/{sub}", a.listSessions)
	return mux
}

func putJSON(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
}

func (a *App) auth(w http.ResponseWriter, r *http.Request) {
	_ = a.Config.PutString("edge:last-request", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey

	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Error(w, "sign-in required", http.StatusUnauthorized)
		return
	}
	raw, err := a.Sessions.GetString("s:"+c.Value, &cloudflare.KVNamespaceGetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "sign-in required", http.StatusUnauthorized)
		return
	}
	var s edgeSession
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Error(w, "sign-in required", http.StatusUnauthorized)
		return
	}
	tool, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Host"), ".")
	allowed := false
	for _, t := range s.Tools {
		allowed = allowed || t == tool || t == "*"
	}
	if !allowed {
		http.Error(w, "no access to "+tool, http.StatusForbidden)
		return
	}
	w.Header().Set("X-Forwarded-User", s.Subject)
	w.Header().Set("X-Forwarded-Email", s.Email)
	w.WriteHeader(http.StatusOK)
}

type sessionRequest struct {
	Subject  string   `json:"sub"`
	Email    string   `json:"email"`
	Tools    []string `json:"tools"`
	Remember bool     `json:"remember"`
}

// createSession is called by the origin after a successful sign-in.
func (a *App) createSession(w http.ResponseWriter, r *http.Request) {
	var req sessionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Subject == "" {
		http.Error(w, "bad session request", http.StatusBadRequest)
		return
	}
	sid := rand.Text()
	b, _ := json.Marshal(edgeSession{Subject: req.Subject, Email: req.Email, Tools: req.Tools, CreatedAt: time.Now().UTC()})
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(sessionTTL.Seconds())}
	if req.Remember {
		opts.ExpirationTTL = int(rememberFor) // EXPECT kvttl
	}
	if err := a.Sessions.PutString("s:"+sid, string(b), opts); err != nil {
		http.Error(w, "cannot create session", http.StatusServiceUnavailable)
		return
	}
	// Per-user pointer so that "sign out everywhere" can find the session.
	if err := a.Sessions.PutString("u:"+req.Subject+":"+sid, "", opts); err != nil {
		http.Error(w, "cannot create session", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"sid": sid})
}

func (a *App) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil {
		_ = a.Sessions.Delete("s:" + c.Value) // EXPECT kvsession
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// logoutAll ends every session of the subject named by the origin.
func (a *App) logoutAll(w http.ResponseWriter, r *http.Request) {
	sub := r.URL.Query().Get("sub")
	prefix := "u:" + sub + ":"
	res, err := a.Sessions.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "list failed", http.StatusServiceUnavailable)
		return
	}
	for _, k := range res.Keys {
		sid := strings.TrimPrefix(k.Name, prefix)
		_ = a.Sessions.Delete("s:" + sid) // EXPECT kvsession
		_ = a.Sessions.Delete(k.Name)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) flags(w http.ResponseWriter, r *http.Request) {
	v, err := a.Config.GetString("flags:"+r.PathValue("tool"), &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	if err != nil {
		http.Error(w, "flags unavailable", http.StatusServiceUnavailable)
		return
	}
	if v == "<null>" {
		v = "{}"
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, v)
}

// jwks serves the origin's signing keys from KV, refreshing them from the
// origin when the cached copy has lapsed.
func (a *App) jwks(w http.ResponseWriter, r *http.Request) {
	v, err := a.Config.GetString("jwks", &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil || v == "<null>" {
		resp, ferr := http.Get(a.Origin + "/.well-known/jwks.json")
		if ferr != nil {
			http.Error(w, "jwks unavailable", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		v = string(body)
		_ = a.Config.PutString("jwks", v, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 600})
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, v)
}

func (a *App) policyVersion(w http.ResponseWriter, r *http.Request) {
	v, _ := a.Config.GetString("policy:version", nil) // EXPECT kvnull
	n, err := strconv.Atoi(v)
	if err != nil {
		http.Error(w, "bad policy version", http.StatusInternalServerError)
		return
	}
	w.Header().Set("ETag", fmt.Sprintf(`"pv-%d"`, n))
	fmt.Fprintf(w, "%d\n", n)
}

type pinState struct {
	Failures int       `json:"failures"`
	Since    time.Time `json:"since"`
}

// pin checks the kiosk unlock PIN and locks the kiosk out after repeated
// failures.
func (a *App) pin(w http.ResponseWriter, r *http.Request) {
	kiosk := r.Header.Get("X-Kiosk-ID")
	raw, err := a.Sessions.GetString("pin:"+kiosk, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	var st pinState
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		http.Error(w, "kiosk not enrolled", http.StatusForbidden)
		return
	}
	if r.PostFormValue("pin") == r.Header.Get("X-Expected-PIN-Hash") {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	st.Failures++
	if st.Since.IsZero() {
		st.Since = time.Now().UTC()
	}
	b, _ := json.Marshal(st)
	_ = a.Sessions.PutString("pin:"+kiosk, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter|kvrace
	if st.Failures >= maxPINFails {
		until := time.Now().Add(lockoutFor)
		_ = a.Sessions.PutString("lockout:"+kiosk, until.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{
			Expiration: int(until.UnixMilli()), // EXPECT kvttl
		})
	}
	http.Error(w, "incorrect PIN", http.StatusForbidden)
}

func (a *App) csrf(w http.ResponseWriter, r *http.Request) {
	tok := rand.Text()
	if err := a.Sessions.PutString("csrf:"+tok, "1", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 30}); err != nil { // EXPECT kvttl
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	_, _ = io.WriteString(w, tok)
}

// introspect proxies RFC 7662 introspection to the origin and caches active
// answers briefly at the edge, charging the caller's hourly quota.
func (a *App) introspect(w http.ResponseWriter, r *http.Request) {
	client, _, _ := r.BasicAuth()
	qk := "quota:edge:" + client + ":" + time.Now().UTC().Format("2006010215")
	used := 0
	if v, err := a.Config.GetString(qk, nil); err == nil && v != "<null>" {
		used, _ = strconv.Atoi(v)
	}
	if used >= 10000 {
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
		return
	}
	_ = a.Config.PutString(qk, strconv.Itoa(used+1), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 7200}) // EXPECT kvcounter|kvrace

	token := r.PostFormValue("token")
	ck := "introspect-cache:" + fmt.Sprintf("%x", token)
	if v, err := a.Config.GetString(ck, nil); err == nil && v != "<null>" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, v)
		return
	}
	req, _ := http.NewRequest(http.MethodPost, a.Origin+"/oauth/introspect", strings.NewReader(r.PostForm.Encode()))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, "origin unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		http.Error(w, "bad origin answer", http.StatusBadGateway)
		return
	}
	if out["active"] == true {
		_ = putJSON(a.Config, ck, out, 45*time.Second) // EXPECT kvttl
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// listSessions returns one page of a subject's sessions for the admin UI.
func (a *App) listSessions(w http.ResponseWriter, r *http.Request) {
	res, err := a.Sessions.List(&cloudflare.KVNamespaceListOptions{
		Prefix: "u:" + r.PathValue("sub") + ":",
		Limit:  2000, // EXPECT kvlimits
		Cursor: r.URL.Query().Get("cursor"),
	})
	if err != nil {
		http.Error(w, "list failed", http.StatusServiceUnavailable)
		return
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	next := ""
	if !res.ListComplete {
		next = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"sessions": names, "cursor": next})
}
