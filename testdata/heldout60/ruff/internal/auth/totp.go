package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/ruffgate/ruff/internal/kv"
)

var (
	ErrBadCode = errors.New("auth: invalid code")
	ErrLocked  = errors.New("auth: too many attempts, try again later")
)

const (
	maxAttempts = 5
	lockout     = 15 * time.Minute
)

// SecondFactor verifies TOTP codes and recovery codes. Enrolment happens in
// the control plane, which writes totp:<user> records.
type SecondFactor struct {
	ns *kv.Namespace
}

func NewSecondFactor(ns *kv.Namespace) *SecondFactor { return &SecondFactor{ns: ns} }

type totpRecord struct {
	Secret   string   `json:"secret"`
	Recovery []string `json:"recovery"` // sha256 hex of each unused code
}

// Verify checks a TOTP code for userID, locking the user out after
// maxAttempts failures.
func (f *SecondFactor) Verify(ctx context.Context, userID, code string) error {
	attemptsKey := "otp-attempts:" + userID
	attempts := 0
	raw, err := f.ns.Get(ctx, attemptsKey)
	switch {
	case err == nil:
		attempts, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kv.ErrNotFound):
		return err
	}
	if attempts >= maxAttempts {
		return ErrLocked
	}
	var rec totpRecord
	if err := getJSON(ctx, f.ns, "totp:"+userID, &rec); err != nil {
		return err
	}
	if totp.Validate(code, rec.Secret) {
		return nil
	}
	_ = f.ns.Put(ctx, attemptsKey, []byte(strconv.Itoa(attempts+1)), lockout) // EXPECT kvcounter|kvrace
	return ErrBadCode
}

// Recover accepts one of userID's recovery codes once.
func (f *SecondFactor) Recover(ctx context.Context, userID, code string) error {
	var rec totpRecord
	if err := getJSON(ctx, f.ns, "totp:"+userID, &rec); err != nil {
		return err
	}
	h := hashCode(strings.ToLower(strings.TrimSpace(code)))
	i := slices.IndexFunc(rec.Recovery, func(c string) bool { return subtle.ConstantTimeCompare([]byte(c), []byte(h)) == 1 })
	if i < 0 {
		return ErrBadCode
	}
	rec.Recovery = slices.Delete(rec.Recovery, i, i+1)
	raw, _ := json.Marshal(rec)
	return f.ns.Put(ctx, "totp:"+userID, raw, 0) // EXPECT kvsession|kvrace
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}
