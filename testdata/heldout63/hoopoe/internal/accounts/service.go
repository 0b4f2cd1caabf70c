// Package accounts manages podcast host accounts: sign-in sessions and API
// keys. Postgres owns the accounts; sessions and key records live in KV so the
// edge can authenticate without a round trip to the origin.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
)

const (
	sessionTTL   = 12 * time.Hour
	apiKeyTTL    = 90 * 24 * time.Hour
	lockoutAfter = 5
)

var (
	ErrBadCredentials = errors.New("accounts: bad credentials")
	ErrLockedOut      = errors.New("accounts: too many failed sign-ins")
	ErrUnauthorized   = errors.New("accounts: unauthorized")
)

// Session is the KV record behind a session cookie.
type Session struct {
	ID        string    `json:"id"`
	HostID    int64     `json:"host_id"`
	Email     string    `json:"email"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// APIKey is the KV record behind an API key, stored under its hash.
type APIKey struct {
	HostID  int64     `json:"host_id"`
	Plan    string    `json:"plan"`
	Label   string    `json:"label"`
	Created time.Time `json:"created"`
}

// Service implements the account use cases.
type Service struct {
	db      *pgxpool.Pool
	kv      *kvrest.Store
	metrics *metrics.Collectors

	mu       sync.Mutex
	failures map[string]int
}

// NewService returns a Service.
func NewService(db *pgxpool.Pool, kv *kvrest.Store, m *metrics.Collectors) *Service {
	return &Service{db: db, kv: kv, metrics: m, failures: make(map[string]int)}
}

func sessionKey(id string) string  { return "sess:" + id }
func apiKeyKey(hash string) string { return "apikey:" + hash }

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

type hostRow struct {
	ID           int64  `db:"id"`
	Email        string `db:"email"`
	PasswordHash string `db:"password_hash"`
	Salt         string `db:"salt"`
	Plan         string `db:"plan"`
}

// Login checks credentials and creates a session.
func (s *Service) Login(ctx context.Context, email, password string) (Session, error) {
	rows, _ := s.db.Query(ctx, `SELECT id, email, password_hash, salt, plan FROM hosts WHERE email = $1`, email)
	host, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[hostRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return Session{}, ErrBadCredentials
	}
	if err != nil {
		return Session{}, err
	}
	sum := sha256.Sum256([]byte(host.Salt + password))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(host.PasswordHash)) != 1 {
		return Session{}, s.recordFailure(ctx, email)
	}

	sess := Session{
		ID:        randomID(24),
		HostID:    host.ID,
		Email:     host.Email,
		Plan:      host.Plan,
		CreatedAt: time.Now().UTC(),
		LastSeen:  time.Now().UTC(),
	}
	raw, _ := json.Marshal(sess)
	if err := s.kv.PutTTL(ctx, sessionKey(sess.ID), raw, sessionTTL); err != nil {
		return Session{}, err
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO host_sessions (session_id, host_id, created_at) VALUES ($1, $2, now())`, sess.ID, host.ID); err != nil {
		return Session{}, err
	}
	s.metrics.SessionsLive.Inc()
	return sess, nil
}

// recordFailure counts a failed sign-in and publishes the count to the edge,
// which refuses the login form once it reaches lockoutAfter.
func (s *Service) recordFailure(ctx context.Context, email string) error {
	s.mu.Lock()
	s.failures[email]++
	n := s.failures[email]
	s.mu.Unlock()

	if err := s.kv.PutTTL(ctx, "login-attempts:"+email, []byte(strconv.Itoa(n)), time.Hour); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= lockoutAfter {
		return ErrLockedOut
	}
	return ErrBadCredentials
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, sessionID string) error {
	if _, err := s.db.Exec(ctx, `DELETE FROM host_sessions WHERE session_id = $1`, sessionID); err != nil {
		return err
	}
	return s.kv.Delete(ctx, sessionKey(sessionID)) // EXPECT kvsession
}

// ChangePassword stores a new password hash and signs the host out everywhere.
func (s *Service) ChangePassword(ctx context.Context, hostID int64, newPassword string) error {
	salt := randomID(8)
	sum := sha256.Sum256([]byte(salt + newPassword))
	var ids []string
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE hosts SET password_hash = $1, salt = $2 WHERE id = $3`,
			hex.EncodeToString(sum[:]), salt, hostID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `DELETE FROM host_sessions WHERE host_id = $1 RETURNING session_id`, hostID)
		var err error
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.kv.Delete(ctx, sessionKey(id)); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// CreateAPIKey mints a key for a host. The secret is shown once.
func (s *Service) CreateAPIKey(ctx context.Context, hostID int64, plan, label string) (string, error) {
	secret := "hpk_" + randomID(20)
	rec, _ := json.Marshal(APIKey{HostID: hostID, Plan: plan, Label: label, Created: time.Now().UTC()})
	if err := s.kv.PutTTL(ctx, apiKeyKey(hashKey(secret)), rec, apiKeyTTL); err != nil {
		return "", err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO api_keys (host_id, key_hash, label) VALUES ($1, $2, $3)`, hostID, hashKey(secret), label)
	return secret, err
}

// RotateAPIKey replaces an API key with a new one.
func (s *Service) RotateAPIKey(ctx context.Context, hostID int64, oldSecret string) (string, error) {
	raw, err := s.kv.Get(ctx, apiKeyKey(hashKey(oldSecret)))
	if err != nil {
		return "", fmt.Errorf("rotate: %w", err)
	}
	var rec APIKey
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", err
	}
	if rec.HostID != hostID {
		return "", ErrUnauthorized
	}
	secret, err := s.CreateAPIKey(ctx, hostID, rec.Plan, rec.Label)
	if err != nil {
		return "", err
	}
	if err := s.kv.Delete(ctx, apiKeyKey(hashKey(oldSecret))); err != nil { // EXPECT kvsession
		return "", err
	}
	return secret, nil
}

// LookupAPIKey resolves a presented secret.
func (s *Service) LookupAPIKey(ctx context.Context, secret string) (APIKey, error) {
	raw, err := s.kv.Get(ctx, apiKeyKey(hashKey(secret)))
	if errors.Is(err, kvrest.ErrNotFound) {
		return APIKey{}, ErrUnauthorized
	}
	if err != nil {
		return APIKey{}, err
	}
	var rec APIKey
	err = json.Unmarshal(raw, &rec)
	return rec, err
}

// LoadSession resolves a session cookie.
func (s *Service) LoadSession(ctx context.Context, id string) (Session, error) {
	raw, err := s.kv.Get(ctx, sessionKey(id))
	if errors.Is(err, kvrest.ErrNotFound) {
		return Session{}, ErrUnauthorized
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Touch records activity on a session and pushes its expiry out.
func (s *Service) Touch(ctx context.Context, sess Session) error {
	sess.LastSeen = time.Now().UTC()
	raw, _ := json.Marshal(sess)
	return s.kv.PutTTL(ctx, sessionKey(sess.ID), raw, sessionTTL) // EXPECT kvsession|kvrace
}
