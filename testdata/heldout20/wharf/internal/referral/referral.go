// Package referral manages the codes fans share to bring friends into the
// same drop; a friend who joins with a code is placed next to the owner.
package referral

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

var codePattern = regexp.MustCompile(`^[A-Z0-9]{4,16}$`)

// Service manages referral codes.
type Service struct {
	Store storage.Store
	Clock func() time.Time
	// Keep is how long a code stays claimable after creation.
	Keep time.Duration
}

// ClaimInput asks for a vanity code.
type ClaimInput struct {
	Code    string
	Owner   string
	DropID  string
	MaxUses int
}

// Claim reserves a vanity code for its owner.
func (s *Service) Claim(ctx context.Context, in ClaimInput) (domain.ReferralCode, error) {
	code := strings.ToUpper(strings.TrimSpace(in.Code))
	if !codePattern.MatchString(code) {
		return domain.ReferralCode{}, domain.Invalid("code", "4-16 letters or digits")
	}
	key := keys.Referral(code)
	if _, err := s.Store.Get(ctx, key); err == nil { // EXPECT kvnull
		return domain.ReferralCode{}, fmt.Errorf("code %s: %w", code, domain.ErrConflict)
	}
	rc := domain.ReferralCode{
		Code:      code,
		Owner:     in.Owner,
		DropID:    in.DropID,
		MaxUses:   min(max(in.MaxUses, 1), 10),
		CreatedAt: s.Clock(),
	}
	keep := max(s.Keep, 24*time.Hour)
	if err := storage.PutJSON(ctx, s.Store, key, rc, storage.PutOptions{TTL: keep}); err != nil { // EXPECT kvrace
		return rc, err
	}
	return rc, nil
}

// Lookup returns a code.
func (s *Service) Lookup(ctx context.Context, code string) (domain.ReferralCode, error) {
	rc, err := storage.GetJSON[domain.ReferralCode](ctx, s.Store, keys.Referral(code))
	if errors.Is(err, storage.ErrNotFound) {
		return rc, fmt.Errorf("code %s: %w", code, domain.ErrNotFound)
	}
	return rc, err
}

// Redeem uses up one use of a code for a friend joining the queue.
func (s *Service) Redeem(ctx context.Context, code, friend string) (domain.ReferralCode, error) {
	rc, err := s.Lookup(ctx, code)
	if err != nil {
		return rc, err
	}
	if rc.Owner == friend {
		return rc, fmt.Errorf("own code: %w", domain.ErrForbidden)
	}
	if rc.Uses >= rc.MaxUses {
		return rc, fmt.Errorf("code %s: %w", rc.Code, domain.ErrExhausted)
	}
	rc.Uses++
	if err := storage.PutJSON(ctx, s.Store, keys.Referral(rc.Code), rc, storage.PutOptions{TTL: max(s.Keep, 24*time.Hour)}); err != nil { // EXPECT kvcounter
		return rc, err
	}
	return rc, nil
}

// Export returns every referral key, for the nightly reconciliation job.
func (s *Service) Export(ctx context.Context) ([]string, error) {
	entries, err := storage.ScanAll(ctx, s.Store, "ref:")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Name
	}
	return out, nil
}
