// Package users owns accounts: sign-up with handle reservation, e-mail
// verification and password changes.
package users

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

const (
	UserPrefix = "user:"
	CodePrefix = "verify:"
)

var (
	ErrHandleTaken     = errors.New("users: handle is taken")
	ErrInvalidHandle   = errors.New("users: handle must be 3-20 letters, digits or underscores")
	ErrBadCredentials  = errors.New("users: bad credentials")
	ErrCodeExpired     = errors.New("users: verification code expired")
	ErrBadCode         = errors.New("users: verification code does not match")
	ErrTooManyAttempts = errors.New("users: too many attempts")
)

var handleRE = regexp.MustCompile(`^[a-z0-9_]{3,20}$`)

// User is the stored account record.
type User struct {
	ID, Handle, Email, InvitedBy string
	PasswordHash, Salt           string
	Verified                     bool
	CreatedAt                    time.Time
}

// ref points a handle or e-mail address at its owner.
type ref struct {
	UserID string
	At     time.Time
}

// VerifyCode is a one-time e-mail verification code.
type VerifyCode struct {
	Code     string
	IssuedAt time.Time
}

// Config holds tunables; see main for production values.
type Config struct {
	VerifyCodeTTL     time.Duration
	VerifyMaxAttempts int
	AttemptWindow     time.Duration
	PasswordIter      int
}

// Mailer sends transactional e-mail.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SessionRevoker invalidates every session of a user.
type SessionRevoker interface {
	RevokeAll(ctx context.Context, userID string) error
}

// Service implements the account use cases.
type Service struct {
	kv      store.KV
	users   *collection.Collection[User]
	handles *collection.Collection[ref]
	emails  *collection.Collection[ref]
	codes   *collection.Collection[VerifyCode]
	mail    Mailer
	revoker SessionRevoker
	cfg     Config
}

func NewService(kv store.KV, mail Mailer, revoker SessionRevoker, cfg Config) *Service {
	if cfg.PasswordIter == 0 {
		cfg.PasswordIter = 100_000
	}
	return &Service{
		kv:      kv,
		users:   collection.New[User](kv, UserPrefix),
		handles: collection.New[ref](kv, "handle:"),
		emails:  collection.New[ref](kv, "email:"),
		codes:   collection.New[VerifyCode](kv, CodePrefix, collection.WithTTL(cfg.VerifyCodeTTL)),
		mail:    mail,
		revoker: revoker,
		cfg:     cfg,
	}
}

// SignupInput is the validated request body.
type SignupInput struct {
	Handle, Email, Password, InvitedBy string
}

func normalizeHandle(h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	if !handleRE.MatchString(h) {
		return "", ErrInvalidHandle
	}
	return h, nil
}

// Signup reserves the handle, stores the account and mails a code.
func (s *Service) Signup(ctx context.Context, in SignupInput) (User, error) {
	handle, err := normalizeHandle(in.Handle)
	if err != nil {
		return User{}, err
	}
	u := User{
		ID:        rand.Text(),
		Handle:    handle,
		Email:     strings.ToLower(strings.TrimSpace(in.Email)),
		Salt:      rand.Text(),
		InvitedBy: in.InvitedBy,
		CreatedAt: time.Now().UTC(),
	}
	if u.PasswordHash, err = s.hash(in.Password, u.Salt); err != nil {
		return User{}, err
	}
	if err := s.claimHandle(ctx, handle, u.ID); err != nil {
		return User{}, err
	}
	if err := s.users.Put(ctx, u.ID, u); err != nil {
		return User{}, err
	}
	if err := s.emails.Put(ctx, u.Email, ref{UserID: u.ID, At: u.CreatedAt}); err != nil {
		return User{}, err
	}
	return u, s.issueCode(ctx, u)
}

func (s *Service) claimHandle(ctx context.Context, handle, uid string) error {
	taken, err := s.handles.Exists(ctx, handle)
	if err != nil {
		return err
	}
	if taken {
		return ErrHandleTaken
	}
	return s.handles.Put(ctx, handle, ref{UserID: uid, At: time.Now()}) // EXPECT kvrace
}

