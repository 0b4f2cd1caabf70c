// Package otp issues and verifies SMS one-time codes used for portal
// sign-in and for confirming a booking by phone.
package otp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/clinic/internal/keys"
	"example.com/clinic/internal/kvstore"
	"example.com/clinic/internal/kvstore/cfkv"
)

var (
	ErrExpired  = errors.New("otp: code expired or never issued")
	ErrMismatch = errors.New("otp: code does not match")
	ErrLocked   = errors.New("otp: too many attempts")
)

// Sender delivers a text message and returns the provider's message id.
type Sender interface {
	Send(ctx context.Context, phone, body string) (string, error)
}

const (
	codeValidFor = 5 * time.Minute
	maxAttempts  = 5
	lockout      = 15 * time.Minute
)

type codeRecord struct {
	Hash     string    `json:"hash"`
	IssuedAt time.Time `json:"issued_at"`
}

type Service struct {
	codes  kvstore.Store
	ns     cfkv.Namespace
	sms    Sender
	remove func(kvstore.Writer, context.Context, string) error
}

func New(codes kvstore.Store, ns cfkv.Namespace, sms Sender) *Service {
	return &Service{codes: codes, ns: ns, sms: sms, remove: kvstore.Writer.Delete}
}

func hash(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Issue generates a code for phone and texts it.
func (s *Service) Issue(ctx context.Context, phone string) error {
	code, err := sixDigits()
	if err != nil {
		return err
	}
	b, _ := json.Marshal(codeRecord{Hash: hash(code), IssuedAt: time.Now()})
	if err := s.codes.Put(ctx, keys.OTPPrefix+phone, b, kvstore.WithTTL(codeValidFor)); err != nil { // DEBATABLE kvsession
		return fmt.Errorf("otp: store code: %w", err)
	}
	msgID, err := s.sms.Send(ctx, phone, "Your clinic code is "+code)
	if err != nil {
		return fmt.Errorf("otp: send: %w", err)
	}
	// Delivery receipts come back from the SMS provider within a few
	// seconds; keep the id around just long enough to correlate them.
	_, err = s.ns.API.KV.Namespaces.Values.Update(ctx, s.ns.ID, "sms-msg:"+msgID, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(cfkv.Text(phone)),
		ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
	})
	return err
}

// Verify checks a code and consumes it on success.
func (s *Service) Verify(ctx context.Context, phone, code string) error {
	if err := s.countAttempt(ctx, phone); err != nil {
		return err
	}
	key := keys.OTPPrefix + phone
	b, err := s.codes.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrExpired
	}
	if err != nil {
		return err
	}
	var rec codeRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(rec.Hash), []byte(hash(code))) != 1 {
		return ErrMismatch
	}
	return s.remove(s.codes, ctx, key) // EXPECT kvsession
}

func (s *Service) countAttempt(ctx context.Context, phone string) error {
	key := "otp-attempts:" + phone
	n := 0
	res, err := s.ns.API.KV.Namespaces.Values.Get(ctx, s.ns.ID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.ns.AccountID)})
	switch {
	case err == nil:
		raw, rerr := io.ReadAll(res.Body)
		res.Body.Close()
		if rerr != nil {
			return rerr
		}
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("otp: attempts for %s: %w", phone, err)
		}
	case cfkv.IsNotFound(err):
		// first attempt in this window
	default:
		return err
	}
	if n >= maxAttempts {
		return ErrLocked
	}
	_, err = s.ns.API.KV.Namespaces.Values.Update(ctx, s.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.ns.AccountID),
		Value:         cloudflare.F(cfkv.Text(strconv.Itoa(n + 1))),
		ExpirationTTL: cloudflare.F(lockout.Seconds()),
	})
	return err
}
