// Package auth handles console sessions, API keys and brute-force lockout.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/storage"
)

var (
	ErrNoSession = errors.New("auth: no such session")
	ErrBadKey    = errors.New("auth: unknown API key")
)

// Config holds auth tunables, loaded from the environment in cmd/fleet-api.
type Config struct {
	SessionTTL    time.Duration
	FailureWindow time.Duration
	MaxFailures   int
	KeyCacheTTL   time.Duration
}

// Session is a console login.
type Session struct {
	Token    string    `json:"-"`
	UserID   string    `json:"user_id"`
	Tenant   string    `json:"tenant"`
	Method   string    `json:"method"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// IDClaims are the verified claims of an SSO ID token.
type IDClaims struct {
	Subject   string
	Tenant    string
	ExpiresAt time.Time
}

// Sessions stores console sessions in KV.
type Sessions struct {
	sessions *repo.Repo[Session]
	cfg      Config
	log      *slog.Logger
}

// NewSessions returns a session store; sessions expire after cfg.SessionTTL.
func NewSessions(s storage.Store, cfg Config, log *slog.Logger) *Sessions {
	return &Sessions{
		sessions: repo.NewRepo[Session](s, "sess:", repo.WithTTL(cfg.SessionTTL), repo.WithLogger(log)),
		cfg:      cfg,
		log:      log,
	}
}

func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Create starts a password session.
func (s *Sessions) Create(ctx context.Context, userID, tenant string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{Token: newToken(), UserID: userID, Tenant: tenant, Method: "password", Created: now, LastSeen: now}
	if err := s.sessions.Put(ctx, sess.Token, sess); err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return sess, nil
}

// CreateFromIDToken starts an SSO session that ends when the IdP token does.
func (s *Sessions) CreateFromIDToken(ctx context.Context, c IDClaims) (Session, error) {
	now := time.Now().UTC()
	sess := Session{Token: newToken(), UserID: c.Subject, Tenant: c.Tenant, Method: "sso", Created: now, LastSeen: now}
	if err := s.sessions.PutTTL(ctx, sess.Token, sess, time.Until(c.ExpiresAt)); err != nil { // EXPECT kvttl
		return Session{}, fmt.Errorf("create sso session: %w", err)
	}
	return sess, nil
}

// CreateForDevice starts a session for a device console login, bounded by the
// device certificate's validity.
func (s *Sessions) CreateForDevice(ctx context.Context, deviceID, tenant string, certNotAfter time.Time) (Session, error) {
	now := time.Now().UTC()
	sess := Session{Token: newToken(), UserID: "device:" + deviceID, Tenant: tenant, Method: "mtls", Created: now, LastSeen: now}
	ttl := min(time.Until(certNotAfter), s.cfg.SessionTTL)
	ttl = max(ttl, time.Minute)
	if err := s.sessions.PutTTL(ctx, sess.Token, sess, ttl); err != nil {
		return Session{}, fmt.Errorf("create device session: %w", err)
	}
	return sess, nil
}

// Lookup returns the session for token.
func (s *Sessions) Lookup(ctx context.Context, token string) (Session, error) {
	sess, err := s.sessions.Get(ctx, token)
	if errors.Is(err, repo.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	sess.Token = token
	return sess, err
}

// Touch records activity at most every five minutes, extending the session.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	if time.Since(sess.LastSeen) < 5*time.Minute {
		return nil
	}
	cur, err := s.sessions.Get(ctx, sess.Token)
	if err != nil {
		return err
	}
	cur.LastSeen = time.Now().UTC()
	return s.sessions.Put(ctx, sess.Token, cur) // DEBATABLE kvrace
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, token string) error {
	return s.sessions.Delete(ctx, token)
}

// Lockout tracks failed logins per client address.
type Lockout struct {
	store storage.Store
	cfg   Config
}

// NewLockout returns a Lockout over s.
func NewLockout(s storage.Store, cfg Config) *Lockout {
	return &Lockout{store: s, cfg: cfg}
}

func failKey(ip string) string { return "login-fail:" + ip }

// Locked reports whether ip has too many recent failures.
func (l *Lockout) Locked(ctx context.Context, ip string) (bool, error) {
	raw, err := l.store.Get(ctx, failKey(ip))
	if storage.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, _ := strconv.Atoi(string(raw))
	return n >= l.cfg.MaxFailures, nil
}

// RecordFailure counts one failed login for ip.
func (l *Lockout) RecordFailure(ctx context.Context, ip string) error {
	n := 0
	if raw, err := l.store.Get(ctx, failKey(ip)); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !storage.IsNotFound(err) {
		return err
	}
	n++
	return l.store.Set(ctx, failKey(ip), []byte(strconv.Itoa(n)), l.cfg.FailureWindow) // EXPECT kvcounter
}

// Reset clears the failure count after a successful login.
func (l *Lockout) Reset(ctx context.Context, ip string) error {
	return l.store.Set(ctx, failKey(ip), []byte("0"), l.cfg.FailureWindow) // DEBATABLE kvcounter
}

// KeySet is the list of API key hashes a tenant has issued.
type KeySet struct {
	Tenant  string    `json:"tenant"`
	Hashes  []string  `json:"hashes"`
	Rotated time.Time `json:"rotated"`
}

// Keys manages tenant API keys. The source of truth is the accounts database;
// KV holds the per-tenant key set and a lookup cache for the hot path.
type Keys struct {
	sets  *repo.Repo[KeySet]
	cache *repo.Repo[string] // key hash -> tenant
	db    *sql.DB
}

// NewKeys wires the API key store.
func NewKeys(s storage.Store, db *sql.DB, cfg Config) *Keys {
	return &Keys{
		sets:  repo.NewRepo[KeySet](s, "keyset:"),
		cache: repo.NewRepo[string](s, "apikey:", repo.WithTTL(cfg.KeyCacheTTL)),
		db:    db,
	}
}

func hashKey(k string) string {
	sum := sha256.Sum256([]byte(k))
	return hex.EncodeToString(sum[:])
}

// Issue creates a new API key for tenant and returns it in clear text.
func (k *Keys) Issue(ctx context.Context, tenant string) (string, error) {
	plain := "flt_" + newToken()
	h := hashKey(plain)
	if _, err := k.db.ExecContext(ctx, `INSERT INTO api_keys (hash, tenant, created_at) VALUES (?, ?, ?)`, h, tenant, time.Now().UTC()); err != nil {
		return "", err
	}
	set, err := k.sets.Get(ctx, tenant)
	if err != nil && !errors.Is(err, repo.ErrNotFound) {
		return "", err
	}
	set.Tenant = tenant
	set.Hashes = append(set.Hashes, h)
	set.Rotated = time.Now().UTC()
	if err := k.sets.Put(ctx, tenant, set); err != nil { // EXPECT kvrace
		return "", err
	}
	return plain, nil
}

// Revoke removes a key from the tenant set and the lookup cache. The key set
// is rebuilt from the database rather than edited in place.
func (k *Keys) Revoke(ctx context.Context, tenant, hash string) error {
	if _, err := k.db.ExecContext(ctx, `DELETE FROM api_keys WHERE hash = ? AND tenant = ?`, hash, tenant); err != nil {
		return err
	}
	rows, err := k.db.QueryContext(ctx, `SELECT hash FROM api_keys WHERE tenant = ? ORDER BY created_at`, tenant)
	if err != nil {
		return err
	}
	defer rows.Close()
	set := KeySet{Tenant: tenant, Rotated: time.Now().UTC()}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return err
		}
		set.Hashes = append(set.Hashes, h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := k.sets.Put(ctx, tenant, set); err != nil {
		return err
	}
	return k.cache.Delete(ctx, hash)
}

// Tenant resolves an API key to its tenant, caching the answer.
func (k *Keys) Tenant(ctx context.Context, plain string) (string, error) {
	h := hashKey(plain)
	tenant, err := k.cache.GetOrLoad(ctx, h, func(ctx context.Context, h string) (string, error) {
		var t string
		err := k.db.QueryRowContext(ctx, `SELECT tenant FROM api_keys WHERE hash = ?`, h).Scan(&t)
		if errors.Is(err, sql.ErrNoRows) {
			return "", ErrBadKey
		}
		return t, err
	})
	if err != nil {
		return "", err
	}
	return tenant, nil
}

// Has reports whether the tenant set still lists hash (used by the console).
func (k *Keys) Has(ctx context.Context, tenant, hash string) (bool, error) {
	set, err := k.sets.Get(ctx, tenant)
	if errors.Is(err, repo.ErrNotFound) {
		return false, nil
	}
	return slices.Contains(set.Hashes, hash), err
}
