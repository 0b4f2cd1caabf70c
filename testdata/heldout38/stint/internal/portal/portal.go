//go:build js && wasm

// Package portal implements patient sign-in with SMS one-time codes and the
// portal session that follows.
package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/clock"
	"github.com/harborclinic/stint/internal/edgekv"
	"github.com/harborclinic/stint/internal/retry"
)

// Errors returned to the HTTP layer.
var (
	ErrTooManyAttempts = errors.New("portal: too many attempts")
	ErrBadCode         = errors.New("portal: code does not match")
	ErrExpired         = errors.New("portal: code expired")
	ErrNoSession       = errors.New("portal: not signed in")
	ErrRevoked         = errors.New("portal: session revoked")
)

const (
	cookieName     = "hc_portal"
	attemptsPrefix = "portal:otp-attempts:"
	revokedPrefix  = "portal:revoked:"
	sentPrefix     = "portal:otp-sent:"
	maxAttempts    = 5

	// resendWindowSeconds is how long the "code sent" banner stays up.
	resendWindowSeconds = 45
)

// SMS sends a text message.
type SMS interface {
	Send(ctx context.Context, phone, text string) error
}

// Service is the patient portal's sign-in and session logic.
type Service struct {
	store  *edgekv.Store
	clock  clock.Clock
	sms    SMS
	pepper []byte
}

// New returns a Service.
func New(store *edgekv.Store, c clock.Clock, sms SMS, pepper string) *Service {
	return &Service{store: store, clock: c, sms: sms, pepper: []byte(pepper)}
}

func (s *Service) hash(code string) string {
	m := hmac.New(sha256.New, s.pepper)
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}

func sixDigits() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

// StartLogin sends a one-time code to phone and returns the challenge ID the
// browser must present with the code.
func (s *Service) StartLogin(ctx context.Context, phone string) (string, error) {
	key := attemptsPrefix + phone
	n := 0
	raw, err := s.store.Get(key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(raw)
	case errors.Is(err, edgekv.ErrNotFound):
	default:
		return "", err
	}
	if n >= maxAttempts {
		return "", ErrTooManyAttempts
	}
	if err := s.store.Put(key, strconv.Itoa(n+1), time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return "", err
	}

	code := sixDigits()
	ch := booking.OTPChallenge{
		ID:       booking.NewID(),
		Phone:    phone,
		CodeHash: s.hash(code),
		Created:  s.clock.Now(),
	}
	err = retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return edgekv.Save(ctx, s.store, ch)
	})
	if err != nil {
		return "", fmt.Errorf("store challenge: %w", err)
	}
	if err := s.sms.Send(ctx, phone, "Your Harbor Clinic code is "+code); err != nil {
		return "", err
	}

	if err := s.store.Put("ratelimit:sms:"+phone, s.clock.Now().UTC().Format(time.RFC3339), 10*time.Minute); err != nil { // EXPECT kvcounter
		return "", err
	}
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = resendWindowSeconds // EXPECT kvttl
	_ = s.store.Raw().PutString(sentPrefix+ch.ID, s.clock.Now().UTC().Format(time.RFC3339), opts)
	return ch.ID, nil
}

// Verify checks code against the challenge and opens a portal session.
func (s *Service) Verify(ctx context.Context, challengeID, code string) (booking.PortalSession, error) {
	ch, err := edgekv.Load[booking.OTPChallenge](ctx, s.store, "portal:otp:"+challengeID)
	if errors.Is(err, edgekv.ErrNotFound) {
		return booking.PortalSession{}, ErrExpired
	}
	if err != nil {
		return booking.PortalSession{}, err
	}
	if !hmac.Equal([]byte(ch.CodeHash), []byte(s.hash(code))) {
		if ch.Failures >= maxAttempts {
			return booking.PortalSession{}, ErrTooManyAttempts
		}
		ch.Failures++
		_ = edgekv.Save(ctx, s.store, ch) // EXPECT kvsession|kvrace
		return booking.PortalSession{}, ErrBadCode
	}
	if err := edgekv.Remove(ctx, s.store, ch); err != nil { // EXPECT kvsession
		return booking.PortalSession{}, err
	}

	now := s.clock.Now()
	sess := booking.PortalSession{
		ID:        booking.NewID(),
		PatientID: patientForPhone(ch.Phone),
		Phone:     ch.Phone,
		Created:   now,
		LastSeen:  now,
	}
	if err := edgekv.Save(ctx, s.store, sess); err != nil { // DEBATABLE kvsession
		return booking.PortalSession{}, err
	}
	return sess, nil
}

