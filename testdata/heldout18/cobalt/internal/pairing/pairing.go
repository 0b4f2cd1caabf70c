// Package pairing links a physical device to a user account. The device shows
// a short code, the user types it into the app, the app confirms, and the
// device polls until the pairing session is confirmed.
package pairing

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/cobalt/internal/config"
	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/kvstore"
)

// Errors returned by the service.
var (
	ErrInvalidCode     = errors.New("pairing: invalid or expired code")
	ErrTooManyAttempts = errors.New("pairing: too many attempts")
	ErrUnknownSession  = errors.New("pairing: unknown session")
	ErrNotSessionOwner = errors.New("pairing: session belongs to another user")
)

// State is the state of a pairing session.
type State string

// Session states.
const (
	StatePending   State = "pending"
	StateConfirmed State = "confirmed"
)

type codeRecord struct {
	DeviceID string    `json:"device_id"`
	IssuedAt time.Time `json:"issued_at"`
}

// Session is a pairing in progress.
type Session struct {
	ID          string    `json:"id"`
	DeviceID    string    `json:"device_id"`
	UserID      string    `json:"user_id"`
	State       State     `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
}

// Service runs the pairing flow. Codes live in their own namespace and are
// written with the API client directly; sessions and attempt records go
// through the storage port.
type Service struct {
	codes kvstore.Binding
	store storage.Store
	cfg   config.Pairing
	now   func() time.Time
	log   *slog.Logger
}

// NewService wires the pairing flow.
func NewService(codes kvstore.Binding, st storage.Store, cfg config.Pairing, log *slog.Logger) *Service {
	return &Service{codes: codes, store: st, cfg: cfg, now: time.Now, log: log}
}

func codeKey(code string) string       { return "paircode:" + code }
func sessionKey(id string) string      { return "pairsess:" + id }
func attemptsKey(userID string) string { return "pair_attempts:" + userID }

func randomCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%08d", n.Int64()), nil
}

func randomSessionID() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// IssueCode creates a fresh code for a device to display.
func (s *Service) IssueCode(ctx context.Context, deviceID string) (string, error) {
	code, err := randomCode()
	if err != nil {
		return "", err
	}
	body, _ := json.Marshal(codeRecord{DeviceID: deviceID, IssuedAt: s.now().UTC()})
	_, err = s.codes.Client.KV.Namespaces.Values.Update(ctx, s.codes.NamespaceID, codeKey(code), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.codes.AccountID),
		Value:         cloudflare.F(string(body)),
		ExpirationTTL: cloudflare.F(float64(s.cfg.CodeTTLMillis)), // EXPECT kvttl
	})
	if err != nil {
		return "", fmt.Errorf("pairing: issue code: %w", err)
	}
	return code, nil
}

// Redeem exchanges a code typed by userID for a pending pairing session.
func (s *Service) Redeem(ctx context.Context, userID, code string) (Session, error) {
	if err := s.countAttempt(ctx, userID); err != nil {
		return Session{}, err
	}
	key := codeKey(code)
	res, err := s.codes.Client.KV.Namespaces.Values.Get(ctx, s.codes.NamespaceID, key, s.codes.GetParams())
	if err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, ErrInvalidCode
		}
		return Session{}, fmt.Errorf("pairing: read code: %w", err)
	}
	body, err := kvstore.ReadBody(res)
	if err != nil {
		return Session{}, err
	}
	var rec codeRecord
	if err := json.Unmarshal(body, &rec); err != nil {
		return Session{}, fmt.Errorf("pairing: decode code: %w", err)
	}
	if _, err := s.codes.Client.KV.Namespaces.Values.Delete(ctx, s.codes.NamespaceID, key, s.codes.DeleteParams()); err != nil { // EXPECT kvsession
		return Session{}, fmt.Errorf("pairing: consume code: %w", err)
	}
	sess := Session{
		ID:        randomSessionID(),
		DeviceID:  rec.DeviceID,
		UserID:    userID,
		State:     StatePending,
		CreatedAt: s.now().UTC(),
	}
	sb, _ := json.Marshal(sess)
	if err := s.store.Put(ctx, sessionKey(sess.ID), sb, storage.PutOptions{TTL: s.cfg.SessionTTL}); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	return sess, nil
}

// countAttempt limits how many codes one user may try per window.
func (s *Service) countAttempt(ctx context.Context, userID string) error {
	key := attemptsKey(userID)
	n := 0
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	if n >= s.cfg.MaxAttempts {
		return ErrTooManyAttempts
	}
	return s.store.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.PutOptions{TTL: s.cfg.AttemptWindow()}) // EXPECT kvcounter
}

func (s *Service) load(ctx context.Context, id string) (Session, error) {
	raw, err := s.store.Get(ctx, sessionKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrUnknownSession
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = json.Unmarshal(raw, &sess)
	return sess, err
}

// Confirm marks the session confirmed by its owner.
func (s *Service) Confirm(ctx context.Context, userID, sessionID string) (Session, error) {
	sess, err := s.load(ctx, sessionID)
	if err != nil {
		return Session{}, err
	}
	if sess.UserID != userID {
		return Session{}, ErrNotSessionOwner
	}
	sess.State = StateConfirmed
	sess.ConfirmedAt = s.now().UTC()
	sb, _ := json.Marshal(sess)
	err = s.store.Put(ctx, sessionKey(sess.ID), sb, storage.PutOptions{TTL: s.cfg.SessionTTL}) // EXPECT kvsession
	if err != nil {
		return Session{}, err
	}
	s.log.InfoContext(ctx, "pairing confirmed", "device", sess.DeviceID, "user", userID)
	return sess, nil
}
