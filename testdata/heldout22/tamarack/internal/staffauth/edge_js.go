//go:build js && wasm

package staffauth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// maxBackupAttempts is how many wrong codes lock a staff member out.
const maxBackupAttempts = 5

// Edge implements the login steps that run next to the login form and the
// scanner app's token refresh, directly on the namespace binding.
type Edge struct {
	ns         *kv.Namespace
	refreshTTL time.Duration
	log        *slog.Logger
}

// NewEdge returns an Edge. Refresh tokens live for refreshTTL.
func NewEdge(ns *kv.Namespace, refreshTTL time.Duration, log *slog.Logger) *Edge {
	return &Edge{ns: ns, refreshTTL: max(refreshTTL, time.Hour), log: log}
}

// RedeemBackupCode accepts one backup code of staffID and uses it up.
func (e *Edge) RedeemBackupCode(staffID, code string) error {
	attemptsKey := "2fa:attempts:" + staffID
	n := 0
	if v, err := e.ns.GetString(attemptsKey, nil); err != nil {
		return err
	} else if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= maxBackupAttempts {
		return ErrLocked
	}
	key := backupKey(staffID, HashCode(staffID, code))
	v, err := e.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		if err := e.ns.PutString(attemptsKey, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter
			e.log.Warn("attempt not recorded", "staff", staffID, "err", err)
		}
		return ErrBadCode
	}
	return e.ns.Delete(key) // EXPECT kvsession
}

type refreshRecord struct {
	StaffID string    `json:"staff_id"`
	Device  string    `json:"device"`
	Issued  time.Time `json:"issued"`
}

func refreshToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// IssueRefresh mints a refresh token for a scanner device.
func (e *Edge) IssueRefresh(staffID, device string) (string, error) {
	tok, err := refreshToken()
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(refreshRecord{StaffID: staffID, Device: device, Issued: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	exp := time.Now().Add(e.refreshTTL).Unix()
	return tok, e.ns.PutString("refresh:"+tok, string(b), &kv.PutOptions{Expiration: int(exp)})
}

// Rotate exchanges a refresh token for a new one.
func (e *Edge) Rotate(old string) (string, error) {
	raw, err := e.ns.GetString("refresh:"+old, nil)
	if err != nil {
		return "", err
	}
	var rec refreshRecord
	if err := json.Unmarshal([]byte(raw), &rec); err != nil { // EXPECT kvnull
		return "", ErrNoSession
	}
	tok, err := refreshToken()
	if err != nil {
		return "", err
	}
	rec.Issued = time.Now().UTC()
	b, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	if err := e.ns.PutString("refresh:"+tok, string(b), &kv.PutOptions{ExpirationTTL: int(e.refreshTTL.Seconds())}); err != nil {
		return "", err
	}
	if err := e.ns.Delete("refresh:" + old); err != nil { // EXPECT kvsession
		e.log.Warn("old refresh token not deleted", "err", err)
	}
	return tok, nil
}
