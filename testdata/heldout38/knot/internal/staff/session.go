//go:build js && wasm

// Package staff handles box-office and door staff sign-in.
package staff

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/boxoffice/knot/internal/edgekv"
	"github.com/boxoffice/knot/internal/retry"
)

// Errors returned by the service.
var (
	ErrBadLogin = errors.New("staff: bad email or password")
	ErrLocked   = errors.New("staff: too many attempts, try later")
	ErrNoSess   = errors.New("staff: not signed in")
	ErrBadCode  = errors.New("staff: code does not match")
	ErrNoPin    = errors.New("staff: no door PIN set")
)

// now is the package time source; tests pin it.
var now = time.Now

const (
	sessionLife = 12 * time.Hour
	maxAttempts = 5
	otpTTL      = 45 * time.Second
)

// Member is a staff member as known to the box-office directory.
type Member struct {
	ID    string
	Email string
	Venue string
	Role  string
}

// Directory verifies staff credentials against the origin database.
type Directory interface {
	Verify(ctx context.Context, email, password string) (Member, error)
	SetPassword(ctx context.Context, staffID, password string) error
}

// Session is a signed-in staff member.
type Session struct {
	ID       string    `json:"id"`
	StaffID  string    `json:"staff_id"`
	Venue    string    `json:"venue"`
	Role     string    `json:"role"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Key of the session.
func (s Session) Key() string { return sessionKey(s.ID) }

// TTL of the session.
func (s Session) TTL() time.Duration { return sessionLife }

func sessionKey(id string) string { return "staffsess:" + id }

// Service signs staff in and out.
type Service struct {
	sessions *edgekv.Store
	dir      Directory
	audit    edgekv.Writer
}

// New returns a staff service.
func New(sessions *edgekv.Store, dir Directory) *Service {
	return &Service{sessions: sessions, dir: dir, audit: edgekv.BindingWriter(sessions.Namespace())}
}

func newID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Login checks credentials and opens a session.
func (s *Service) Login(ctx context.Context, email, password string) (Session, error) {
	attemptsKey := "login:attempts:" + strings.ToLower(email)
	n := 0
	raw, err := s.sessions.Get(ctx, attemptsKey)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(raw)
	case errors.Is(err, edgekv.ErrNotFound):
	default:
		return Session{}, err
	}
	if n >= maxAttempts {
		return Session{}, ErrLocked
	}
	m, err := s.dir.Verify(ctx, email, password)
	if err != nil {
		_ = s.sessions.Put(ctx, attemptsKey, strconv.Itoa(n+1), 15*time.Minute) // EXPECT kvcounter|kvrace
		return Session{}, ErrBadLogin
	}

	sess := Session{ID: newID(), StaffID: m.ID, Venue: m.Venue, Role: m.Role, Created: now(), LastSeen: now()}
	if err := retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return edgekv.Save(ctx, s.sessions, sess) // DEBATABLE kvsession
	}); err != nil {
		return Session{}, err
	}
	if err := s.remember(ctx, m.ID, sess.ID); err != nil {
		return sess, err
	}
	_ = s.sessions.Append(ctx, "loginlog:"+m.ID, now().Format(time.RFC3339)+" login", 30*24*time.Hour)
	_ = s.audit.For("audit:"+m.ID+":"+strconv.FormatInt(now().UnixNano(), 36), "login "+email, 90*24*time.Hour)
	if n > 0 {
		_ = s.sessions.Delete(ctx, attemptsKey)
	}
	return sess, nil
}

// remember adds a session ID to the member's index so that a password change
// can sign out every device.
func (s *Service) remember(ctx context.Context, staffID, sessID string) error {
	key := "staffidx:" + staffID
	var ids []string
	raw, err := s.sessions.Get(ctx, key)
	if err != nil && !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	if err == nil {
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	}
	ids = append(ids, sessID)
	b, _ := json.Marshal(ids)
	return s.sessions.Put(ctx, key, string(b), 30*24*time.Hour) // EXPECT kvrace
}

// Authenticate resolves the session cookie and keeps the session alive.
func (s *Service) Authenticate(ctx context.Context, sessID string) (sess Session, err error) {
	sess, err = edgekv.Load[Session](ctx, s.sessions, sessionKey(sessID))
	if errors.Is(err, edgekv.ErrNotFound) {
		return Session{}, ErrNoSess
	}
	if err != nil {
		return Session{}, err
	}
	defer s.touch(ctx, &sess)
	return sess, nil
}

func (s *Service) touch(ctx context.Context, sess *Session) {
	sess.LastSeen = now()
	_ = edgekv.Save(context.WithoutCancel(ctx), s.sessions, *sess) // EXPECT kvsession|kvrace
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, sess Session) error {
	if err := edgekv.Forget(ctx, s.sessions, sess); err != nil { // EXPECT kvsession
		return err
	}
	return s.sessions.Append(ctx, "loginlog:"+sess.StaffID, now().Format(time.RFC3339)+" logout", 30*24*time.Hour)
}

// ChangePassword sets a new password and signs the member out everywhere.
func (s *Service) ChangePassword(ctx context.Context, sess Session, password string) error {
	if err := s.dir.SetPassword(ctx, sess.StaffID, password); err != nil {
		return err
	}
	key := "staffidx:" + sess.StaffID
	raw, err := s.sessions.Get(ctx, key)
	if errors.Is(err, edgekv.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return fmt.Errorf("staff: index: %w", err)
	}
	for _, id := range ids {
		if err := s.sessions.Delete(ctx, sessionKey(id)); err != nil { // EXPECT kvsession
			return err
		}
	}
	return s.sessions.Delete(ctx, key)
}

func sixDigits() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	return fmt.Sprintf("%06d", n.Int64())
}

// SendOTP creates the second-factor code texted to a manager.
func (s *Service) SendOTP(ctx context.Context, staffID string, send func(code string) error) error {
	code := sixDigits()
	if err := s.sessions.Put(ctx, "otp:"+staffID, code, otpTTL); err != nil { // EXPECT kvttl
		return err
	}
	return send(code)
}

// VerifyOTP checks the code and consumes it.
func (s *Service) VerifyOTP(ctx context.Context, staffID, code string) error {
	want, err := s.sessions.Get(ctx, "otp:"+staffID)
	if errors.Is(err, edgekv.ErrNotFound) {
		return ErrBadCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return ErrBadCode
	}
	return s.sessions.Delete(ctx, "otp:"+staffID) // EXPECT kvsession
}
