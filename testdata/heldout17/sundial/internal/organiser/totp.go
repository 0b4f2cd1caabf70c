package organiser

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/sundial/internal/codec"
	"example.com/sundial/internal/keys"
	"example.com/sundial/internal/storage"
)

// totpStepSeconds is the RFC 6238 time step used by authenticator apps.
const totpStepSeconds = 30

// recoveryCodeCount is how many recovery codes an organiser receives.
const recoveryCodeCount = 10

// totpCode computes the six-digit code for secret at counter.
func totpCode(secret []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac := hmac.New(sha1.New, secret)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", bin%1_000_000)
}

// totpValid accepts the code of the current step and of one step either side.
func totpValid(secret []byte, code string, now time.Time) bool {
	step := uint64(now.Unix() / totpStepSeconds)
	for _, c := range []uint64{step - 1, step, step + 1} {
		if subtle.ConstantTimeCompare([]byte(totpCode(secret, c)), []byte(code)) == 1 {
			return true
		}
	}
	return false
}

// VerifyTOTP checks a second-factor code and refuses to accept it twice.
func (s *Service) VerifyTOTP(ctx context.Context, o Organiser, code string) error {
	if !totpValid(o.TOTPSecret, code, s.clock.Now()) {
		return ErrWrongCode
	}
	used := "totp-used:" + o.ID + ":" + code
	if _, err := s.st.Get(ctx, used); err == nil {
		return ErrCodeReused
	} else if !storage.IsNotFound(err) {
		return err
	}
	return s.st.Put(ctx, used, []byte("1"), storage.PutOptions{ // EXPECT kvsession|kvrace
		TTL: time.Duration(totpStepSeconds) * time.Second, // EXPECT kvttl
	})
}

// GenerateRecoveryCodes replaces an organiser's recovery codes and returns
// the new codes in clear, to be shown once.
func (s *Service) GenerateRecoveryCodes(ctx context.Context, organiserID string) ([]string, error) {
	codes := make([]string, recoveryCodeCount)
	hashes := make([]string, recoveryCodeCount)
	for i := range codes {
		raw := strings.ToLower(rand.Text()[:10])
		codes[i] = raw[:5] + "-" + raw[5:]
		hashes[i] = keys.Hash(organiserID + ":" + codes[i])
	}
	err := storage.PutAs(ctx, s.st, keys.Recovery(organiserID).String(), hashes, codec.Lines{}, storage.PutOptions{})
	return codes, err
}

// RedeemRecoveryCode signs an organiser in with one of their recovery codes,
// which cannot be used again.
func (s *Service) RedeemRecoveryCode(ctx context.Context, o Organiser, code string) (Session, error) {
	k := keys.Recovery(o.ID).String()
	hashes, err := storage.GetAs(ctx, s.st, k, codec.Lines{})
	if storage.IsNotFound(err) {
		return Session{}, ErrCodeExpired
	}
	if err != nil {
		return Session{}, err
	}
	want := keys.Hash(o.ID + ":" + strings.ToLower(strings.TrimSpace(code)))
	i := slices.Index(hashes, want)
	if i < 0 {
		return Session{}, ErrWrongCode
	}
	hashes = slices.Delete(hashes, i, i+1)
	if err := storage.PutAs(ctx, s.st, k, hashes, codec.Lines{}, storage.PutOptions{}); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	s.log.InfoContext(ctx, "recovery code used", "organiser", o.ID, "remaining", len(hashes))
	return s.elevate(ctx, o.ID, o.Tenant)
}
