// Package verify sends and checks e-mail verification codes and magic links.
package verify

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

var (
	// ErrTooSoon is returned when a code was sent moments ago.
	ErrTooSoon = errors.New("verify: please wait before requesting another code")
	// ErrMismatch is returned for a wrong or expired code.
	ErrMismatch = errors.New("verify: code does not match")
	// ErrTooManyTries is returned after repeated wrong codes.
	ErrTooManyTries = errors.New("verify: too many wrong codes")
)

// Verifier issues codes.
type Verifier struct {
	store *kvstore.Store
}

// New binds the SESSIONS namespace.
func New() (*Verifier, error) {
	st, err := kvstore.Open(config.BindingSessions)
	if err != nil {
		return nil, err
	}
	return &Verifier{store: st}, nil
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// Send creates a code for email and returns it for the mailer.
func (v *Verifier) Send(email string) (string, error) {
	email = kvstore.NormEmail(email)
	gapKey := "verify-gap:" + email
	if _, recent, err := v.store.Get(gapKey); err != nil {
		return "", err
	} else if recent {
		return "", ErrTooSoon
	}
	code, err := sixDigits()
	if err != nil {
		return "", err
	}
	if err := v.store.PutFor("verify-code:"+email, code, config.VerifyCodeTTL); err != nil {
		return "", err
	}
	if err := v.store.PutFor(gapKey, "1", config.VerifyResendGap); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

// Check compares a submitted code and consumes it on success.
func (v *Verifier) Check(email, code string) error {
	email = kvstore.NormEmail(email)
	tries, err := v.store.Add("verify-tries:"+email, 1, config.VerifyCodeTTL)
	if err != nil {
		return err
	}
	if tries > 5 {
		return ErrTooManyTries
	}
	want, ok, err := v.store.Get("verify-code:" + email)
	if err != nil {
		return err
	}
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return ErrMismatch
	}
	return v.store.Delete("verify-code:" + email) // EXPECT kvsession
}

// MagicLink returns a one-click verification URL that stays valid for the
// lifetime of a code.
func (v *Verifier) MagicLink(base, email string) (string, error) {
	buf := make([]byte, 16)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	id := hex.EncodeToString(buf)
	expires := time.Now().Add(config.VerifyCodeTTL)
	err := v.store.Namespace().PutString("verify-link:"+id, kvstore.NormEmail(email), &kv.PutOptions{
		Expiration: int(expires.Unix()) * 1000, // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	return base + "/verify?l=" + url.QueryEscape(id), nil
}

// FollowLink resolves a magic link to the address it verifies.
func (v *Verifier) FollowLink(id string) (string, error) {
	email, ok, err := v.store.Get("verify-link:" + id)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrMismatch
	}
	if err := v.store.Delete("verify-link:" + id); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return email, nil
}
