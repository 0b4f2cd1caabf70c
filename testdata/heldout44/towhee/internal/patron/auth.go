//go:build js && wasm

// Package patron handles library-card logins, PINs and patron sessions at
// the edge.
package patron

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/edgekv"
	"github.com/riverside-libraries/towhee/internal/keys"
)

const (
	maxLoginAttempts = 5
	otpTTL           = 45 * time.Second
	stateTTL         = 10 * time.Minute
	cookieName       = "towhee_sid"
)

// Session is what a login stores under keys.Session.
type Session struct {
	Card     string    `json:"card"`
	Branch   string    `json:"branch"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Handler serves the patron routes.
type Handler struct {
	Binding string
	Cfg     config.Config
	Pepper  string
}

// Register mounts the routes.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /login", h.login)
	mux.HandleFunc("POST /logout", h.logout)
	mux.HandleFunc("GET /me", h.me)
	mux.HandleFunc("POST /pin", h.changePIN)
	mux.HandleFunc("POST /pin/reset", h.startReset)
	mux.HandleFunc("POST /pin/reset/confirm", h.confirmReset)
	mux.HandleFunc("GET /sso/start", h.ssoStart)
	mux.HandleFunc("GET /sso/callback", h.ssoCallback)
	mux.HandleFunc("POST /handles/{handle}", h.claimHandle)
}

func (h Handler) hashPIN(card, pin string) string {
	sum := sha256.Sum256([]byte(h.Pepper + ":" + card + ":" + pin))
	return hex.EncodeToString(sum[:])
}

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (h Handler) login(w http.ResponseWriter, r *http.Request) {
	card := strings.TrimSpace(r.FormValue("card"))
	pin := r.FormValue("pin")
	if card == "" || pin == "" {
		http.Error(w, "card and pin required", http.StatusBadRequest)
		return
	}
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}

	attemptsKey := fmt.Sprintf("attempts:login:%s", card)
	prev, _ := st.NS.GetString(attemptsKey, nil) // EXPECT kvnull
	n, _ := strconv.Atoi(prev)
	if n >= maxLoginAttempts {
		http.Error(w, "too many attempts, try again later", http.StatusTooManyRequests)
		return
	}

	stored, ok, err := st.Get(keys.PIN(card))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok || subtle.ConstantTimeCompare([]byte(stored), []byte(h.hashPIN(card, pin))) != 1 {
		lock := cloudflare.KVNamespacePutOptions{ExpirationTTL: 15 * 60}
		if err := st.NS.PutString(attemptsKey, strconv.Itoa(n+1), &lock); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("attempts %s: %v", card, err)
		}
		http.Error(w, "card or PIN not recognised", http.StatusUnauthorized)
		return
	}

	id := newID()
	now := time.Now().UTC()
	sess := Session{Card: card, Branch: r.FormValue("branch"), Created: now, LastSeen: now}
	if err := st.PutJSON(keys.Session(id), sess, h.Cfg.SessionTTL); err != nil { // DEBATABLE kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := st.Put(keys.PatronSession(card, id), now.Format(time.RFC3339), h.Cfg.SessionTTL); err != nil {
		log.Printf("session index %s: %v", card, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: id, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.Cfg.SessionTTL.Seconds()),
	})
	w.WriteHeader(http.StatusNoContent)
}

func (h Handler) logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ns, err := cloudflare.NewKVNamespace(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := ns.Delete(keys.Session(c.Value)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

// me returns the signed-in patron and slides the session forward.
func (h Handler) me(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	ns, err := cloudflare.NewKVNamespace(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := keys.Session(c.Value)
	raw, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "" { // EXPECT kvnull
		http.Error(w, "session expired", http.StatusUnauthorized)
		return
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		http.Error(w, "session corrupt", http.StatusUnauthorized)
		return
	}
	sess.LastSeen = time.Now().UTC()
	b, _ := json.Marshal(sess)
	slide := cloudflare.KVNamespacePutOptions{ExpirationTTL: int(h.Cfg.SessionTTL.Seconds())}
	if err := ns.PutString(key, string(b), &slide); err != nil { // EXPECT kvsession|kvrace
		log.Printf("slide session: %v", err)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"card": sess.Card, "branch": sess.Branch})
}

// currentSession loads the session for r without touching it.
func (h Handler) currentSession(st *edgekv.Store, r *http.Request) (Session, string, bool) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return Session{}, "", false
	}
	var sess Session
	ok, err := st.GetJSON(keys.Session(c.Value), &sess)
	if err != nil || !ok {
		return Session{}, "", false
	}
	return sess, c.Value, true
}

// changePIN stores the new PIN and signs the card out everywhere else.
func (h Handler) changePIN(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sess, current, ok := h.currentSession(st, r)
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	pin := r.FormValue("pin")
	if len(pin) < 4 || len(pin) > 8 {
		http.Error(w, "PIN must be 4 to 8 digits", http.StatusBadRequest)
		return
	}
	if err := st.Put(keys.PIN(sess.Card), h.hashPIN(sess.Card, pin), 0); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}

	prefix := fmt.Sprintf("patron:%s:session:", sess.Card)
	res, err := st.NS.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	for _, k := range res.Keys {
		id := strings.TrimPrefix(k.Name, prefix)
		if id == current {
			continue
		}
		if err := st.Delete(keys.Session(id)); err != nil { // EXPECT kvsession
			log.Printf("revoke session %s: %v", id, err)
		}
		if err := st.Delete(k.Name); err != nil { // DEBATABLE kvsession
			log.Printf("drop session index %s: %v", k.Name, err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// startReset sends a one-time code to the patron's email on file.
func (h Handler) startReset(w http.ResponseWriter, r *http.Request) {
	card := strings.TrimSpace(r.FormValue("card"))
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	code := sixDigits()
	if err := st.Put(fmt.Sprintf("otp:pin:%s", card), code, otpTTL); err != nil { // EXPECT kvttl
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	log.Printf("pin reset requested for card ending %s", card[max(0, len(card)-4):])
	w.WriteHeader(http.StatusAccepted)
}

func (h Handler) confirmReset(w http.ResponseWriter, r *http.Request) {
	card := strings.TrimSpace(r.FormValue("card"))
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	otpKey := fmt.Sprintf("otp:pin:%s", card)
	want, ok, err := st.Get(otpKey)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(r.FormValue("code"))) != 1 {
		http.Error(w, "code not valid", http.StatusUnauthorized)
		return
	}
	if err := st.Delete(otpKey); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := st.Put(keys.PIN(card), h.hashPIN(card, r.FormValue("pin")), 0); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ssoStart begins the single sign-on flow with the city's identity provider.
func (h Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	state := newID()
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") {
		next = "/"
	}
	if err := st.Put("oauth:state:"+state, next, stateTTL); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "https://id.riverside.example/authorize?client_id=towhee&state="+state, http.StatusFound)
}

func (h Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	stateKey := "oauth:state:" + state
	next, ok, err := st.Get(stateKey)
	if err != nil || !ok {
		http.Error(w, "sign-in expired, start again", http.StatusBadRequest)
		return
	}
	if err := st.Delete(stateKey); err != nil { // EXPECT kvsession
		log.Printf("consume state: %v", err)
	}
	http.Redirect(w, r, next, http.StatusFound)
}

// claimHandle reserves a public reading-list handle for the signed-in card.
func (h Handler) claimHandle(w http.ResponseWriter, r *http.Request) {
	handle := strings.ToLower(r.PathValue("handle"))
	if len(handle) < 3 || len(handle) > 32 {
		http.Error(w, "handle must be 3 to 32 characters", http.StatusBadRequest)
		return
	}
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sess, _, ok := h.currentSession(st, r)
	if !ok {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	key := "handle:" + handle
	_, taken, err := st.Get(key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if taken {
		http.Error(w, "handle already taken", http.StatusConflict)
		return
	}
	if err := st.Put(key, sess.Card, 0); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}
