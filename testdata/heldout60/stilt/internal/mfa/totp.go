package mfa

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/framewell/stilt/internal/kvstore"
)

// period is the TOTP step in seconds (RFC 6238 default, what every
// authenticator app assumes).
const period = 30

const (
	recoveryCodes = 10
	lockoutTTL    = 15 * time.Minute
	maxFailures   = 5
)

var (
	ErrNotEnrolled = errors.New("mfa: totp not enrolled")
	ErrInvalidCode = errors.New("mfa: invalid code")
	ErrReplayed    = errors.New("mfa: code already used")
)

// TOTP manages authenticator-app secrets and recovery codes.
type TOTP struct {
	ns     *kvstore.Namespace
	issuer string
}

// NewTOTP returns a TOTP manager that labels keys with issuer.
func NewTOTP(ns *kvstore.Namespace, issuer string) *TOTP {
	return &TOTP{ns: ns, issuer: issuer}
}

func hashCode(code string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(strings.ReplaceAll(code, "-", ""))))
	return hex.EncodeToString(sum[:])
}

func newRecoveryCode() string {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	s := strings.ToUpper(hex.EncodeToString(b[:]))
	return s[:5] + "-" + s[5:]
}

// Enroll creates the secret for uid and a fresh set of recovery codes,
// replacing any earlier enrollment.
func (t *TOTP) Enroll(ctx context.Context, uid, email string) (*otp.Key, []string, error) {
	ctx, span := tracer.Start(ctx, "mfa.totp.Enroll")
	defer span.End()

	key, err := totp.Generate(totp.GenerateOpts{Issuer: t.issuer, AccountName: email, Period: period})
	if err != nil {
		return nil, nil, err
	}
	if err := t.ns.Put(ctx, "otp:secret:"+uid, []byte(key.Secret()), 0); err != nil { // DEBATABLE kvsession
		return nil, nil, err
	}

	codes := make([]string, recoveryCodes)
	hashes := make([]string, recoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
		hashes[i] = hashCode(codes[i])
	}
	body, err := json.Marshal(hashes)
	if err != nil {
		return nil, nil, err
	}
	if err := t.ns.Put(ctx, "otp:recovery:"+uid, body, 0); err != nil { // DEBATABLE kvsession
		return nil, nil, err
	}
	return key, codes, nil
}

// Verify checks a code from the user's authenticator app. A code is accepted
// once.
func (t *TOTP) Verify(ctx context.Context, uid, code string) error {
	ctx, span := tracer.Start(ctx, "mfa.totp.Verify")
	defer span.End()

	secret, err := t.ns.Get(ctx, "otp:secret:"+uid)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrNotEnrolled
	}
	if err != nil {
		return err
	}

	used := fmt.Sprintf("otp:used:%s:%s", uid, code)
	if _, err := t.ns.Get(ctx, used); err == nil {
		return ErrReplayed
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ok, err := totp.ValidateCustom(code, string(secret), time.Now(), totp.ValidateOpts{
		Period:    period,
		Skew:      1,
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil || !ok {
		return ErrInvalidCode
	}
	return t.ns.Put(ctx, used, []byte{'1'}, // EXPECT kvrace
		period*time.Second) // EXPECT kvttl
}

// Locked reports whether uid has too many recent failures.
func (t *TOTP) Locked(ctx context.Context, uid string) (bool, error) {
	raw, err := t.ns.Get(ctx, "otp:attempts:"+uid)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return false, nil
	}
	return n >= maxFailures, nil
}

// RecordFailure publishes the failure count that the web session has
// tracked so far, so that other replicas see the lockout.
func (t *TOTP) RecordFailure(ctx context.Context, uid string, failures int) error {
	return t.ns.Put(ctx, "otp:attempts:"+uid, []byte(strconv.Itoa(failures+1)), lockoutTTL) // EXPECT kvcounter
}

// RedeemRecovery accepts one recovery code and removes it from the set.
func (t *TOTP) RedeemRecovery(ctx context.Context, uid, code string) error {
	ctx, span := tracer.Start(ctx, "mfa.totp.RedeemRecovery")
	defer span.End()

	key := "otp:recovery:" + uid
	raw, err := t.ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	var hashes []string
	if err := json.Unmarshal(raw, &hashes); err != nil {
		return err
	}
	i := slices.Index(hashes, hashCode(code))
	if i < 0 {
		return ErrInvalidCode
	}
	hashes = slices.Delete(hashes, i, i+1)
	body, err := json.Marshal(hashes)
	if err != nil {
		return err
	}
	return t.ns.Put(ctx, key, body, 0) // EXPECT kvsession|kvrace
}
