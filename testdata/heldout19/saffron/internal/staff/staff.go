//go:build js && wasm

// Package staff authenticates restaurant staff: password logins, SSO through
// the group's identity provider, and the session records behind them.
package staff

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/saffron/internal/config"
	"example.com/saffron/internal/edgekv"
	"example.com/saffron/internal/keys"
	"github.com/syumai/workers/cloudflare/kv"
)

var now = time.Now

var (
	ErrLocked       = errors.New("staff: too many failed logins, try again later")
	ErrBadLogin     = errors.New("staff: unknown email or wrong password")
	ErrNoSession    = errors.New("staff: no such session")
	ErrStateExpired = errors.New("staff: sign-in took too long, start again")
)

// Member is a staff directory entry.
type Member struct {
	ID           string   `json:"id"`
	Role         string   `json:"role"`
	Restaurants  []string `json:"restaurants"`
	PasswordHash string   `json:"password_hash"`
}

// Session is a signed-in staff member.
type Session struct {
	ID         string    `json:"id"`
	StaffID    string    `json:"staff_id"`
	Role       string    `json:"role"`
	Restaurant string    `json:"restaurant"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	LastSeen   time.Time `json:"last_seen"`
}

// Hasher checks passwords against stored hashes.
type Hasher interface {
	Verify(hash, password string) bool
}

// Auth is the staff authentication service.
type Auth struct {
	sessions  func() (*kv.Namespace, error)
	directory func() (*kv.Namespace, error)
	revoked   func() (*edgekv.Client, error)
	hasher    Hasher
	cfg       func() *config.Config
	idp       IdentityProvider
}

// NewAuth wires the service to its bindings.
func NewAuth(sessionsBinding, directoryBinding string, hasher Hasher, idp IdentityProvider, cfg func() *config.Config) *Auth {
	return &Auth{
		sessions:  sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(sessionsBinding) }),
		directory: sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(directoryBinding) }),
		revoked:   sync.OnceValues(func() (*edgekv.Client, error) { return edgekv.Open(sessionsBinding) }),
		hasher:    hasher,
		cfg:       cfg,
		idp:       idp,
	}
}

// Login checks a password and opens a session.
func (a *Auth) Login(ctx context.Context, email, password, restaurant string) (Session, error) {
	ns, err := a.sessions()
	if err != nil {
		return Session{}, err
	}
	email = strings.ToLower(strings.TrimSpace(email))
	attemptKey := "login-attempts:" + email
	raw, err := ns.GetString(attemptKey, nil)
	if err != nil {
		return Session{}, err
	}
	failures := 0
	if raw != "<null>" {
		failures, _ = strconv.Atoi(raw)
	}
	if failures >= a.cfg().MaxLoginAttempts {
		return Session{}, ErrLocked
	}
	m, found, err := a.member(email)
	if err != nil {
		return Session{}, err
	}
	if !found || !a.hasher.Verify(m.PasswordHash, password) || !worksAt(m, restaurant) {
		if err := ns.PutString(attemptKey, strconv.Itoa(failures+1), &kv.PutOptions{ExpirationTTL: 900}); err != nil { // EXPECT kvcounter
			return Session{}, err
		}
		return Session{}, ErrBadLogin
	}
	if failures > 0 {
		_ = ns.Delete(attemptKey)
	}
	return a.open(ns, m, restaurant)
}

func (a *Auth) open(ns *kv.Namespace, m Member, restaurant string) (Session, error) {
	ttl := a.cfg().SessionTTL
	s := Session{
		ID:         randomToken(32),
		StaffID:    m.ID,
		Role:       m.Role,
		Restaurant: restaurant,
		CreatedAt:  now().UTC(),
		ExpiresAt:  now().Add(ttl).UTC(),
		LastSeen:   now().UTC(),
	}
	b, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	if err := ns.PutString(keys.StaffSession(s.ID), string(b), &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil {
		return Session{}, fmt.Errorf("staff: open session: %w", err)
	}
	return s, nil
}

// Logout ends a session.
func (a *Auth) Logout(ctx context.Context, id string) error {
	ns, err := a.sessions()
	if err != nil {
		return err
	}
	return ns.Delete(keys.StaffSession(id)) // EXPECT kvsession
}

// RevokeAll blocks the listed sessions, e.g. after a password change.
func (a *Auth) RevokeAll(ctx context.Context, sessionIDs []string, reason string) error {
	rv, err := a.revoked()
	if err != nil {
		return err
	}
	ttl := a.cfg().SessionTTL
	var errs []error
	for _, sid := range sessionIDs {
		err := rv.Write("staff-revoked:" + sid).Value(reason).TTL(ttl).Do(ctx) // EXPECT kvsession
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Directory returns the e-mail addresses of all staff.
func (a *Auth) Directory(ctx context.Context) ([]string, error) {
	ns, err := a.directory()
	if err != nil {
		return nil, err
	}
	res, err := ns.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "staff:",
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		out = append(out, strings.TrimPrefix(k.Name, "staff:"))
	}
	return out, nil
}

func (a *Auth) member(email string) (Member, bool, error) {
	ns, err := a.directory()
	if err != nil {
		return Member{}, false, err
	}
	raw, err := ns.GetString("staff:"+email, &kv.GetOptions{
		CacheTTL: 45, // DEBATABLE kvttl
	})
	if err != nil {
		return Member{}, false, err
	}
	if raw == "<null>" {
		return Member{}, false, nil
	}
	var m Member
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return Member{}, false, err
	}
	return m, true, nil
}

func worksAt(m Member, restaurant string) bool {
	if m.Role == "owner" {
		return true
	}
	return slices.Contains(m.Restaurants, restaurant)
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
