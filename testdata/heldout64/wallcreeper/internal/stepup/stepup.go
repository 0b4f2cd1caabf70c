// Package stepup issues and checks the six-digit step-up codes that staff
// must enter before opening a patient record on a shared clinic device.
package stepup

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"sync"
	"time"

	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

// ErrInvalidCode is returned when the code is wrong or expired.
var ErrInvalidCode = errors.New("stepup: invalid or expired code")

// ErrLockedOut is returned while a user is locked out for the day.
var ErrLockedOut = errors.New("stepup: locked out")

// Sender delivers a code by SMS.
type Sender interface {
	Send(ctx context.Context, phone, text string) error
}

// Service issues and checks codes.
type Service struct {
	NS     *kvstore.Namespace
	Sender Sender

	mu   sync.Mutex
	sent map[string]int // SMS sent per clinic this month, flushed by FlushQuota
}

func codeKey(userID, device string) string { return fmt.Sprintf("stepup/%s/%s", userID, device) }
func lockoutKey(userID string) string      { return "lockout/" + userID }

// Issue sends a new code to the user's phone.
func (s *Service) Issue(ctx context.Context, clinicID, userID, device, phone string) error {
	if _, err := s.NS.Get(ctx, lockoutKey(userID)); err == nil {
		return ErrLockedOut
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	if err := s.NS.PutUntil(ctx, codeKey(userID, device), []byte(code),
		time.Now().Add(45*time.Second)); err != nil { // EXPECT kvttl
		return err
	}
	s.mu.Lock()
	if s.sent == nil {
		s.sent = map[string]int{}
	}
	s.sent[clinicID]++
	s.mu.Unlock()
	return s.Sender.Send(ctx, phone, "Your clinic verification code: "+code)
}

// Verify checks a code and consumes it.
func (s *Service) Verify(ctx context.Context, userID, device, code string) error {
	raw, err := s.NS.Get(ctx, codeKey(userID, device))
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrInvalidCode
	}
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(raw, []byte(code)) != 1 {
		return ErrInvalidCode
	}
	return s.NS.Delete(ctx, codeKey(userID, device)) // EXPECT kvsession
}

// LockOut blocks further codes for the user until the end of the day.
func (s *Service) LockOut(ctx context.Context, userID string, now time.Time) error {
	y, m, d := now.Date()
	endOfDay := time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())
	return s.NS.Put(ctx, lockoutKey(userID), []byte(now.UTC().Format(time.RFC3339)),
		time.Until(endOfDay)) // EXPECT kvttl
}

// LockOutWeek blocks further codes until the end of the ISO week.
func (s *Service) LockOutWeek(ctx context.Context, userID string, now time.Time) error {
	daysLeft := (8 - int(now.Weekday())) % 7
	y, m, d := now.Date()
	endOfWeek := time.Date(y, m, d+daysLeft, 0, 0, 0, 0, now.Location())
	return s.NS.Put(ctx, lockoutKey(userID), []byte(now.UTC().Format(time.RFC3339)),
		max(time.Until(endOfWeek), time.Minute))
}

// FlushQuota writes the monthly SMS totals so that billing can read them.
func (s *Service) FlushQuota(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	snapshot := make(map[string]int, len(s.sent))
	for k, v := range s.sent {
		snapshot[k] = v
	}
	s.mu.Unlock()
	month := now.UTC().Format("2006-01")
	var errs []error
	for clinic, n := range snapshot {
		key := fmt.Sprintf("quota/%s/sms/%s", clinic, month)
		if err := s.NS.Put(ctx, key, []byte(strconv.Itoa(n)), 62*24*time.Hour); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
