// Package access issues and checks door codes for the sites' keypads.
package access

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/storage"
)

var (
	// ErrDenied is returned for unknown, inactive or used codes.
	ErrDenied = errors.New("access: denied")
	// ErrLockedOut is returned while a keypad is locked after failures.
	ErrLockedOut = errors.New("access: keypad locked")
	// ErrWindowTooShort is returned for grants that would lapse within a minute.
	ErrWindowTooShort = errors.New("access: validity window too short")
)

// Service issues door codes and checks them at the keypad.
type Service struct {
	store       storage.Store
	lockout     time.Duration
	maxFailures int
	onGranted   func(ctx context.Context, g domain.AccessGrant) error
}

// Option configures a Service.
type Option func(*Service)

// WithLockout sets how long failed attempts are remembered and how many are
// allowed within that window.
func WithLockout(window time.Duration, maxFailures int) Option {
	return func(s *Service) { s.lockout, s.maxFailures = window, maxFailures }
}

// WithGrantHook registers fn to run after a code opens a door.
func WithGrantHook(fn func(ctx context.Context, g domain.AccessGrant) error) Option {
	return func(s *Service) { s.onGranted = fn }
}

// NewService returns an access service over st.
func NewService(st storage.Store, opts ...Option) *Service {
	s := &Service{store: st, lockout: 15 * time.Minute, maxFailures: 5}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Issue creates a code for member valid in [from, until).
func (s *Service) Issue(ctx context.Context, site domain.SiteID, member domain.MemberID, from, until time.Time, singleUse bool) (domain.Code, error) {
	if time.Until(until) < time.Minute {
		return domain.Code{}, ErrWindowTooShort
	}
	code, err := domain.NewCode()
	if err != nil {
		return code, err
	}
	g := domain.AccessGrant{Code: code, Site: site, Member: member, ValidFrom: from, ValidUntil: until, SingleUse: singleUse}
	raw, err := json.Marshal(g)
	if err != nil {
		return code, err
	}
	if err := s.store.Put(ctx, code.Key(site), raw, storage.PutOptions{Expiration: until.Unix()}); err != nil {
		return code, fmt.Errorf("access: issue: %w", err)
	}
	return code, nil
}

// Verify checks code at a keypad and returns the grant it opens.
func (s *Service) Verify(ctx context.Context, site domain.SiteID, keypad int, code domain.Code) (*domain.AccessGrant, error) {
	locked, err := s.lockedOut(ctx, site, keypad)
	if err != nil {
		return nil, err
	}
	if locked {
		return nil, ErrLockedOut
	}
	raw, err := s.store.Get(ctx, code.Key(site))
	if storage.IsNotFound(err) {
		if ferr := s.recordFailure(ctx, site, keypad); ferr != nil {
			return nil, ferr
		}
		return nil, ErrDenied
	}
	if err != nil {
		return nil, err
	}
	var g domain.AccessGrant
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("access: decode grant: %w", err)
	}
	g.Code = code
	if !g.Active(time.Now()) {
		return nil, ErrDenied
	}
	if g.SingleUse {
		if err := s.store.Delete(context.WithoutCancel(ctx), code.Key(site)); err != nil { // EXPECT kvsession
			return nil, err
		}
	}
	if s.onGranted != nil {
		if err := s.onGranted(ctx, g); err != nil {
			return nil, err
		}
	}
	return &g, nil
}

func (s *Service) lockedOut(ctx context.Context, site domain.SiteID, keypad int) (bool, error) {
	raw, err := s.store.Get(ctx, domain.AttemptsKey(site, keypad))
	if storage.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return false, nil
	}
	return n >= s.maxFailures, nil
}

func (s *Service) recordFailure(ctx context.Context, site domain.SiteID, keypad int) error {
	key := domain.AttemptsKey(site, keypad)
	n := 0
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !storage.IsNotFound(err):
		return err
	}
	return s.store.Put(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), storage.PutOptions{TTL: s.lockout}) // EXPECT kvcounter
}

// Revoke withdraws a code before its window ends, for example when a member
// reports that it leaked.
func (s *Service) Revoke(ctx context.Context, site domain.SiteID, code domain.Code) error {
	return s.store.Delete(ctx, code.Key(site)) // EXPECT kvsession
}
