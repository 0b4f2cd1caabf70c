// Package sdkkeys issues, validates, rotates and revokes the keys that
// client SDKs present when they fetch flag snapshots.
package sdkkeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

// Scope is a bit set of what a key may do.
type Scope uint8

const (
	ScopeEvaluate Scope = 1 << iota
	ScopeSnapshot
	ScopeStream
	ScopeServerSide

	ScopeClient = ScopeEvaluate | ScopeSnapshot
	ScopeServer = ScopeClient | ScopeStream | ScopeServerSide
)

var (
	ErrUnknownKey = errors.New("sdkkeys: unknown key")
	ErrNameTaken  = errors.New("sdkkeys: name already in use")
)

// RevokedError reports a key that was explicitly revoked.
type RevokedError struct {
	ID string
	At time.Time
}

func (e *RevokedError) Error() string {
	return fmt.Sprintf("sdkkeys: key %s revoked at %s", e.ID, e.At.Format(time.RFC3339))
}

// Record is the stored form of an SDK key, keyed by the hash of the secret.
type Record struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Env        string    `json:"env"`
	Scope      Scope     `json:"scope"`
	CreatedAt  time.Time `json:"created_at"`
	ReplacedBy string    `json:"replaced_by,omitempty"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// Manager owns the SDK key namespace.
type Manager struct {
	kv *kvstore.Client
}

// NewManager returns a Manager over kv.
func NewManager(kv *kvstore.Client) *Manager { return &Manager{kv: kv} }

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret(env string) string {
	var b [24]byte
	rand.Read(b[:])
	return "sdk-" + env + "-" + hex.EncodeToString(b[:])
}

// Issue creates a key called name in env and returns its secret, which is
// shown to the user once.
func (m *Manager) Issue(ctx context.Context, env, name string, scope Scope) (string, *Record, error) {
	nameKey := kvkeys.PrefixSDKKeyName + env + ":" + name
	_, err := m.kv.Get(ctx, nameKey)
	switch {
	case err == nil:
		return "", nil, ErrNameTaken
	case !kvstore.IsNotFound(err):
		return "", nil, err
	}
	secret := newSecret(env)
	rec := &Record{ID: hashSecret(secret)[:16], Name: name, Env: env, Scope: scope, CreatedAt: time.Now().UTC()}
	if err := m.kv.Put(ctx, nameKey, []byte(rec.ID)); err != nil { // EXPECT kvrace
		return "", nil, err
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return "", nil, err
	}
	if err := m.kv.Put(ctx, kvkeys.PrefixSDKKey+hashSecret(secret), raw); err != nil {
		return "", nil, err
	}
	return secret, rec, nil
}

// Validate resolves a presented secret.
func (m *Manager) Validate(ctx context.Context, secret string, need Scope) (*Record, error) {
	raw, err := m.kv.Get(ctx, kvkeys.PrefixSDKKey+hashSecret(secret))
	if err != nil {
		var nf *kvstore.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrUnknownKey
		}
		return nil, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nil, err
	}
	if !rec.RevokedAt.IsZero() {
		return nil, &RevokedError{ID: rec.ID, At: rec.RevokedAt}
	}
	if rec.Scope&need != need {
		return nil, ErrUnknownKey
	}
	if mrand.IntN(100) == 0 {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		m.kv.PutWithTTL(ctx, kvkeys.KeySDKLastSeen+":"+rec.ID, stamp, kvkeys.LastSeenTTL) // EXPECT kvttl
	}
	return &rec, nil
}

// Rotate issues a replacement for the key behind oldSecret. The old key
// keeps working for grace so deployed SDKs can pick up the new one.
func (m *Manager) Rotate(ctx context.Context, oldSecret string, grace time.Duration) (string, error) {
	oldKey := kvkeys.PrefixSDKKey + hashSecret(oldSecret)
	raw, err := m.kv.Get(ctx, oldKey)
	if err != nil {
		return "", err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return "", err
	}
	secret := newSecret(rec.Env)
	next := rec
	next.ID = hashSecret(secret)[:16]
	next.CreatedAt = time.Now().UTC()
	if raw, err = json.Marshal(next); err != nil {
		return "", err
	}
	if err := m.kv.Put(ctx, kvkeys.PrefixSDKKey+hashSecret(secret), raw); err != nil {
		return "", err
	}
	if err := m.kv.Put(ctx, kvkeys.PrefixSDKKeyName+rec.Env+":"+rec.Name, []byte(next.ID)); err != nil {
		return "", err
	}
	rec.ReplacedBy = next.ID
	if raw, err = json.Marshal(rec); err != nil {
		return "", err
	}
	if grace < time.Hour {
		grace = time.Hour
	}
	if err := m.kv.PutWithTTL(ctx, oldKey, raw, grace); err != nil { // EXPECT kvsession|kvrace
		return "", err
	}
	return secret, nil
}

// Revoke disables the key behind secret immediately and adds it to the
// revocation list that the edge evaluators load.
func (m *Manager) Revoke(ctx context.Context, secret string) error {
	key := kvkeys.PrefixSDKKey + hashSecret(secret)
	raw, err := m.kv.Get(ctx, key)
	if err != nil {
		return err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return err
	}
	if err := m.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return err
	}
	if err := m.kv.Delete(ctx, kvkeys.PrefixSDKKeyName+rec.Env+":"+rec.Name); err != nil {
		return err
	}

	var revoked []string
	raw, err = m.kv.Get(ctx, kvkeys.KeySDKRevoked)
	if err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &revoked); err != nil {
			return err
		}
	}
	if slices.Contains(revoked, rec.ID) {
		return nil
	}
	revoked = append(revoked, rec.ID)
	raw, _ = json.Marshal(revoked)
	return m.kv.Put(ctx, kvkeys.KeySDKRevoked, raw) // EXPECT kvsession|kvrace
}
