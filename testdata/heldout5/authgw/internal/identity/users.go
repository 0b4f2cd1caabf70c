// Package identity owns user accounts and credentials.
package identity

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrEmailTaken         = errors.New("identity: email already registered")
	ErrInvalidCredentials = errors.New("identity: invalid credentials")
	ErrWeakPassword       = errors.New("identity: password too short")
)

const pbkdf2Iterations = 210_000

// User is the stored account record.
type User struct {
	ID                string    `json:"id"`
	Email             string    `json:"email"`
	Salt              []byte    `json:"salt"`
	PasswordHash      []byte    `json:"pw"`
	CreatedAt         time.Time `json:"created_at"`
	PasswordChangedAt time.Time `json:"pw_changed_at"`
}

// Storage is the slice of the KV port this package needs.
type Storage interface {
	kvport.Reader
	kvport.Writer
}

// Directory manages users.
type Directory struct {
	kv  Storage
	now func() time.Time
}

func NewDirectory(kv Storage) *Directory {
	return &Directory{kv: kv, now: time.Now}
}

func userKey(id string) string          { return "user:" + id }
func emailKey(email string) string      { return "user:email:" + normalize(email) }
func revokedBeforeKey(id string) string { return "user:revoked-before:" + id }

func normalize(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func hashPassword(password string, salt []byte) ([]byte, error) {
	return pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
}

// Signup registers email with password and returns the new user.
func (d *Directory) Signup(ctx context.Context, email, password string) (*User, error) {
	if len(password) < 12 {
		return nil, ErrWeakPassword
	}
	claim := emailKey(email)
	if _, err := d.kv.Get(ctx, claim); err == nil {
		return nil, ErrEmailTaken
	} else if !kvport.IsNotFound(err) {
		return nil, err
	}

	salt := []byte(ids.Secret(16))
	hash, err := hashPassword(password, salt)
	if err != nil {
		return nil, err
	}
	now := d.now().UTC()
	u := &User{ID: ids.New(), Email: normalize(email), Salt: salt, PasswordHash: hash, CreatedAt: now, PasswordChangedAt: now}
	if err := d.kv.Put(ctx, claim, []byte(u.ID)); err != nil { // EXPECT kvrace
		return nil, err
	}
	if err := repo.PutJSON(ctx, d.kv, userKey(u.ID), u); err != nil {
		return nil, err
	}
	return u, nil
}

// ByEmail resolves an email to its user.
func (d *Directory) ByEmail(ctx context.Context, email string) (*User, error) {
	id, err := d.kv.Get(ctx, emailKey(email))
	if err != nil {
		return nil, err
	}
	return d.ByID(ctx, string(id))
}

// ByID loads a user.
func (d *Directory) ByID(ctx context.Context, id string) (*User, error) {
	u, err := repo.GetJSON[User](ctx, d.kv, userKey(id))
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Verify checks password against the stored hash.
func (d *Directory) Verify(u *User, password string) error {
	got, err := hashPassword(password, u.Salt)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(got, u.PasswordHash) != 1 {
		return ErrInvalidCredentials
	}
	return nil
}

// ChangePassword replaces the user's password after checking the old one,
// and records the change so tokens minted earlier stop being honoured.
func (d *Directory) ChangePassword(ctx context.Context, userID, oldPassword, newPassword string) error {
	if len(newPassword) < 12 {
		return ErrWeakPassword
	}
	u, err := d.ByID(ctx, userID)
	if err != nil {
		return err
	}
	if err := d.Verify(u, oldPassword); err != nil {
		return err
	}
	salt := []byte(ids.Secret(16))
	hash, err := hashPassword(newPassword, salt)
	if err != nil {
		return err
	}
	now := d.now().UTC()
	u.Salt, u.PasswordHash, u.PasswordChangedAt = salt, hash, now
	if err := repo.PutJSON(ctx, d.kv, userKey(u.ID), u); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	stamp := strconv.FormatInt(now.Unix(), 10)
	return d.kv.Put(ctx, revokedBeforeKey(u.ID), []byte(stamp)) // EXPECT kvsession
}

// RevokedBefore returns the instant before which credentials for userID are
// void, or the zero time.
func (d *Directory) RevokedBefore(ctx context.Context, userID string) (time.Time, error) {
	raw, err := d.kv.Get(ctx, revokedBeforeKey(userID), kvport.WithCacheTTL(time.Minute))
	if kvport.IsNotFound(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	sec, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return time.Time{}, err
	}
	return time.Unix(sec, 0), nil
}
