//go:build js && wasm

// Package verify issues and redeems SMS verification codes for portal sign-in
// and for confirming a refill pickup.
package verify

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/edgekv"
	"github.com/canvasback/telehealth/internal/httpx"
)

// Store is the VERIFY binding; main sets it.
var Store *edgekv.Namespace

// Sender delivers the text message. Replaced in staging with a log sender.
var Sender func(ctx context.Context, phone, body string) error = func(context.Context, string, string) error {
	return nil
}

// resendCooldown keeps a patient from requesting a new code right away.
const resendCooldown = 30

var (
	errTooSoon  = httpx.Error(http.StatusTooManyRequests, "please wait before requesting another code")
	errBadCode  = httpx.Error(http.StatusUnauthorized, "code is incorrect or expired")
	errTooMany  = httpx.Error(http.StatusTooManyRequests, "too many attempts")
	errBadPhone = httpx.Error(http.StatusBadRequest, "phone number required")
)

func codeKey(phone string) string     { return "otp:" + phone }
func cooldownKey(phone string) string { return "otp-cooldown:" + phone }
func attemptsKey(phone string) string { return "otp-attempts:" + phone }

type SendReq struct {
	Phone   string `json:"phone"`
	Purpose string `json:"purpose"`
}

type SendResp struct {
	RetryAfter int `json:"retry_after"`
}

// Send texts a fresh six-digit code to the phone.
func Send(ctx context.Context, req SendReq) (SendResp, error) {
	if req.Phone == "" {
		return SendResp{}, errBadPhone
	}
	cfg := config.Current()
	last, err := Store.GetString(cooldownKey(req.Phone), nil)
	if err != nil {
		return SendResp{}, err
	}
	if last != "" { // EXPECT kvnull
		if t, err := time.Parse(time.RFC3339, last); err == nil && time.Since(t) < cfg.SMS.Cooldown.Duration {
			return SendResp{RetryAfter: int(time.Until(t.Add(cfg.SMS.Cooldown.Duration)).Seconds())}, errTooSoon
		}
	}
	code, err := sixDigits()
	if err != nil {
		return SendResp{}, err
	}
	if err := Store.PutString(codeKey(req.Phone), code, &edgekv.PutOptions{ExpirationTTL: int(cfg.SMS.CodeTTL)}); err != nil { // DEBATABLE kvsession
		return SendResp{}, err
	}
	if err := Store.PutString(cooldownKey(req.Phone), time.Now().UTC().Format(time.RFC3339), &edgekv.PutOptions{ExpirationTTL: resendCooldown}); err != nil { // EXPECT kvttl
		return SendResp{}, err
	}
	body := fmt.Sprintf("Canvasback Health: your code is %s. It expires in %d minutes.", code, int(cfg.SMS.CodeTTL.Duration().Minutes()))
	return SendResp{RetryAfter: resendCooldown}, Sender(ctx, req.Phone, body)
}

type RedeemReq struct {
	Phone string `json:"phone"`
	Code  string `json:"code"`
}

// Redeem checks a code. A code can be used once.
func Redeem(ctx context.Context, req RedeemReq) error {
	cfg := config.Current()
	if err := countAttempt(req.Phone, cfg.SMS.MaxAttempts); err != nil {
		return err
	}
	want, ok, err := Store.Lookup(codeKey(req.Phone))
	if err != nil {
		return err
	}
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(req.Code)) != 1 {
		return errBadCode
	}
	if err := Store.Delete(codeKey(req.Phone)); err != nil { // EXPECT kvsession
		return err
	}
	httpx.Go(ctx, "otp-attempts-clear", func(context.Context) {
		_ = Store.Forget(attemptsKey(req.Phone))
	})
	return nil
}

// countAttempt records one verification attempt for phone.
func countAttempt(phone string, limit int) error {
	key := attemptsKey(phone)
	raw, err := Store.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	if n >= limit {
		return errTooMany
	}
	return Store.PutString(key, strconv.Itoa(n+1), &edgekv.PutOptions{ExpirationTTL: 900}) // EXPECT kvcounter|kvrace
}

// VerifyRedeem is the HTTP form of Redeem used by the pickup kiosk.
func VerifyRedeem(ctx context.Context, req RedeemReq) (httpx.Empty, error) {
	return httpx.Empty{}, Redeem(ctx, req)
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
