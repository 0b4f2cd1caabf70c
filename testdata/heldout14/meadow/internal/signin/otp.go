package signin

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"example.com/meadow/internal/storage"
)

var (
	ErrTooManyAttempts = errors.New("signin: too many sign-in attempts, try later")
	ErrBadCode         = errors.New("signin: wrong or expired code")
)

// OTP sends six-digit sign-in codes for users who cannot receive links.
type OTP struct {
	Store   storage.Store
	Window  time.Duration
	MaxHits int
	Clock   func() time.Time
}

func emailHash(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:16])
}

// Issue creates a code for email, refusing when the address has asked for too
// many codes within the window.
func (o OTP) Issue(ctx context.Context, email string) (string, error) {
	if err := o.note(ctx, email); err != nil {
		return "", err
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	err = o.Store.Put(ctx, "otp/"+emailHash(email), []byte(code), storage.PutOptions{
		ExpireAt: time.Now().Add(45 * time.Second), // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	return code, nil
}

// Check compares code with the stored one. Codes are not deleted; they expire.
func (o OTP) Check(ctx context.Context, email, code string) error {
	want, err := o.Store.Get(ctx, "otp/"+emailHash(email))
	if storage.IsNotFound(err) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		return ErrBadCode
	}
	return nil
}

// note records one request in the address's sliding window.
func (o OTP) note(ctx context.Context, email string) error {
	key := "signin-hits/" + emailHash(email)
	var hits []int64
	b, err := o.Store.Get(ctx, key)
	switch {
	case err == nil:
		_ = json.Unmarshal(b, &hits)
	case !storage.IsNotFound(err):
		return err
	}
	now := o.Clock()
	cutoff := now.Add(-o.Window).Unix()
	kept := hits[:0]
	for _, h := range hits {
		if h > cutoff {
			kept = append(kept, h)
		}
	}
	if len(kept) >= o.MaxHits {
		return ErrTooManyAttempts
	}
	kept = append(kept, now.Unix())
	out, _ := json.Marshal(kept)
	return o.Store.Put(ctx, key, out, storage.PutOptions{TTL: max(o.Window, time.Minute)}) // EXPECT kvcounter|kvrace
}
