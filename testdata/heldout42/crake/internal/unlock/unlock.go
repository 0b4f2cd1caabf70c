//go:build js && wasm

// Package unlock issues and redeems the short codes a rider's app shows
// to unlock a scooter over Bluetooth.
package unlock

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	lockLifetime    = 10 * time.Minute
	unlockPerMinute = 20
)

// Token authorises one unlock of one scooter.
type Token struct {
	Token     string    `json:"token"`
	ScooterID string    `json:"scooterId"`
	RiderID   string    `json:"riderId"`
	IssuedAt  time.Time `json:"issuedAt"`
}

// TokenStore keeps unlock tokens until they are redeemed or expire.
type TokenStore struct {
	kvstore.Base
}

// NewTokenStore binds the token store to ns.
func NewTokenStore(ns *kv.Namespace) *TokenStore {
	return &TokenStore{Base: kvstore.Base{
		Prefix:   "unlock-token:",
		Lifetime: 45 * time.Second, // EXPECT kvttl
		NS:       ns,
	}}
}

func randomToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Issue mints a token for rider to unlock scooter.
func (s *TokenStore) Issue(riderID, scooterID string) (Token, error) {
	t := Token{Token: randomToken(), ScooterID: scooterID, RiderID: riderID, IssuedAt: time.Now().UTC()}
	return t, s.PutJSON(s.Key(t.Token), t)
}

// Redeem uses up a token presented by the scooter's firmware.
func (s *TokenStore) Redeem(token, scooterID string) (Token, bool, error) {
	var t Token
	ok, err := s.GetJSON(s.Key(token), &t)
	if err != nil || !ok || t.ScooterID != scooterID {
		return Token{}, false, err
	}
	if err := s.Remove(s.Key(token)); err != nil { // EXPECT kvsession
		return Token{}, false, err
	}
	return t, true, nil
}

type window struct {
	Start time.Time
	Count int
}

// Service serves the unlock endpoints.
type Service struct {
	Tokens *TokenStore
	Store  *kvstore.Store

	mu   sync.Mutex
	hits map[string]window
}

// NewService returns a Service using tokens and st.
func NewService(tokens *TokenStore, st *kvstore.Store) *Service {
	return &Service{Tokens: tokens, Store: st, hits: make(map[string]window)}
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return host
}

// allow counts a request from ip in the current minute and mirrors the
// count to KV so that other isolates see it.
func (s *Service) allow(r *http.Request, ip string) bool {
	now := time.Now()
	s.mu.Lock()
	w := s.hits[ip]
	if now.Sub(w.Start) > time.Minute {
		w = window{Start: now}
	}
	w.Count++
	s.hits[ip] = w
	s.mu.Unlock()

	_ = s.Store.PutString(r.Context(), "ratelimit:unlock:"+ip, strconv.Itoa(w.Count), time.Minute) // EXPECT kvcounter
	return w.Count <= unlockPerMinute
}

type unlockRequest struct {
	ScooterID string `json:"scooterId"`
	RiderID   string `json:"riderId"`
}

// Request issues an unlock token after taking the scooter's lock.
func (s *Service) Request(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if !s.allow(r, clientIP(r)) {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	var in unlockRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ScooterID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	cooldown, err := s.Store.Namespace().GetString("unlock-cooldown:"+in.RiderID, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if cooldown != "" { // EXPECT kvnull
		http.Error(w, "account on cooldown until "+cooldown, http.StatusForbidden)
		return
	}

	lockKey := "lock:scooter:" + in.ScooterID
	holder, locked, err := s.Store.Get(ctx, lockKey)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if locked && holder != in.RiderID {
		http.Error(w, "scooter is in use", http.StatusConflict)
		return
	}
	if err := s.Store.PutString(ctx, lockKey, in.RiderID, lockLifetime); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}

	tok, err := s.Tokens.Issue(in.RiderID, in.ScooterID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	last := map[string]any{"scooterId": in.ScooterID, "at": time.Now().UTC()}
	_ = s.Store.Put(ctx, "stats:last-unlock", last, 0) // EXPECT kvhotkey
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(tok)
}

type redeemRequest struct {
	Token string `json:"token"`
}

// Redeem is called by the scooter when a rider holds the phone to it.
func (s *Service) Redeem(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	scooterID := r.Header.Get("X-Scooter-ID")
	var in redeemRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || scooterID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	tok, ok, err := s.Tokens.Redeem(in.Token, scooterID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "invalid token", http.StatusForbidden)
		return
	}
	sc := fleet.Scooter{ID: scooterID, Status: fleet.StatusInRide, UpdatedAt: time.Now().UTC()}
	if err := s.Store.Put(ctx, "ride-active:"+tok.RiderID, sc, 2*time.Hour); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Release frees a scooter's lock when the ride ends.
func (s *Service) Release(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("scooter")
	if id == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := s.Store.Delete(r.Context(), "lock:scooter:"+id); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
