package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/pquerna/otp/totp"

	"github.com/forumworks/guillemot/internal/kv"
)

const recoveryCodeCount = 10

func totpKey(uid string) string        { return "totp:" + uid }
func totpPendingKey(uid string) string { return "totp-pending:" + uid }
func recoveryPrefix(uid string) string { return "recovery:" + uid + ":" }

func recoveryKey(uid, code string) string {
	norm := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	sum := sha256.Sum256([]byte(uid + ":" + norm))
	return recoveryPrefix(uid) + hex.EncodeToString(sum[:16])
}

// totpSecret returns the account's TOTP secret and whether it has one.
func (s *Service) totpSecret(ctx context.Context, uid string) (string, bool, error) {
	raw, err := s.ns.Get(ctx, totpKey(uid))
	if errors.Is(err, kv.ErrNotFound) {
		return "", false, nil
	}
	return string(raw), err == nil, err
}

// EnrollTOTP handles POST /account/totp: it creates a secret that becomes
// active once the member confirms a code from it.
func (s *Service) EnrollTOTP(w http.ResponseWriter, r *http.Request) error {
	_, acct, err := s.currentAccount(r)
	if err != nil {
		return err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Guillemot Forum", AccountName: acct.Email, Period: totpPeriod})
	if err != nil {
		return err
	}
	if err := s.ns.Put(r.Context(), totpPendingKey(acct.ID), []byte(key.Secret()), 10*time.Minute); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"otpauth_url": key.URL()})
}

// ConfirmTOTP handles POST /account/totp/confirm and returns fresh recovery
// codes.
func (s *Service) ConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx, span := tracer.Start(r.Context(), "auth.confirm_totp")
	defer span.End()
	_, acct, err := s.currentAccount(r)
	if err != nil {
		return err
	}
	secret, err := s.ns.Get(ctx, totpPendingKey(acct.ID))
	if errors.Is(err, kv.ErrNotFound) {
		return fail(http.StatusGone, "enrolment expired", err)
	} else if err != nil {
		return err
	}
	if !totp.Validate(r.PostFormValue("code"), string(secret)) {
		return fail(http.StatusUnauthorized, "invalid code", nil)
	}
	if err := s.ns.Put(ctx, totpKey(acct.ID), secret, 0); err != nil {
		return err
	}
	if err := s.ns.Delete(ctx, totpPendingKey(acct.ID)); err != nil { // DEBATABLE kvsession
		span.RecordError(err)
	}
	codes, err := s.issueRecoveryCodes(ctx, acct.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
}

func newRecoveryCode() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	c := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
	return c[:8] + "-" + c[8:]
}

// issueRecoveryCodes stores a new set of codes, one key per code.
func (s *Service) issueRecoveryCodes(ctx context.Context, uid string) ([]string, error) {
	codes := make([]string, recoveryCodeCount)
	pairs := make([]*cloudflare.WorkersKVPair, 0, recoveryCodeCount)
	issued := time.Now().UTC().Format(time.RFC3339)
	for i := range codes {
		codes[i] = newRecoveryCode()
		pairs = append(pairs, &cloudflare.WorkersKVPair{Key: recoveryKey(uid, codes[i]), Value: issued})
	}
	return codes, s.ns.PutMany(ctx, pairs)
}

// RedeemRecoveryCode handles POST /login/recovery, the alternative to a TOTP
// code in the second step of a sign-in.
func (s *Service) RedeemRecoveryCode(w http.ResponseWriter, r *http.Request) error {
	uid, err := s.pendingUID(r)
	if err != nil {
		return err
	}
	key := recoveryKey(uid, r.PostFormValue("code"))
	if _, err := s.ns.Get(r.Context(), key); errors.Is(err, kv.ErrNotFound) {
		return fail(http.StatusUnauthorized, "invalid code", nil)
	} else if err != nil {
		return err
	}
	if err := s.ns.Delete(r.Context(), key); err != nil { // EXPECT kvsession
		return err
	}
	return s.completeMFA(w, r, uid)
}

// RecoveryCodesLeft handles GET /account/recovery-codes.
func (s *Service) RecoveryCodesLeft(w http.ResponseWriter, r *http.Request) error {
	_, acct, err := s.currentAccount(r)
	if err != nil {
		return err
	}
	page, err := s.ns.ListPage(r.Context(), recoveryPrefix(acct.ID), "", 2*recoveryCodeCount) // DEBATABLE kvlist
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"remaining": len(page.Keys)})
}
