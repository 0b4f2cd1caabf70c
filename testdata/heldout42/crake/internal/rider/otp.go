//go:build js && wasm

package rider

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	otpLifetime     = 5 * time.Minute
	otpMaxAttempts  = 5
	otpResendWindow = 30 * time.Second
	attemptsWindow  = 15 * time.Minute
)

type otpRecord struct {
	Phone    string    `json:"phone"`
	Code     string    `json:"code"`
	IssuedAt time.Time `json:"issuedAt"`
}

// OTPStore keeps one-time passcodes sent by SMS.
type OTPStore struct {
	kvstore.Base
}

// NewOTPStore binds the passcode store to ns.
func NewOTPStore(ns *kv.Namespace) *OTPStore {
	return &OTPStore{Base: kvstore.Base{Prefix: "otp:", Lifetime: otpLifetime, NS: ns}}
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// Issue mints a passcode for phone.
func (s *OTPStore) Issue(phone string) (string, error) {
	rec := otpRecord{Phone: phone, Code: sixDigits(), IssuedAt: time.Now().UTC()}
	if err := s.PutJSON(s.Key(phone), rec); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return rec.Code, nil
}

// Redeem checks code against the passcode issued to phone and uses it up.
func (s *OTPStore) Redeem(phone, code string) (bool, error) {
	var rec otpRecord
	ok, err := s.GetJSON(s.Key(phone), &rec)
	if err != nil || !ok {
		return false, err
	}
	if subtle.ConstantTimeCompare([]byte(rec.Code), []byte(code)) != 1 {
		return false, nil
	}
	if err := s.Remove(s.Key(phone)); err != nil { // EXPECT kvsession
		return false, err
	}
	return true, nil
}

// Handlers serves the sign-in endpoints.
type Handlers struct {
	OTP     *OTPStore
	Queries *dbgen.Queries
	SMS     func(ctx context.Context, phone, body string) error
}

type otpRequest struct {
	Phone  string `json:"phone"`
	Code   string `json:"code,omitempty"`
	Device string `json:"device,omitempty"`
}

func normalizePhone(p string) string {
	return strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, p)
}

// RequestCode sends a passcode by SMS.
func (h *Handlers) RequestCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in otpRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	phone := normalizePhone(in.Phone)
	if len(phone) < 8 {
		http.Error(w, "invalid phone", http.StatusBadRequest)
		return
	}
	if _, recent, err := kvstore.Get(ctx, "otp-resend:"+phone); err == nil && recent {
		http.Error(w, "wait before requesting another code", http.StatusTooManyRequests)
		return
	}
	code, err := h.OTP.Issue(phone)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if err := h.SMS(ctx, phone, "Your Crake code is "+code); err != nil {
		http.Error(w, "sms failed", http.StatusBadGateway)
		return
	}
	_ = kvstore.Put(ctx, "otp-resend:"+phone, time.Now().Unix(), // EXPECT kvrace
		otpResendWindow) // EXPECT kvttl
	w.WriteHeader(http.StatusAccepted)
}

// VerifyCode checks a passcode and signs the rider in, creating the
// account on first sign-in.
func (h *Handlers) VerifyCode(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var in otpRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	phone := normalizePhone(in.Phone)

	attemptsKey := "otp-attempts:" + phone
	prev, _, err := kvstore.Get(ctx, attemptsKey)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	attempts, _ := strconv.Atoi(prev)
	if attempts >= otpMaxAttempts {
		http.Error(w, "too many attempts", http.StatusTooManyRequests)
		return
	}
	if err := kvstore.PutString(ctx, attemptsKey, strconv.Itoa(attempts+1), attemptsWindow); err != nil { // EXPECT kvcounter|kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}

	ok, err := h.OTP.Redeem(phone, in.Code)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "wrong code", http.StatusUnauthorized)
		return
	}
	riderID, err := h.riderForPhone(ctx, phone)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	refresh, err := startSession(ctx, w, riderID, in.Device)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"riderId": riderID, "refreshToken": refresh})
}

func (h *Handlers) riderForPhone(ctx context.Context, phone string) (string, error) {
	id, ok, err := kvstore.Get(ctx, "phone:"+phone)
	if err != nil {
		return "", err
	}
	if ok {
		return id, nil
	}
	rd := fleet.Rider{ID: newID(12), Phone: phone, Plan: "payg", Version: 1, CreatedAt: time.Now().UTC()}
	if err := h.Queries.CreateRider(ctx, rd); err != nil {
		return "", err
	}
	return rd.ID, kvstore.PutString(ctx, "phone:"+phone, rd.ID, 0) // DEBATABLE kvrace
}