func patientForPhone(phone string) string {
	sum := sha256.Sum256([]byte("patient:" + phone))
	return hex.EncodeToString(sum[:8])
}

// Cookie renders the session cookie.
func Cookie(sess booking.PortalSession) *http.Cookie {
	return &http.Cookie{
		Name:     cookieName,
		Value:    sess.PatientID + "." + sess.ID,
		Path:     "/portal",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
		MaxAge:   int(sess.TTL().Seconds()),
	}
}

// Authenticate resolves the request's session cookie.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (booking.PortalSession, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return booking.PortalSession{}, ErrNoSession
	}
	patientID, sid, ok := strings.Cut(c.Value, ".")
	if !ok {
		return booking.PortalSession{}, ErrNoSession
	}
	if s.isRevoked(patientID, sid) {
		return booking.PortalSession{}, ErrRevoked
	}
	key := booking.PortalSession{PatientID: patientID, ID: sid}.Key()
	sess, err := edgekv.Load[booking.PortalSession](ctx, s.store, key)
	if err != nil {
		return booking.PortalSession{}, ErrNoSession
	}
	defer s.touch(ctx, key)
	return sess, nil
}

// touch records when the session was last used; the portal shows it under
// "recent sign-ins".
func (s *Service) touch(ctx context.Context, key string) {
	sess, err := edgekv.Load[booking.PortalSession](ctx, s.store, key)
	if err != nil {
		return
	}
	sess.LastSeen = s.clock.Now()
	_ = edgekv.Save(ctx, s.store, sess) // EXPECT kvsession|kvrace
}

func (s *Service) isRevoked(patientID, sid string) bool {
	raw, err := s.store.GetCached(revokedPrefix+patientID, 60)
	if err != nil {
		return false
	}
	var ids []string
	if json.Unmarshal([]byte(raw), &ids) != nil {
		return false
	}
	return slices.Contains(ids, sid)
}

// Logout ends sess.
func (s *Service) Logout(ctx context.Context, sess booking.PortalSession) error {
	if err := s.store.Delete(sess.Key()); err != nil { // EXPECT kvsession
		return err
	}
	return s.revoke(sess.PatientID, sess.ID)
}

func (s *Service) revoke(patientID, sid string) error {
	key := revokedPrefix + patientID
	var ids []string
	raw, err := s.store.Get(key)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	case errors.Is(err, edgekv.ErrNotFound):
	default:
		return err
	}
	ids = append(ids, sid)
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return s.store.Put(key, string(b), 24*time.Hour) // EXPECT kvsession|kvrace
}

// RevokeAll signs a patient out everywhere, after a phone number change.
func (s *Service) RevokeAll(ctx context.Context, patientID string) error {
	prefix := booking.PortalSession{PatientID: patientID}.Key()
	res, err := s.store.Raw().List(&kv.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.store.Delete(k.Name); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}

// IssueCSRF mints a nonce bound to sess.
func (s *Service) IssueCSRF(ctx context.Context, sess booking.PortalSession) (string, error) {
	n := booking.CSRFNonce{Value: booking.NewID(), SessionID: sess.ID}
	if err := edgekv.Save(ctx, s.store, n); err != nil {
		return "", err
	}
	return n.Value, nil
}

// CheckCSRF accepts a nonce issued to sess. Nonces are valid for the whole
// lifetime of the form, so a patient may resubmit after a validation error.
func (s *Service) CheckCSRF(ctx context.Context, sess booking.PortalSession, value string) bool {
	n, err := edgekv.Load[booking.CSRFNonce](ctx, s.store, booking.CSRFNonce{Value: value}.Key())
	return err == nil && n.SessionID == sess.ID
}

// Sessions lists a patient's open sessions, one page at a time.
func (s *Service) Sessions(patientID, cursor string) ([]string, string, error) {
	p := edgekv.Prefix(booking.PortalSession{PatientID: patientID}.Key())
	return p.Page(s.store, cursor, 50)
}

// NoteCodeSent keeps a short-lived audit line for the support desk.
func (s *Service) NoteCodeSent(challengeID, phone string) error {
	masked := "***" + phone[max(0, len(phone)-4):]
	if err := s.store.Put("portal:audit:"+challengeID, masked, 30*time.Second); err != nil { // EXPECT kvttl
		return err
	}
	return s.store.PutAtLeast("portal:audit-ui:"+challengeID, masked, 20*time.Second)
}
