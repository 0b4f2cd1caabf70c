//go:build js && wasm

// Package listeners handles listener accounts: password and emailed-code
// sign-in, sessions for the web player, refresh tokens for the apps, and
// playback progress.
package listeners

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/queues"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

type Account struct {
	ListenerID   string    `json:"listener_id"`
	Email        string    `json:"email"`
	PasswordHash string    `json:"password_hash"`
	Salt         string    `json:"salt"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

type Session struct {
	ID         string    `json:"id"`
	ListenerID string    `json:"listener_id"`
	Email      string    `json:"email"`
	Device     string    `json:"device"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
}

type RefreshRecord struct {
	ListenerID string    `json:"listener_id"`
	Device     string    `json:"device"`
	JTI        string    `json:"jti"`
	IssuedAt   time.Time `json:"issued_at"`
}

// Auth is built per request around the AUTH namespace.
type Auth struct {
	Store *kv.Store
	Cfg   config.Config
}

func hashPassword(password, salt string) string {
	sum := sha256.Sum256([]byte(salt + ":" + password))
	return hex.EncodeToString(sum[:])
}

func (a Account) check(password string) bool {
	got := hashPassword(password, a.Salt)
	return subtle.ConstantTimeCompare([]byte(got), []byte(a.PasswordHash)) == 1
}

// newSession creates a session with a fresh ID and indexes it under the
// listener so that a password change can find it.
func (a Auth) newSession(listenerID, email, device string) (Session, error) {
	now := time.Now().UTC()
	s := Session{ID: httpx.RandomID(32), ListenerID: listenerID, Email: email, Device: device, CreatedAt: now, LastSeen: now}
	if err := a.Store.PutJSON(keys.Session(s.ID), s, a.Cfg.SessionTTL); err != nil {
		return s, err
	}
	return s, a.Store.Put(keys.ListenerSession(listenerID, s.ID), device, a.Cfg.SessionTTL)
}

// current resolves the session cookie. Sessions slide: a session used after
// a quiet minute gets its LastSeen and lifetime renewed.
func (a Auth) current(r *http.Request) (Session, bool, error) {
	var s Session
	id := httpx.SessionCookie(r)
	if id == "" {
		return s, false, nil
	}
	ok, err := a.Store.GetJSON(keys.Session(id), &s)
	if err != nil || !ok {
		return s, false, err
	}
	if time.Since(s.LastSeen) > time.Minute {
		s.LastSeen = time.Now().UTC()
		if err := a.Store.PutJSON(keys.Session(id), s, a.Cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
			return s, false, err
		}
	}
	return s, true, nil
}

// allowLogin counts password attempts per IP over the login window.
func (a Auth) allowLogin(ip string) (bool, error) {
	key := keys.LoginRate(ip, time.Now(), a.Cfg.LoginWindow)
	raw, ok, err := a.Store.Get(key)
	if err != nil {
		return false, err
	}
	attempts := 0
	if ok {
		attempts, _ = strconv.Atoi(raw)
	}
	if attempts >= a.Cfg.LoginMaxAttempts {
		return false, nil
	}
	return true, a.Store.Put(key, strconv.Itoa(attempts+1), a.Cfg.LoginWindow) // EXPECT kvcounter|kvrace
}

// revokeOthers ends every session of the listener except keep.
func (a Auth) revokeOthers(listenerID, keep string) (int, error) {
	prefix := keys.ListenerSessions(listenerID)
	cursor, revoked := "", 0
	for page := 0; page < 5; page++ {
		p, err := a.Store.ListPage(prefix, cursor, 2000) // EXPECT kvlimits
		if err != nil {
			return revoked, err
		}
		for _, k := range p.Keys {
			id := strings.TrimPrefix(k, prefix)
			if id == keep {
				continue
			}
			if err := a.Store.Delete(keys.Session(id)); err != nil { // EXPECT kvsession
				return revoked, err
			}
			revoked++
		}
		if p.Complete {
			break
		}
		cursor = p.Cursor
	}
	return revoked, nil
}

// rotateRefresh swaps a refresh token for a new one and puts the access
// token it backed on the revocation list.
func (a Auth) rotateRefresh(old string) (string, RefreshRecord, error) {
	var rec RefreshRecord
	ok, err := a.Store.GetJSON(keys.RefreshToken(old), &rec)
	if err != nil {
		return "", rec, err
	}
	if !ok {
		return "", rec, errUnknownToken
	}
	next := rec
	next.JTI = httpx.RandomID(16)
	next.IssuedAt = time.Now().UTC()
	token := httpx.RandomID(32)
	if err := a.Store.PutJSON(keys.RefreshToken(token), next, a.Cfg.RefreshTTL); err != nil {
		return "", rec, err
	}
	if err := a.Store.Delete(keys.RefreshToken(old)); err != nil { // EXPECT kvsession
		return "", rec, err
	}
	if err := a.Store.Put(keys.Revoked(rec.JTI), rec.ListenerID, time.Hour); err != nil { // EXPECT kvsession
		return "", rec, err
	}
	return token, next, nil
}

var errUnknownToken = fmt.Errorf("listeners: unknown refresh token")

// sendMail hands a templated message to the mailer queue.
func sendMail(to, template string, vars map[string]any) error {
	q, err := queues.NewProducer("MAIL_OUTBOX")
	if err != nil {
		return err
	}
	return q.SendJSON(map[string]any{"to": to, "template": template, "vars": vars})
}
