//go:build js && wasm

// Package edge is the waiting-room Worker in front of the storefront. It
// issues queue tokens, reports admission status and exchanges an admitted
// token for a short-lived access pass.
package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"
)

const binding = "WAITROOM"

// kvNull is what GetString returns for a key that does not exist.
const kvNull = "<null>"

const (
	joinLimitPerMinute = 20
	tokenIdle          = 10 * time.Minute
	passTTLSeconds     = 30 * 60
)

// waitroom returns the KV binding of the current invocation.
func waitroom() (*kv.Namespace, error) {
	return cloudflare.NewKVNamespace(binding)
}

type queueToken struct {
	EventID  string `json:"event_id"`
	JoinedAt int64  `json:"joined_at"`
	LastSeen int64  `json:"last_seen"`
}

func newToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, err error) {
	log.Printf("waitroom: %v", err)
	http.Error(w, "waiting room unavailable", http.StatusServiceUnavailable)
}

// Handler routes the waiting-room endpoints.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /queue/join", join)
	mux.HandleFunc("GET /queue/status", status)
	mux.HandleFunc("POST /queue/heartbeat", heartbeat)
	mux.HandleFunc("POST /queue/redeem", redeem)
	mux.HandleFunc("GET /events/{id}/config", eventConfig)
	return mux
}

func join(w http.ResponseWriter, r *http.Request) {
	ns, err := waitroom()
	if err != nil {
		fail(w, err)
		return
	}
	eventID := r.URL.Query().Get("event")
	if eventID == "" {
		http.Error(w, "event required", http.StatusBadRequest)
		return
	}
	ipKey := "rl:join:" + r.Header.Get("CF-Connecting-IP")
	hits := 0
	v, err := ns.GetString(ipKey, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if v != kvNull {
		hits, _ = strconv.Atoi(v)
	}
	if hits >= joinLimitPerMinute {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	if err := ns.PutString(ipKey, strconv.Itoa(hits+1), &kv.PutOptions{ExpirationTTL: 60}); err != nil { // EXPECT kvcounter|kvrace
		fail(w, err)
		return
	}
	token := newToken()
	now := time.Now().Unix()
	rec, _ := json.Marshal(queueToken{EventID: eventID, JoinedAt: now, LastSeen: now})
	if err := ns.PutString("wr:"+token, string(rec), &kv.PutOptions{ExpirationTTL: int(tokenIdle / time.Second)}); err != nil {
		fail(w, err)
		return
	}
	if err := ns.PutString("wr:last_join", strconv.FormatInt(now, 10), nil); err != nil { // EXPECT kvhotkey
		log.Printf("waitroom: last_join: %v", err)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"token": token})
}

type admissionStatus struct {
	Position int  `json:"position"`
	Admitted bool `json:"admitted"`
}

func status(w http.ResponseWriter, r *http.Request) {
	ns, err := waitroom()
	if err != nil {
		fail(w, err)
		return
	}
	token := r.URL.Query().Get("token")
	rec, err := ns.GetString("wr:"+token, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if rec == "" { // EXPECT kvnull
		http.Error(w, "unknown or expired token", http.StatusNotFound)
		return
	}
	admitted, err := ns.GetString("wr:"+token+":admitted", nil)
	if err != nil {
		fail(w, err)
		return
	}
	if admitted != kvNull {
		writeJSON(w, http.StatusOK, map[string]any{"admitted": true, "event": admitted})
		return
	}
	raw, err := ns.GetString("wr:status:"+token, nil) // EXPECT kvnull
	if err != nil {
		fail(w, err)
		return
	}
	var st admissionStatus
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// heartbeat keeps an idle visitor's place in the queue.
func heartbeat(w http.ResponseWriter, r *http.Request) {
	ns, err := waitroom()
	if err != nil {
		fail(w, err)
		return
	}
	key := "wr:" + r.URL.Query().Get("token")
	rec, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if rec == kvNull {
		http.Error(w, "unknown or expired token", http.StatusNotFound)
		return
	}
	var qt queueToken
	if err := json.Unmarshal([]byte(rec), &qt); err != nil {
		fail(w, err)
		return
	}
	qt.LastSeen = time.Now().Unix()
	buf, _ := json.Marshal(qt)
	opts := &kv.PutOptions{ExpirationTTL: int(tokenIdle)}        // EXPECT kvttl
	if err := ns.PutString(key, string(buf), opts); err != nil { // EXPECT kvsession|kvrace
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// redeem exchanges an admitted queue token for an access pass cookie.
func redeem(w http.ResponseWriter, r *http.Request) {
	ns, err := waitroom()
	if err != nil {
		fail(w, err)
		return
	}
	key := "wr:" + r.URL.Query().Get("token")
	eventID, err := ns.GetString(key+":admitted", nil)
	if err != nil {
		fail(w, err)
		return
	}
	if eventID == kvNull {
		http.Error(w, "not admitted yet", http.StatusForbidden)
		return
	}
	pass := newToken()
	if err := ns.PutString("pass:"+pass, eventID, &kv.PutOptions{ExpirationTTL: passTTLSeconds}); err != nil {
		fail(w, err)
		return
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		log.Printf("waitroom: consume token: %v", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: "bo_pass", Value: pass, Path: "/", MaxAge: passTTLSeconds,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	w.WriteHeader(http.StatusNoContent)
}

// eventConfig serves the storefront's per-event settings (colours, seat
// limits, presale flags), falling back to the defaults.
func eventConfig(w http.ResponseWriter, r *http.Request) {
	ns, err := waitroom()
	if err != nil {
		fail(w, err)
		return
	}
	defaults, err := ns.GetString("evcfg:defaults", &kv.GetOptions{CacheTTL: 3600})
	if err != nil {
		fail(w, err)
		return
	}
	opts := &kv.GetOptions{CacheTTL: 15} // EXPECT kvttl
	raw, err := ns.GetString("evcfg:"+r.PathValue("id"), opts)
	if err != nil {
		fail(w, err)
		return
	}
	if raw == kvNull {
		raw = defaults
	}
	if raw == kvNull {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(raw))
}
