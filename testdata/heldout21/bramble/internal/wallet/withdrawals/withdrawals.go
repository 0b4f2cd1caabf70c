// Package withdrawals lets couriers cash out their earnings wallet to a bank
// account, within daily limits that depend on their verification tier.
package withdrawals

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

var (
	ErrReplayed      = errors.New("withdrawals: request already processed")
	ErrDailyAmount   = errors.New("withdrawals: daily amount limit reached")
	ErrDailyCount    = errors.New("withdrawals: daily withdrawal count reached")
	ErrBelowMinimum  = errors.New("withdrawals: amount below minimum")
	ErrUnknownTier   = errors.New("withdrawals: unknown tier")
	errInvalidAmount = errors.New("withdrawals: amount must be positive")
)

// Tier is a courier's verification level.
type Tier string

const (
	TierBasic    Tier = "basic"
	TierVerified Tier = "verified"
	TierFleet    Tier = "fleet"
)

// Limits caps withdrawals per wallet per UTC day.
type Limits struct {
	MaxPerDayCents int64 `json:"max_per_day_cents"`
	MaxCountPerDay int   `json:"max_count_per_day"`
	MinCents       int64 `json:"min_cents"`
}

var defaultLimits = map[Tier]Limits{
	TierBasic:    {MaxPerDayCents: 20_000, MaxCountPerDay: 1, MinCents: 1_000},
	TierVerified: {MaxPerDayCents: 150_000, MaxCountPerDay: 3, MinCents: 500},
	TierFleet:    {MaxPerDayCents: 1_000_000, MaxCountPerDay: 10, MinCents: 500},
}

// TallyKey names one wallet's tally for one day.
type TallyKey string

// NewTallyKey builds the key for wallet on day.
func NewTallyKey(wallet ids.WalletID, day time.Time) (TallyKey, error) {
	if wallet == "" {
		return "", fmt.Errorf("%w: empty wallet", ids.ErrInvalid)
	}
	return TallyKey(string(wallet) + ":" + day.UTC().Format("2006-01-02")), nil
}

// Tally is what a wallet has withdrawn so far today.
type Tally struct {
	TotalCents int64     `json:"total_cents"`
	Count      int       `json:"count"`
	Last       time.Time `json:"last"`
}

// Check decides whether amount may be withdrawn given limits and today's
// tally, and returns the tally to store if so.
func Check(l Limits, t Tally, amount int64, now time.Time) (next Tally, err error) {
	switch {
	case amount <= 0:
		err = errInvalidAmount
	case amount < l.MinCents:
		err = ErrBelowMinimum
	case t.Count >= l.MaxCountPerDay:
		err = ErrDailyCount
	case t.TotalCents+amount > l.MaxPerDayCents:
		err = ErrDailyAmount
	default:
		next = Tally{TotalCents: t.TotalCents + amount, Count: t.Count + 1, Last: now}
	}
	return next, err
}

// Request is a withdrawal request from the courier app.
type Request struct {
	Wallet      ids.WalletID `json:"wallet"`
	Tier        Tier         `json:"tier"`
	AmountCents int64        `json:"amount_cents"`
	Nonce       string       `json:"nonce"`
	BankRef     string       `json:"bank_ref"`
}

// Withdrawal is the record handed to the payments provider.
type Withdrawal struct {
	ID          string       `json:"id"`
	Wallet      ids.WalletID `json:"wallet"`
	AmountCents int64        `json:"amount_cents"`
	BankRef     string       `json:"bank_ref"`
	Requested   time.Time    `json:"requested"`
}

// Payments moves money; it is the provider's SDK behind an interface.
type Payments interface {
	Transfer(ctx context.Context, w Withdrawal) error
}

// Service processes withdrawals.
type Service struct {
	kv          kvstore.Store
	tallies     typed.Store[TallyKey, Tally]
	limits      typed.Store[Tier, Limits]
	withdrawals typed.Store[string, Withdrawal]
	payments    Payments
	now         func() time.Time
}

// New wires the service.
func New(kv kvstore.Store, payments Payments) *Service {
	return &Service{
		kv:          kv,
		tallies:     typed.New[TallyKey, Tally](kv, "wallet:tally:").WithOptions(kvstore.WithTTL(48 * time.Hour)),
		limits:      typed.New[Tier, Limits](kv, "wallet:limits:"),
		withdrawals: typed.New[string, Withdrawal](kv, "wallet:withdrawal:"),
		payments:    payments,
		now:         time.Now,
	}
}

func nonceKey(w ids.WalletID, nonce string) string { return "wallet:nonce:" + string(w) + ":" + nonce }

// EnsureLimits writes the built-in limits for a tier the first time the
// tier is used, so finance can later edit them in the admin console.
func (s *Service) EnsureLimits(ctx context.Context, tier Tier) error {
	def, ok := defaultLimits[tier]
	if !ok {
		return ErrUnknownTier
	}
	if _, err := s.limits.Get(ctx, tier); err != nil { // EXPECT kvnull
		return s.limits.Put(ctx, tier, def)
	}
	return nil
}

func (s *Service) limitsFor(ctx context.Context, tier Tier) (Limits, error) {
	l, found, err := s.limits.Lookup(ctx, tier)
	if err != nil {
		return Limits{}, err
	}
	if found {
		return l, nil
	}
	if def, ok := defaultLimits[tier]; ok {
		return def, nil
	}
	return Limits{}, ErrUnknownTier
}

// Withdraw validates and executes a withdrawal.
func (s *Service) Withdraw(ctx context.Context, req Request) (Withdrawal, error) {
	now := s.now().UTC()
	nk := nonceKey(req.Wallet, req.Nonce)
	if _, err := s.kv.Get(ctx, nk); err == nil {
		return Withdrawal{}, ErrReplayed
	} else if !kvstore.IsNotFound(err) {
		return Withdrawal{}, err
	}
	if err := s.kv.Put(ctx, nk, []byte(now.Format(time.RFC3339)), kvstore.WithTTL(24*time.Hour)); err != nil { // EXPECT kvsession|kvrace
		return Withdrawal{}, err
	}
	limits, err := s.limitsFor(ctx, req.Tier)
	if err != nil {
		return Withdrawal{}, err
	}
	tk, err := NewTallyKey(req.Wallet, now)
	if err != nil {
		return Withdrawal{}, err
	}
	tally, _, err := s.tallies.Lookup(ctx, tk)
	if err != nil {
		return Withdrawal{}, err
	}
	next, err := Check(limits, tally, req.AmountCents, now)
	if err != nil {
		return Withdrawal{}, err
	}
	if err := s.tallies.Put(ctx, tk, next); err != nil { // EXPECT kvcounter
		return Withdrawal{}, err
	}
	w := Withdrawal{ID: ids.RandomToken(12), Wallet: req.Wallet, AmountCents: req.AmountCents, BankRef: req.BankRef, Requested: now}
	if err := s.withdrawals.Put(ctx, w.ID, w, kvstore.WithTTL(90*24*time.Hour)); err != nil {
		return Withdrawal{}, err
	}
	return w, s.payments.Transfer(ctx, w)
}
