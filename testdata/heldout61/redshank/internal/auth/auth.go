// Package auth holds the console's users, sessions, magic links and API
// keys, and the key layout of the sessions namespace.
package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

var (
	ErrBadCredentials  = errors.New("auth: invalid email or password")
	ErrTooManyAttempts = errors.New("auth: too many failed attempts, try again later")
	ErrExpired         = errors.New("auth: link or session expired")
	ErrUnauthenticated = errors.New("auth: not signed in")
)

// User is a console user.
type User struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Tenant       string    `json:"tenant"`
	PasswordHash string    `json:"passwordHash"`
	PasswordAt   time.Time `json:"passwordAt"`
}

// Session is a signed-in console session.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"userId"`
	Email     string    `json:"email"`
	Tenant    string    `json:"tenant"`
	CreatedAt time.Time `json:"createdAt"`
	LastSeen  time.Time `json:"lastSeen"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// MagicLink is a pending passwordless sign-in.
type MagicLink struct {
	Email     string    `json:"email"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// APIKey authenticates service calls to the gRPC API. Only a hash of the
// secret is stored.
type APIKey struct {
	ID         string    `json:"id"`
	Tenant     string    `json:"tenant"`
	Name       string    `json:"name"`
	SecretHash string    `json:"secretHash"`
	CreatedAt  time.Time `json:"createdAt"`
}

func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func UserKey(email string) string           { return "user:" + NormalizeEmail(email) }
func SessionKey(id string) string           { return "session:" + id }
func MagicLinkKey(token string) string      { return "magic:" + token }
func LoginAttemptsKey(email string) string  { return "login-attempts:" + NormalizeEmail(email) }
func RevokedBeforeKey(userID string) string { return "revoked-before:" + userID }

const APIKeyPrefix = "apikey:"

func APIKeyKey(id string) string { return APIKeyPrefix + id }

// NewToken returns n random bytes, base64url encoded.
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func HashSecret(secret string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(secret), bcrypt.DefaultCost)
	return string(h), err
}

func CheckSecret(hash, secret string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)) == nil
}

// SplitAPIKey splits "rs_<id>.<secret>".
func SplitAPIKey(s string) (id, secret string, ok bool) {
	s, ok = strings.CutPrefix(s, "rs_")
	if !ok {
		return "", "", false
	}
	return strings.Cut(s, ".")
}
