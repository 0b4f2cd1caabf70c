//go:build js && wasm

// Package chat is the agents' public chat endpoint, run as a Cloudflare
// Worker. Conversation state and per-user limits live in the CHAT_KV
// namespace; the message archive and billing counters live in D1.
package chat

import (
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

// kvMissing is what GetString returns for a key that does not exist.
const kvMissing = "<null>"

// App serves the chat API.
type App struct {
	kvBinding string
	dbBinding string
}

// New returns the Worker's handler.
func New() *App { return &App{kvBinding: "CHAT_KV", dbBinding: "DB"} }

type env struct {
	kv *cloudflare.KVNamespace
	db *sql.DB
}

func (a *App) open() (*env, error) {
	ns, err := cloudflare.NewKVNamespace(a.kvBinding)
	if err != nil {
		return nil, err
	}
	c, err := d1.OpenConnector(a.dbBinding)
	if err != nil {
		return nil, err
	}
	return &env{kv: ns, db: sql.OpenDB(c)}, nil
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e, err := a.open()
	if err != nil {
		http.Error(w, "bindings unavailable", http.StatusInternalServerError)
		return
	}
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && path == "/v1/login":
		e.requestMagicLink(w, r)
	case r.Method == http.MethodGet && path == "/v1/magic":
		e.redeemMagicLink(w, r)
	case r.Method == http.MethodPost && path == "/v1/logout":
		e.logout(w, r)
	case r.Method == http.MethodGet && path == "/v1/persona":
		e.persona(w, r)
	case strings.HasPrefix(path, "/v1/admin/"):
		e.admin(w, r, strings.TrimPrefix(path, "/v1/admin/"))
	default:
		u, err := e.authenticate(r)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		e.serveUser(w, r, path, u)
	}
}

func (e *env) serveUser(w http.ResponseWriter, r *http.Request, path string, u user) {
	switch {
	case r.Method == http.MethodPost && path == "/v1/chat":
		e.chat(w, r, u)
	case r.Method == http.MethodPost && path == "/v1/rooms":
		e.createRoom(w, r, u)
	case r.Method == http.MethodGet && path == "/v1/prefs":
		e.prefs(w, r, u)
	case r.Method == http.MethodPost && path == "/v1/drafts":
		e.saveDraft(w, r, u)
	case r.Method == http.MethodPost && path == "/v1/share":
		e.share(w, r, u)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/v1/convos/"):
		e.getConvo(w, r, u, strings.TrimPrefix(path, "/v1/convos/"))
	case r.Method == http.MethodPost && strings.HasPrefix(path, "/v1/import/"):
		e.importConvo(w, r, u, strings.TrimPrefix(path, "/v1/import/"))
	default:
		http.NotFound(w, r)
	}
}

type user struct {
	ID      string    `json:"id"`
	Email   string    `json:"email"`
	Plan    string    `json:"plan"`
	Expires time.Time `json:"expires"`
}

const sessionLifetime = 24 * time.Hour

func sessionID(r *http.Request) string {
	if c, err := r.Cookie("gsid"); err == nil {
		return c.Value
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// authenticate loads the caller's session and slides its expiry forward.
func (e *env) authenticate(r *http.Request) (user, error) {
	id := sessionID(r)
	if id == "" {
		return user{}, errors.New("no session")
	}
	raw, err := e.kv.GetString("sess:"+id, nil)
	if err != nil {
		return user{}, err
	}
	if raw == kvMissing {
		return user{}, errors.New("unknown session")
	}
	var u user
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		return user{}, err
	}
	u.Expires = time.Now().Add(sessionLifetime)
	b, _ := json.Marshal(u)
	if err := e.kv.PutString("sess:"+id, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(sessionLifetime.Seconds())}); err != nil { // EXPECT kvsession|kvrace
		return user{}, err
	}
	return u, nil
}

func (e *env) requestMagicLink(w http.ResponseWriter, r *http.Request) {
	email := strings.ToLower(strings.TrimSpace(r.FormValue("email")))
	if !strings.Contains(email, "@") {
		http.Error(w, "email required", http.StatusBadRequest)
		return
	}
	tok := rand.Text()
	if err := e.kv.PutString("magic:"+tok, email, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900}); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	if _, err := e.db.Exec(`INSERT INTO outbox (kind, recipient, payload) VALUES ('magic_link', ?, ?)`, email, tok); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (e *env) redeemMagicLink(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("token")
	email, err := e.kv.GetString("magic:"+tok, nil)
	if err != nil || email == kvMissing {
		http.Error(w, "link expired", http.StatusGone)
		return
	}
	if err := e.kv.Delete("magic:" + tok); err != nil { // EXPECT kvsession
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	u := user{ID: userIDFor(e.db, email), Email: email, Plan: "free", Expires: time.Now().Add(sessionLifetime)}
	sid := rand.Text()
	b, _ := json.Marshal(u)
	if err := e.kv.PutString("sess:"+sid, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(sessionLifetime.Seconds())}); err != nil {
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "gsid", Value: sid, Path: "/", HttpOnly: true, Secure: true, MaxAge: int(sessionLifetime.Seconds())})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (e *env) logout(w http.ResponseWriter, r *http.Request) {
	if id := sessionID(r); id != "" {
		if err := e.kv.Delete("sess:" + id); err != nil { // EXPECT kvsession
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "gsid", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func userIDFor(db *sql.DB, email string) string {
	var id string
	_ = db.QueryRow(`INSERT INTO users (id, email) VALUES (?, ?) ON CONFLICT (email) DO UPDATE SET email = excluded.email RETURNING id`, rand.Text(), email).Scan(&id)
	return id
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
