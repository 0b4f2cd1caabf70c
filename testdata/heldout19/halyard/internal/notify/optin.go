package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/halyard/internal/keys"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/retry"
)

var (
	ErrInvalidToken = errors.New("notify: invalid or expired token")
	ErrSMSQuota     = errors.New("notify: daily SMS quota reached")
)

const confirmTTL = 48 * time.Hour

type confirmation struct {
	Tenant   string `json:"tenant"`
	Customer string `json:"customer"`
	Address  string `json:"address"`
}

// RequestConfirmation starts double opt-in for an address and returns the
// token to embed in the confirmation link.
func (s *Service) RequestConfirmation(ctx context.Context, tenant, customer, address string) (string, error) {
	throttle := keys.Join("notify", "resend", tenant, customer)
	var raw [18]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	b, _ := json.Marshal(confirmation{Tenant: tenant, Customer: customer, Address: address})
	key := keys.Render("confirm", map[string]string{"Token": token})
	if err := s.kv.Put(ctx, key, b, kvstore.PutOptions{TTL: kvstore.SecondsOf(confirmTTL)}); err != nil {
		return "", err
	}
	err := s.kv.Put(ctx, throttle, []byte(now().UTC().Format(time.RFC3339)), kvstore.PutOptions{
		TTL: kvstore.SecondsOf(max(2*s.resendWindow, 10*time.Second)), // EXPECT kvttl
	})
	return token, err
}

// ResendAvailable tells the portal whether to enable the "send again"
// button; the marker written by RequestConfirmation expires on its own.
func (s *Service) ResendAvailable(ctx context.Context, tenant, customer string) (bool, error) {
	_, err := s.kv.Get(ctx, keys.Join("notify", "resend", tenant, customer))
	if kvstore.IsNotFound(err) {
		return true, nil
	}
	return false, err
}

// Confirm completes double opt-in.
func (s *Service) Confirm(ctx context.Context, token string) error {
	key := keys.Render("confirm", map[string]string{"Token": token})
	var c confirmation
	if err := kvstore.GetJSON(ctx, s.kv, key, &c); err != nil {
		if kvstore.IsNotFound(err) {
			return ErrInvalidToken
		}
		return err
	}
	verified := keys.Join("notify", "verified", c.Tenant, c.Customer)
	if err := s.kv.Put(ctx, verified, []byte(c.Address), kvstore.PutOptions{}); err != nil {
		return err
	}
	return s.kv.Delete(ctx, key) // EXPECT kvsession
}

// UnsubscribeToken returns a stateless, signed token for the footer link.
func (s *Service) UnsubscribeToken(tenant, customer string, ch Channel) string {
	payload := strings.Join([]string{tenant, customer, string(ch)}, "|")
	mac := hmac.New(sha256.New, s.signingKey)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + hex.EncodeToString(mac.Sum(nil))
}

// Unsubscribe verifies a footer token and records the opt-out. Opt-outs are
// write-once and never cleared by this flow.
func (s *Service) Unsubscribe(ctx context.Context, token string) error {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok {
		return ErrInvalidToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return ErrInvalidToken
	}
	mac := hmac.New(sha256.New, s.signingKey)
	mac.Write(payload)
	want := hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(sig), []byte(want)) {
		return ErrInvalidToken
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 {
		return ErrInvalidToken
	}
	optout := keys.Join("notify", "optout", parts[0], parts[1], parts[2])
	return s.kv.Put(ctx, optout, []byte(now().UTC().Format(time.RFC3339)), kvstore.PutOptions{})
}

// OptedOut reports whether the customer unsubscribed from ch.
func (s *Service) OptedOut(ctx context.Context, tenant, customer string, ch Channel) (bool, error) {
	_, err := s.kv.Get(ctx, keys.Join("notify", "optout", tenant, customer, string(ch)))
	switch {
	case err == nil:
		return true, nil
	case kvstore.IsNotFound(err):
		return false, nil
	default:
		return false, err
	}
}

// ConsumeSMS reserves one SMS from the customer's daily allowance.
func (s *Service) ConsumeSMS(ctx context.Context, customer string) error {
	day := now().UTC().Format("20060102")
	key := keys.Render("sms", map[string]string{"Customer": customer, "Day": day})
	return retry.Do(ctx, 3, func(ctx context.Context) error {
		used := 0
		v, err := s.kv.Get(ctx, key)
		switch {
		case err == nil:
			if used, err = strconv.Atoi(string(v)); err != nil {
				return retry.Stop(err)
			}
		case !kvstore.IsNotFound(err):
			return err
		}
		if used >= s.smsQuota {
			return retry.Stop(ErrSMSQuota)
		}
		return s.kv.Put(ctx, key, []byte(strconv.Itoa(used+1)), kvstore.PutOptions{ // EXPECT kvcounter
			TTL: kvstore.SecondsOf(26 * time.Hour),
		})
	})
}
