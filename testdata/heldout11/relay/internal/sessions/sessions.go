// Package sessions manages web login sessions, long-lived device tokens for
// the mobile apps, e-mail magic links and failed-login lockout.
package sessions

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
	"example.com/relay/internal/typed"
)

// Session is one signed-in browser.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	DeviceID string    `json:"device_id,omitempty"`
	IP       string    `json:"ip,omitempty"`
	LastSeen time.Time `json:"last_seen"`
	Expires  time.Time `json:"expires"`
}

var (
	// ErrNoSession means the session, token or link is unknown or expired.
	ErrNoSession = errors.New("sessions: not signed in")
	// ErrLocked means too many failed logins for this address.
	ErrLocked = errors.New("sessions: too many failed attempts")
)

// Options configure a Manager.
type Options struct {
	SessionTTL, DeviceTTL, MagicLinkTTL, LockoutWindow time.Duration
	MaxAttempts                                        int
}

// Manager is the session service.
type Manager struct {
	sessions *typed.Store[Session]
	attempts *typed.Store[int]
	ns       cfns.Namespace
	opt      Options
}

const maxRevokePages = 20

// NewManager returns a manager writing sessions through st and device tokens
// and magic links directly to ns.
func NewManager(st store.Store, ns cfns.Namespace, opt Options) *Manager {
	if opt.MagicLinkTTL < time.Minute {
		opt.MagicLinkTTL = 15 * time.Minute
	}
	if opt.LockoutWindow < time.Minute {
		opt.LockoutWindow = 15 * time.Minute
	}
	opt.MaxAttempts = max(opt.MaxAttempts, 3)
	return &Manager{
		sessions: typed.New[Session](st, kvkey.Sessions, typed.JSON[Session]{}),
		attempts: typed.New[int](st, kvkey.New("login", "attempts"), typed.Int{}),
		ns:       ns,
		opt:      opt,
	}
}

func randomID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create signs userID in and returns the new session.
func (m *Manager) Create(ctx context.Context, userID, deviceID, ip string) (*Session, error) {
	now := time.Now().UTC()
	s := Session{ID: randomID(), UserID: userID, DeviceID: deviceID, IP: ip, LastSeen: now, Expires: now.Add(m.opt.SessionTTL)}
	if err := m.sessions.Put(ctx, s.ID, s, store.WithTTL(m.opt.SessionTTL)); err != nil {
		return nil, fmt.Errorf("sessions: create: %w", err)
	}
	return &s, nil
}

// Authenticate returns the live session id and slides its expiry forward so
// that active users stay signed in.
func (m *Manager) Authenticate(ctx context.Context, id string) (*Session, error) {
	s, ok, err := m.sessions.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	if !ok || !s.Expires.After(now) {
		return nil, ErrNoSession
	}
	if now.Sub(s.LastSeen) < time.Minute {
		return &s, nil
	}
	s.LastSeen, s.Expires = now, now.Add(m.opt.SessionTTL)
	if err := m.sessions.Put(ctx, s.ID, s, store.WithTTL(m.opt.SessionTTL)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &s, nil
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id string) error {
	return m.sessions.Delete(ctx, id) // EXPECT kvsession
}

func attemptsID(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(sum[:12])
}

// CheckLocked returns ErrLocked if email is locked out.
func (m *Manager) CheckLocked(ctx context.Context, email string) error {
	n, _, err := m.attempts.Lookup(ctx, attemptsID(email))
	if err == nil && n >= m.opt.MaxAttempts {
		return ErrLocked
	}
	return err
}

// RecordFailure counts a failed login for email.
func (m *Manager) RecordFailure(ctx context.Context, email string) error {
	id := attemptsID(email)
	n, _, err := m.attempts.Lookup(ctx, id)
	if err != nil {
		return err
	}
	n++
	if err := m.attempts.Put(ctx, id, n, store.WithTTL(m.opt.LockoutWindow)); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= m.opt.MaxAttempts {
		return ErrLocked
	}
	return nil
}

func deviceKey(userID, token string) string {
	return kvkey.User(kvkey.Devices, userID).Child(token).String()
}

// IssueDeviceToken mints a token for one of userID's mobile devices.
func (m *Manager) IssueDeviceToken(ctx context.Context, userID, name string) (string, error) {
	tok := randomID()
	_, err := m.ns.Client.KV.Namespaces.Values.Update(ctx, m.ns.ID, deviceKey(userID, tok), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(m.ns.AccountID),
		Value:         cloudflare.F(name),
		ExpirationTTL: cloudflare.F(float64(m.opt.DeviceTTL)), // EXPECT kvttl
	})
	if err != nil {
		return "", fmt.Errorf("sessions: issue device token: %w", err)
	}
	return tok, nil
}

// RevokeDevices signs every mobile device of userID out, e.g. after a
// password change.
func (m *Manager) RevokeDevices(ctx context.Context, userID string) (int, error) {
	revoked := 0
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.ns.AccountID),
		Prefix:    cloudflare.F(kvkey.User(kvkey.Devices, userID).Prefix()),
		Limit:     cloudflare.F(1000.0),
	}
	for page := 0; page < maxRevokePages; page++ {
		res, err := m.ns.Client.KV.Namespaces.Keys.List(ctx, m.ns.ID, params)
		if err != nil {
			return revoked, err
		}
		for _, k := range res.Result {
			_, err := m.ns.Client.KV.Namespaces.Values.Delete(ctx, m.ns.ID, k.Name, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
				AccountID: cloudflare.F(m.ns.AccountID),
			})
			if err != nil && !cfns.IsNotFound(err) {
				return revoked, err
			}
			revoked++
		}
		if res.ResultInfo.Cursor == "" {
			return revoked, nil
		}
		params.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return revoked, fmt.Errorf("sessions: %s has more than %d pages of devices", userID, maxRevokePages)
}

func magicKey(code string) string { return kvkey.Sessions.Child("magic", code).String() }

// StartMagicLink returns a one-time sign-in code for userID.
func (m *Manager) StartMagicLink(ctx context.Context, userID string) (string, error) {
	code := randomID()
	_, err := m.ns.Client.KV.Namespaces.Values.Update(ctx, m.ns.ID, magicKey(code), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(m.ns.AccountID),
		Value:         cloudflare.F(userID),
		ExpirationTTL: cloudflare.F(m.opt.MagicLinkTTL.Seconds()),
	})
	return code, err
}

// ConsumeMagicLink redeems code and returns the user it signs in.
func (m *Manager) ConsumeMagicLink(ctx context.Context, code string) (string, error) {
	key := magicKey(code)
	res, err := m.ns.Client.KV.Namespaces.Values.Get(ctx, m.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(m.ns.AccountID),
	})
	if cfns.IsNotFound(err) {
		return "", ErrNoSession
	}
	if err != nil {
		return "", err
	}
	userID, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return "", err
	}
	if _, err := m.ns.Client.KV.Namespaces.Values.Delete(ctx, m.ns.ID, key, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(m.ns.AccountID),
	}); err != nil {
		return "", err
	}
	return string(userID), nil
}