// ResendCode issues a fresh verification code for an unverified user.
func (s *Service) ResendCode(ctx context.Context, uid string) error {
	u, err := s.users.Get(ctx, uid)
	if err != nil || u.Verified {
		return err
	}
	return s.issueCode(ctx, u)
}

func (s *Service) issueCode(ctx context.Context, u User) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := s.codes.Put(ctx, u.ID, VerifyCode{Code: code, IssuedAt: time.Now()}); err != nil { // DEBATABLE kvsession
		return err
	}
	return s.mail.Send(ctx, u.Email, "Your verification code", "Your code is "+code)
}

// Verify checks a code and marks the account verified.
func (s *Service) Verify(ctx context.Context, uid, code string) error {
	attemptsKey := "verify-attempts:" + uid
	tries := 0
	if raw, err := s.kv.Get(ctx, attemptsKey); err == nil {
		tries, _ = strconv.Atoi(string(raw))
	} else if !store.IsNotFound(err) {
		return err
	}
	if tries >= s.cfg.VerifyMaxAttempts {
		return ErrTooManyAttempts
	}
	if err := s.kv.Put(ctx, attemptsKey, []byte(strconv.Itoa(tries+1)), store.WithTTL(s.cfg.AttemptWindow)); err != nil { // EXPECT kvcounter
		return err
	}

	vc, err := s.codes.Get(ctx, uid)
	switch {
	case store.IsNotFound(err):
		return ErrCodeExpired
	case err != nil:
		return err
	case subtle.ConstantTimeCompare([]byte(vc.Code), []byte(code)) != 1:
		return ErrBadCode
	}
	if err := s.codes.Delete(ctx, uid); err != nil { // EXPECT kvsession
		return err
	}
	if _, err := s.users.Update(ctx, uid, func(u *User) error { u.Verified = true; return nil }); err != nil {
		return err
	}
	return s.kv.Delete(ctx, attemptsKey)
}

// Authenticate resolves a handle and checks the password.
func (s *Service) Authenticate(ctx context.Context, handle, password string) (User, error) {
	handle, err := normalizeHandle(handle)
	if err != nil {
		return User{}, ErrBadCredentials
	}
	claim, err := s.handles.Get(ctx, handle)
	if store.IsNotFound(err) {
		return User{}, ErrBadCredentials
	}
	if err != nil {
		return User{}, err
	}
	u, err := s.users.Get(ctx, claim.UserID)
	if err != nil {
		return User{}, err
	}
	if want, err := s.hash(password, u.Salt); err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(u.PasswordHash)) != 1 {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// Get returns the account for uid.
func (s *Service) Get(ctx context.Context, uid string) (User, error) { return s.users.Get(ctx, uid) }

// ByEmail resolves an e-mail address to an account.
func (s *Service) ByEmail(ctx context.Context, email string) (User, error) {
	r, err := s.emails.Get(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return User{}, err
	}
	return s.users.Get(ctx, r.UserID)
}

// SetPassword replaces the password and signs the user out everywhere.
func (s *Service) SetPassword(ctx context.Context, uid, password string) error {
	salt := rand.Text()
	hash, err := s.hash(password, salt)
	if err != nil {
		return err
	}
	if _, err := s.users.Update(ctx, uid, func(u *User) error {
		if u.ID == "" {
			return store.ErrNotFound
		}
		u.Salt, u.PasswordHash = salt, hash
		return nil
	}); err != nil {
		return err
	}
	return s.revoker.RevokeAll(ctx, uid)
}

func (s *Service) hash(password, salt string) (string, error) {
	if len(password) < 8 {
		return "", errors.New("users: password too short")
	}
	k, err := pbkdf2.Key(sha256.New, password, []byte(salt), s.cfg.PasswordIter, 32)
	return base64.RawStdEncoding.EncodeToString(k), err
}
