// Package recovery manages one-time recovery codes that let a driver move the
// app to a new phone when the enrolled device is lost.
package recovery

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/caravan/internal/storage"
)

const (
	codesPerDevice = 10
	maxAttempts    = 5
	lockout        = 15 * time.Minute
)

// Errors returned to the HTTP layer.
var (
	ErrWrongCode = errors.New("recovery: code not recognised")
	ErrLocked    = errors.New("recovery: too many attempts, try again later")
)

func codeKey(device, code string) string {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	sum := sha256.Sum256([]byte(device + "\x00" + code))
	return "rc:" + device + ":" + hex.EncodeToString(sum[:12])
}

func attemptsKey(device string) string { return "rc-attempts:" + device }

// Enroll creates a fresh set of codes for device and returns them for display
// once; only hashes are stored, each holding the driver ID.
func Enroll(ctx context.Context, st storage.Store, driver, device string) ([]string, error) {
	codes := make([]string, codesPerDevice)
	items := make([]storage.Item, codesPerDevice)
	for i := range codes {
		raw := rand.Text()[:10]
		codes[i] = raw[:5] + "-" + raw[5:]
		items[i] = storage.Item{Key: codeKey(device, codes[i]), Value: []byte(driver)}
	}
	if err := storage.PutAll(ctx, st, items); err != nil {
		return nil, fmt.Errorf("recovery: enroll %s: %w", device, err)
	}
	return codes, nil
}

func attempts(ctx context.Context, st storage.Reader, device string) (int, error) {
	raw, err := st.Get(ctx, attemptsKey(device))
	if storage.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

func recordFailure(ctx context.Context, st storage.Store, device string) error {
	n, err := attempts(ctx, st, device)
	if err != nil {
		return err
	}
	return st.Put(ctx, attemptsKey(device), []byte(strconv.Itoa(n+1)), lockout) // EXPECT kvcounter
}

// Redeem consumes code for device and returns the driver it belongs to.
func Redeem(ctx context.Context, st storage.Store, device, code string) (string, error) {
	if n, err := attempts(ctx, st, device); err != nil || n >= maxAttempts {
		return "", cmp.Or(err, ErrLocked)
	}
	key := codeKey(device, code)
	driver, err := st.Get(ctx, key)
	if storage.IsNotFound(err) {
		return "", errors.Join(ErrWrongCode, recordFailure(ctx, st, device))
	}
	if err != nil {
		return "", err
	}
	if err := st.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(driver), nil
}
