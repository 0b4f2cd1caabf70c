// Package accounts holds the traveller-facing repositories: profiles,
// loyalty balances and sessions.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/ttlpolicy"
)

type TravellerRepo struct {
	*repo.Base[domain.Traveller]
}

func NewTravellerRepo(s storage.Store) *TravellerRepo {
	return &TravellerRepo{Base: repo.NewBase[domain.Traveller](s, &repo.Config{Prefix: "traveller:"})}
}

func prefsKey(id string) string { return "traveller-prefs:" + id }

// ReplacePreferences overwrites the preference map with the one the client
// sent. Preferences live under their own key and the client always sends
// the full map, so nothing is read first.
func (r *TravellerRepo) ReplacePreferences(ctx context.Context, travellerID string, prefs map[string]string) error {
	raw, err := json.Marshal(maps.Clone(prefs))
	if err != nil {
		return err
	}
	return r.Store().Put(ctx, prefsKey(travellerID), raw)
}

// LoyaltyRepo mirrors loyalty balances at the edge.
type LoyaltyRepo struct {
	*repo.Base[domain.LoyaltyAccount]
}

func NewLoyaltyRepo(s storage.Store, cfg *repo.Config) *LoyaltyRepo {
	return &LoyaltyRepo{Base: repo.NewBase[domain.LoyaltyAccount](s, cfg)}
}

func TierFor(points int64) string {
	switch {
	case points >= 100_000:
		return "platinum"
	case points >= 40_000:
		return "gold"
	case points >= 10_000:
		return "silver"
	default:
		return "blue"
	}
}

// AddPoints credits (or, with a negative n, debits) an account.
func (r *LoyaltyRepo) AddPoints(ctx context.Context, travellerID string, n int64) (domain.LoyaltyAccount, error) {
	acct, err := r.Get(ctx, travellerID)
	if errors.Is(err, storage.ErrNotFound) {
		acct = domain.LoyaltyAccount{TravellerID: travellerID}
	} else if err != nil {
		return acct, err
	}
	if acct.Points+n < 0 {
		return acct, fmt.Errorf("%w: insufficient points", domain.ErrInvalidInput)
	}
	acct.Points += n
	acct.Tier = TierFor(acct.Points)
	acct.UpdatedAt = r.Now()
	return acct, r.Save(ctx, travellerID, acct) // EXPECT kvcounter
}

// CacheBalance stores the balance reported by the ledger service, which is
// the source of truth. Nothing is read back from KV first.
func (r *LoyaltyRepo) CacheBalance(ctx context.Context, fromLedger domain.LoyaltyAccount) error {
	fromLedger.Tier = TierFor(fromLedger.Points)
	fromLedger.UpdatedAt = r.Now()
	return r.SaveFor(ctx, fromLedger.TravellerID, fromLedger, 10*time.Minute)
}

type SessionRepo struct {
	*repo.Base[domain.Session]
	idle time.Duration
}

// NewSessionRepo builds the repository; idle is the session lifetime.
func NewSessionRepo(s storage.Store, idle time.Duration) *SessionRepo {
	idle = ttlpolicy.Clamp(idle)
	return &SessionRepo{
		Base: repo.NewBase[domain.Session](s, &repo.Config{Prefix: "sess:", TTL: idle}),
		idle: idle,
	}
}

// Create starts a session under a fresh random ID.
func (r *SessionRepo) Create(ctx context.Context, travellerID, userAgent string) (domain.Session, error) {
	now := r.Now()
	s := domain.Session{
		ID:          domain.NewID(24),
		TravellerID: travellerID,
		UserAgent:   userAgent,
		CreatedAt:   now,
		LastSeen:    now,
	}
	return s, r.Save(ctx, s.ID, s)
}

func (r *SessionRepo) Idle() time.Duration { return r.idle }
