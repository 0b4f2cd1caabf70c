// Package riders manages rider sessions, one-time login codes and request
// limits.
package riders

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/kea-mobility/kea/internal/kvstore"
)

// ErrNoSession means the session ID is unknown or expired.
var ErrNoSession = errors.New("riders: no such session")

// ErrBadCode means a login code did not match.
var ErrBadCode = errors.New("riders: invalid code")

// Session is what the app's cookie points at.
type Session struct {
	ID       string    `json:"id"`
	RiderID  string    `json:"rider_id"`
	Device   string    `json:"device"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Refresh  string    `json:"refresh,omitempty"`
}

const (
	sessionTTL   = 30 * 24 * time.Hour
	refreshTTL   = 90 * 24 * time.Hour
	otpLifetime  = 5 * time.Minute
	maxOTPTries  = 5
	idleTouchGap = time.Minute
)

func sessionKey(id string) string  { return "sess:" + id }
func refreshKey(tok string) string { return "sess:refresh:" + tok }
func otpKey(phone string) string   { return "otp:" + phone }
func otpTriesKey(phone string) string {
	return "otp:attempts:" + phone
}

// Sessions stores rider sessions in KV.
type Sessions struct {
	kv *kvstore.Store
}

// NewSessions returns a session store over kv.
func NewSessions(kv *kvstore.Store) *Sessions { return &Sessions{kv: kv} }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for a rider who just proved their phone number.
func (s *Sessions) Create(ctx context.Context, riderID, device string) (Session, error) {
	now := time.Now()
	sess := Session{ID: randomID(24), RiderID: riderID, Device: device, Created: now, LastSeen: now, Refresh: randomID(32)}
	body, _ := json.Marshal(sess)
	if err := s.kv.Put(ctx, sessionKey(sess.ID), body, sessionTTL); err != nil {
		return Session{}, err
	}
	if err := s.kv.Put(ctx, refreshKey(sess.Refresh), []byte(sess.ID), refreshTTL); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Load returns the session for id.
func (s *Sessions) Load(ctx context.Context, id string) (Session, error) {
	raw, found, err := s.kv.Lookup(ctx, sessionKey(id))
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return Session{}, fmt.Errorf("session %s: %w", id, err)
	}
	return sess, nil
}

// Touch extends a session that is in use.
func (s *Sessions) Touch(ctx context.Context, id string) (Session, error) {
	sess, err := s.Load(ctx, id)
	if err != nil {
		return sess, err
	}
	if time.Since(sess.LastSeen) < idleTouchGap {
		return sess, nil
	}
	sess.LastSeen = time.Now()
	body, _ := json.Marshal(sess)
	return sess, s.kv.Put(ctx, sessionKey(id), body, sessionTTL) // EXPECT kvsession|kvrace
}

// End logs a session out.
func (s *Sessions) End(ctx context.Context, sess Session) error {
	if sess.Refresh != "" {
		if err := s.kv.Delete(ctx, refreshKey(sess.Refresh)); err != nil { // EXPECT kvsession
			return err
		}
	}
	return s.kv.Delete(ctx, sessionKey(sess.ID)) // EXPECT kvsession
}

// Rotate swaps a refresh token for a new session.
func (s *Sessions) Rotate(ctx context.Context, refresh, device string) (Session, error) {
	raw, found, err := s.kv.Lookup(ctx, refreshKey(refresh))
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrNoSession
	}
	old, err := s.Load(ctx, string(raw))
	if err != nil {
		return Session{}, err
	}
	next, err := s.Create(ctx, old.RiderID, device)
	if err != nil {
		return Session{}, err
	}
	_ = s.kv.Put(ctx, refreshKey(refresh), []byte("rotated:"+next.ID), time.Hour) // EXPECT kvsession
	return next, nil
}

// EndAll signs a rider out everywhere after a phone-number change.
func (s *Sessions) EndAll(ctx context.Context, sessionIDs []string) error {
	var errs []error
	for _, id := range sessionIDs {
		errs = append(errs, s.kv.Delete(ctx, sessionKey(id))) // EXPECT kvsession
	}
	return errors.Join(errs...)
}

// OTP issues and checks phone login codes.
type OTP struct {
	kv *kvstore.Store
}

// NewOTP returns a code store over kv.
func NewOTP(kv *kvstore.Store) *OTP { return &OTP{kv: kv} }

// Issue stores a fresh code for phone and returns it for the SMS sender.
func (o *OTP) Issue(ctx context.Context, phone string) (string, error) {
	n, _ := rand.Int(rand.Reader, bigMillion)
	code := fmt.Sprintf("%06d", n.Int64())
	api, rc, ns := o.kv.Client()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           otpKey(phone),
			Value:         code,
			ExpirationTTL: int(otpLifetime), // EXPECT kvttl
		}},
	})
	return code, err
}

// Verify checks a code and consumes it.
func (o *OTP) Verify(ctx context.Context, phone, code string) error {
	tries, err := o.kv.Get(ctx, otpTriesKey(phone))
	n := 0
	if err == nil {
		n, _ = strconv.Atoi(string(tries))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if n >= maxOTPTries {
		return ErrBadCode
	}
	want, found, err := o.kv.Lookup(ctx, otpKey(phone))
	if err != nil {
		return err
	}
	if !found || subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		_ = o.kv.Put(ctx, otpTriesKey(phone), []byte(strconv.Itoa(n+1)), otpLifetime) // EXPECT kvcounter|kvrace
		return ErrBadCode
	}
	return o.kv.Delete(ctx, otpKey(phone)) // EXPECT kvsession
}
