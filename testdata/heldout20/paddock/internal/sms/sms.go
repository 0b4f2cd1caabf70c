// Package sms sends and checks phone verification codes, with a cooldown
// between sends and a daily quota per number.
package sms

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"math/big"
	"net/http"
	"net/url"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/cfkv"
)

// Sender delivers a text message.
type Sender interface {
	Send(ctx context.Context, to, body string) error
}

// Errors presented to clients.
var (
	ErrCooldown  = apperr.New(http.StatusTooManyRequests, "sms_cooldown", "wait before requesting another code")
	ErrQuota     = apperr.New(http.StatusTooManyRequests, "sms_quota", "daily code limit reached for this number")
	ErrNoCode    = apperr.New(http.StatusGone, "sms_no_code", "no code pending for this number; request a new one")
	ErrWrongCode = apperr.New(http.StatusUnauthorized, "sms_wrong_code", "the code is not correct")
)

// Verifier issues and checks codes.
type Verifier struct {
	NS       cfkv.Namespace
	Sender   Sender
	Secret   []byte
	DailyMax int
	CodeTTL  time.Duration
	Clock    func() time.Time
}

func phoneKey(kind, phone string, extra ...string) string {
	k := "sms:" + kind + ":" + url.PathEscape(phone)
	for _, e := range extra {
		k += ":" + e
	}
	return url.PathEscape(k)
}

func (v Verifier) digest(phone, code string) string {
	mac := hmac.New(sha256.New, v.Secret)
	fmt.Fprintf(mac, "%s|%s", phone, code)
	return hex.EncodeToString(mac.Sum(nil))
}

func (v Verifier) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(v.NS.AccountID)}
}

// Send texts a fresh code to phone.
func (v Verifier) Send(ctx context.Context, phone string) error {
	values := v.NS.Client.KV.Namespaces.Values
	cooldownKey := phoneKey("cooldown", phone)
	if _, err := values.Get(ctx, v.NS.ID, cooldownKey, v.getParams()); err == nil {
		return ErrCooldown
	} else if !cfkv.IsNotFound(err) {
		return err
	}

	if err := v.spendQuota(ctx, phone); err != nil {
		return err
	}

	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	ttl := cmp.Or(v.CodeTTL, 10*time.Minute)
	_, err = values.Update(ctx, v.NS.ID, phoneKey("otp", phone), kv.NamespaceValueUpdateParams{ // DEBATABLE kvsession
		AccountID:     cloudflare.F(v.NS.AccountID),
		Value:         cloudflare.F(v.digest(phone, code)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	if err != nil {
		return err
	}
	_, err = values.Update(ctx, v.NS.ID, cooldownKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace|kvcounter
		AccountID:     cloudflare.F(v.NS.AccountID),
		Value:         cloudflare.F(strconv.FormatInt(v.Clock().Unix(), 10)),
		ExpirationTTL: cloudflare.F(float64(30)), // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	return v.Sender.Send(ctx, phone, "Your Paddock code is "+code)
}

func (v Verifier) spendQuota(ctx context.Context, phone string) error {
	now := v.Clock().UTC()
	day := now.Format("20060102")
	key := phoneKey("quota", phone, day)
	used := 0
	res, err := v.NS.Client.KV.Namespaces.Values.Get(ctx, v.NS.ID, key, v.getParams())
	switch {
	case err == nil:
		body, err := cfkv.ReadBody(res)
		if err != nil {
			return err
		}
		if used, err = strconv.Atoi(string(body)); err != nil {
			return fmt.Errorf("sms: bad quota value: %w", err)
		}
	case !cfkv.IsNotFound(err):
		return err
	}
	if used >= cmp.Or(v.DailyMax, 5) {
		return ErrQuota
	}
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	_, err = v.NS.Client.KV.Namespaces.Values.Update(ctx, v.NS.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:  cloudflare.F(v.NS.AccountID),
		Value:      cloudflare.F(strconv.Itoa(used + 1)),
		Expiration: cloudflare.F(float64(midnight.Add(time.Hour).Unix())),
	})
	return err
}

// Verify checks code against the pending code for phone and consumes it.
func (v Verifier) Verify(ctx context.Context, phone, code string) error {
	values := v.NS.Client.KV.Namespaces.Values
	otpKey := phoneKey("otp", phone)
	res, err := values.Get(ctx, v.NS.ID, otpKey, v.getParams())
	if err == nil && res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return ErrNoCode
	}
	if err != nil {
		return fmt.Errorf("sms: load code: %w", err)
	}
	want, err := cfkv.ReadBody(res)
	if err != nil {
		return err
	}
	if !hmac.Equal(want, []byte(v.digest(phone, code))) {
		return ErrWrongCode
	}
	_, err = values.Delete(ctx, v.NS.ID, otpKey, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(v.NS.AccountID),
	})
	return err
}

// LogSender writes messages to the log instead of sending them; used until a
// carrier is configured.
type LogSender struct{}

// Send implements Sender.
func (LogSender) Send(_ context.Context, to, body string) error {
	log.Printf("sms to %s: %s", to, body)
	return nil
}
