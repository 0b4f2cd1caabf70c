//go:build js && wasm

// Package edge is the Cloudflare Worker that serves confirmation,
// unsubscribe and preference links and the open-tracking pixel.
package edge

import (
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
	"github.com/syumai/workers/cloudflare/kv"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string, which is
// what GetString returns for a key that does not exist.
const jsNull = "<null>"

// Edge holds the bindings of the Worker.
type Edge struct {
	Links   *kv.Namespace // opt-in, unsubscribe and preference tokens
	Stats   *kv.Namespace // tracking events and counters
	DB      *sql.DB       // D1: subscribers of record
	Limiter *cloudflare.DurableObjectNamespace
}

// New binds LINKS, STATS, DB and LIMITER.
func New() (*Edge, error) {
	links, err := kv.NewNamespace("LINKS")
	if err != nil {
		return nil, err
	}
	st, err := kv.NewNamespace("STATS")
	if err != nil {
		return nil, err
	}
	conn, err := d1.OpenConnector("DB")
	if err != nil {
		return nil, err
	}
	lim, err := cloudflare.NewDurableObjectNamespace("LIMITER")
	if err != nil {
		return nil, err
	}
	return &Edge{Links: links, Stats: st, DB: sql.OpenDB(conn), Limiter: lim}, nil
}

// Routes returns the Worker's mux.
func (e *Edge) Routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /c/{token}", e.confirm)
	mux.HandleFunc("GET /u/{token}", e.unsubscribe)
	mux.HandleFunc("GET /u/undo/{token}", e.undoUnsubscribe)
	mux.HandleFunc("GET /o/{campaign}/{sub}", e.pixel)
	mux.HandleFunc("GET /archive/{list}", e.archive)
	mux.HandleFunc("GET /p/{token}", e.prefs)
	mux.HandleFunc("POST /p/{token}", e.savePrefs)
	return mux
}

type optinToken struct {
	Email  string    `json:"email"`
	List   string    `json:"list"`
	Issued time.Time `json:"issued"`
}

func (e *Edge) confirm(w http.ResponseWriter, r *http.Request) {
	key := "optin:" + r.PathValue("token")
	v, err := e.Links.GetString(key, nil)
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if v == "" { // EXPECT kvnull
		http.Error(w, "This confirmation link has expired.", http.StatusNotFound)
		return
	}
	var tok optinToken
	if err := json.Unmarshal([]byte(v), &tok); err != nil {
		http.Error(w, "bad link", http.StatusBadRequest)
		return
	}
	_, err = e.DB.ExecContext(r.Context(),
		`UPDATE subscribers SET status = 'confirmed', confirmed_at = ? WHERE list = ? AND email = ? AND status = 'pending'`,
		time.Now().UTC().Unix(), tok.List, tok.Email)
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := e.Links.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	// Let the subscriber pick topics right away without a second link.
	sid := rand.Text()
	sess, _ := json.Marshal(tok)
	if err := e.Links.PutString("psess:"+sid, string(sess), &kv.PutOptions{ExpirationTTL: 1800}); err == nil { // DEBATABLE kvsession
		http.SetCookie(w, &http.Cookie{Name: "pk_pref", Value: sid, Path: "/p", HttpOnly: true, Secure: true, MaxAge: 1800})
	}
	http.Redirect(w, r, "/p/welcome?list="+tok.List, http.StatusSeeOther)
}

// unsubscribe handles the link in every mail's footer. The token maps to
// "<list>:<email hash>" and never expires.
func (e *Edge) unsubscribe(w http.ResponseWriter, r *http.Request) {
	v, err := e.Links.GetString("unsub:"+r.PathValue("token"), &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if v == jsNull {
		http.Error(w, "Unknown link.", http.StatusNotFound)
		return
	}
	list, hash, ok := strings.Cut(v, ":")
	if !ok {
		http.Error(w, "bad link", http.StatusBadRequest)
		return
	}
	if err := e.Links.PutString("suppress:"+list+":"+hash, "unsubscribed", nil); err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if _, err := e.DB.ExecContext(r.Context(), `UPDATE subscribers SET status = 'unsubscribed' WHERE list = ? AND email_hash = ?`, list, hash); err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	undo := rand.Text()
	_ = e.Links.PutString("undo:"+undo, v, &kv.PutOptions{
		Expiration: int(time.Now().Add(10 * time.Minute).UnixMilli()), // EXPECT kvttl
	})
	fmt.Fprintf(w, "You have been unsubscribed from %s. Changed your mind? /u/undo/%s", list, undo)
}

func (e *Edge) undoUnsubscribe(w http.ResponseWriter, r *http.Request) {
	v, err := e.Links.GetString("undo:"+r.PathValue("token"), nil)
	if err != nil || v == jsNull {
		http.Error(w, "This link has expired.", http.StatusNotFound)
		return
	}
	list, hash, _ := strings.Cut(v, ":")
	if err := e.Links.Delete("suppress:" + list + ":" + hash); err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	e.DB.ExecContext(r.Context(), `UPDATE subscribers SET status = 'confirmed' WHERE list = ? AND email_hash = ?`, list, hash)
	fmt.Fprintf(w, "Welcome back to %s.", list)
}
