//go:build js && wasm

// Package unlock issues the short codes riders type on a dock keypad, checks
// them for the dock controllers, and manages short bike holds.
package unlock

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/quota"
)

const (
	// unlockCodeTTL is how long a keypad code may be used.
	unlockCodeTTL = 45 * time.Second
	// holdTTL is how long a bike stays reserved.
	holdTTL = 10 * time.Minute
	// maxAttempts is how many wrong codes a dock accepts per lockout window.
	maxAttempts   = 5
	lockoutWindow = 10 * time.Minute
)

type Service struct {
	codes   *kvx.Namespace
	kv      *cloudflare.KVNamespace
	limiter quota.Limiter
	log     *slog.Logger
	now     func() time.Time
}

// New returns a Service storing codes in ns and rate limiting issuance with lim.
func New(ns *kvx.Namespace, lim quota.Limiter, log *slog.Logger) *Service {
	return &Service{codes: ns, kv: ns.Binding(), limiter: lim, log: log, now: time.Now}
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /unlock/code", s.issue)
	mux.HandleFunc("POST /unlock/check", s.check)
	mux.HandleFunc("POST /holds/{bike}", s.hold)
}

func newCode() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

func codeKey(rider string) string { return "otp:unlock:" + rider }

func (s *Service) issue(w http.ResponseWriter, r *http.Request) {
	rider := r.FormValue("rider")
	if rider == "" {
		http.Error(w, "rider required", http.StatusBadRequest)
		return
	}
	ok, err := s.limiter.Allow(r.Context(), "unlock:"+rider)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if !ok {
		httpx.Error(w, httpx.ErrTooMany)
		return
	}
	code := newCode()
	if err := s.codes.Put(codeKey(rider), code, unlockCodeTTL); err != nil { // EXPECT kvttl
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, map[string]any{"code": code, "valid_for": int(unlockCodeTTL.Seconds())})
}

type checkRequest struct {
	Dock  string `json:"dock"`
	Rider string `json:"rider"`
	Code  string `json:"code"`
}

// check is called by a dock controller with the code typed on its keypad.
func (s *Service) check(w http.ResponseWriter, r *http.Request) {
	var req checkRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	attemptsKey := "attempts:dock:" + req.Dock
	raw, err := s.kv.GetString(attemptsKey, nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	attempts := 0
	if raw != kvx.Null {
		attempts, _ = strconv.Atoi(raw)
	}
	if attempts >= maxAttempts {
		httpx.Error(w, httpx.ErrTooMany)
		return
	}

	want, ok, err := s.codes.Lookup(codeKey(req.Rider))
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if !ok || want != req.Code {
		_ = s.kv.PutString(attemptsKey, strconv.Itoa(attempts+1), // EXPECT kvcounter
			&cloudflare.KVNamespacePutOptions{ExpirationTTL: int(lockoutWindow.Seconds())})
		httpx.Error(w, httpx.ErrForbidden)
		return
	}
	// Codes are single-use.
	if err := s.kv.Delete(codeKey(req.Rider)); err != nil { // EXPECT kvsession
		s.log.Warn("consume unlock code", "err", err)
	}
	_ = s.codes.Keep("unlocked:"+req.Rider, req.Dock, 30*time.Second)
	httpx.JSON(w, http.StatusOK, map[string]string{"result": "unlock"})
}

// hold reserves a bike for the requesting rider.
func (s *Service) hold(w http.ResponseWriter, r *http.Request) {
	bike := r.PathValue("bike")
	rider := r.FormValue("rider")
	key := "hold:bike:" + bike
	cur, err := s.kv.GetString(key, nil)
	if err != nil {
		httpx.Error(w, err)
		return
	}
	if cur != kvx.Null {
		httpx.Error(w, fmt.Errorf("bike %s is held: %w", bike, httpx.ErrConflict))
		return
	}
	until := s.now().Add(holdTTL)
	if err := s.kv.PutString(key, rider, &cloudflare.KVNamespacePutOptions{Expiration: int(until.Unix())}); err != nil { // EXPECT kvrace
		httpx.Error(w, err)
		return
	}
	httpx.JSON(w, http.StatusCreated, map[string]any{"bike": bike, "until": until.Unix()})
}
