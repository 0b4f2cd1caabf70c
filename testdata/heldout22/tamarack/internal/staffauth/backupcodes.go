package staffauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"example.com/tamarack/internal/platform/store"
)

var (
	// ErrBadCode is returned for an unknown or used backup code.
	ErrBadCode = errors.New("invalid backup code")
	// ErrLocked is returned after too many failed attempts.
	ErrLocked = errors.New("too many attempts")
)

// backupCodeCount is how many codes a staff member receives.
const backupCodeCount = 10

// HashCode returns the storage form of a backup code.
func HashCode(staffID, code string) string {
	sum := sha256.Sum256([]byte(staffID + ":" + strings.ToUpper(strings.ReplaceAll(code, "-", ""))))
	return hex.EncodeToString(sum[:16])
}

func backupKey(staffID, hash string) string { return "2fa:backup:" + staffID + ":" + hash }

// BackupCodes issues 2FA backup codes. Redemption happens at the edge (see
// Edge.RedeemBackupCode), next to the login form.
type BackupCodes struct {
	st  store.Store
	ttl time.Duration
	log *slog.Logger
}

// NewBackupCodes returns a BackupCodes. Codes expire after ttl.
func NewBackupCodes(st store.Store, ttl time.Duration, log *slog.Logger) *BackupCodes {
	return &BackupCodes{st: st, ttl: ttl, log: log}
}

func randomCode() (string, error) {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := base32.StdEncoding.EncodeToString(b[:])
	return s[:4] + "-" + s[4:], nil
}

// Generate issues a fresh set of codes for staffID and returns them in
// clear text, once. Each code is stored under its own key.
func (b *BackupCodes) Generate(ctx context.Context, staffID string) ([]string, error) {
	codes := make([]string, 0, backupCodeCount)
	var errs []error
	for range backupCodeCount {
		code, err := randomCode()
		if err != nil {
			return nil, err
		}
		issued := time.Now().UTC().Format(time.RFC3339)
		if err := b.st.Put(ctx, backupKey(staffID, HashCode(staffID, code)), issued, store.WithTTL(b.ttl)); err != nil {
			errs = append(errs, err)
			continue
		}
		codes = append(codes, code)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("generate backup codes: %w", err)
	}
	b.log.Info("backup codes issued", "staff", staffID, "count", len(codes))
	return codes, nil
}

// Remaining returns how many unused codes staffID has left. A staff member
// never has more than a page of codes.
func (b *BackupCodes) Remaining(ctx context.Context, staffID string) (int, error) {
	keys, err := store.Collect(ctx, b.st, "2fa:backup:"+staffID+":", 1)
	if errors.Is(err, store.ErrBudgetExceeded) {
		return len(keys), nil
	}
	return len(keys), err
}
