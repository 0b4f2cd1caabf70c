// Package points keeps loyalty point balances per shop customer and the
// transaction history behind them.
package points

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/ledger/internal/config"
	"example.com/ledger/internal/consts"
	"example.com/ledger/internal/money"
	"example.com/ledger/internal/storage"
)

var (
	ErrInsufficient = errors.New("points: insufficient balance")
	ErrNoAccount    = errors.New("points: no such account")
)

// Account is a customer's standing with one shop.
type Account struct {
	ShopID     string    `json:"shop_id"`
	CustomerID string    `json:"customer_id"`
	Balance    int64     `json:"balance"`
	Lifetime   int64     `json:"lifetime"`
	Tier       string    `json:"tier"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Key returns the account's storage key.
func (a Account) Key() string { return consts.PrefixAccount.Key(a.ShopID, a.CustomerID) }

// Txn is one movement of points.
type Txn struct {
	ID     string    `json:"id"`
	Delta  int64     `json:"delta"`
	Reason string    `json:"reason"`
	Ref    string    `json:"ref,omitempty"`
	At     time.Time `json:"at"`
}

// Quote reserves a redemption price for a short while.
type Quote struct {
	ID         string      `json:"id"`
	ShopID     string      `json:"shop_id"`
	CustomerID string      `json:"customer_id"`
	Points     int64       `json:"points"`
	Value      money.Cents `json:"value"`
	CreatedAt  time.Time   `json:"created_at"`
}

// Service implements earning, redeeming and statements.
type Service struct {
	store storage.Store
	cfg   config.Points
	now   func() time.Time
}

// New returns a Service over store.
func New(store storage.Store, cfg config.Points) *Service {
	return &Service{store: store, cfg: cfg, now: time.Now}
}

func txnPrefix(shopID, customerID string) string {
	return consts.PrefixTxn.Key(shopID, customerID) + ":"
}

func newID(t time.Time) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	// Time-ordered so listings come back oldest first.
	return fmt.Sprintf("%013d-%s", t.UnixMilli(), hex.EncodeToString(b[:]))
}

func (s *Service) load(ctx context.Context, key string, opts ...storage.GetOption) (Account, error) {
	var a Account
	raw, err := s.store.Get(ctx, key, opts...)
	if storage.IsNotFound(err) {
		return a, ErrNoAccount
	}
	if err != nil {
		return a, err
	}
	return a, json.Unmarshal([]byte(raw), &a)
}

func (s *Service) save(ctx context.Context, a Account) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, a.Key(), string(b))
}

// Balance returns the account, served from the edge cache when warm.
func (s *Service) Balance(ctx context.Context, shopID, customerID string) (Account, error) {
	return s.load(ctx, Account{ShopID: shopID, CustomerID: customerID}.Key(),
		storage.CacheFor(consts.BalanceCacheFor)) // EXPECT kvttl
}

// Earn credits points for a purchase of amount.
func (s *Service) Earn(ctx context.Context, shopID, customerID string, amount money.Cents, ref string) (Account, error) {
	pts := amount.Points(s.cfg.PerDollar)
	if pts == 0 {
		return s.Balance(ctx, shopID, customerID)
	}
	return s.adjust(ctx, shopID, customerID, pts, "purchase", ref)
}

// Redeem debits pts, typically against a quote given as ref.
func (s *Service) Redeem(ctx context.Context, shopID, customerID string, pts int64, ref string) (Account, error) {
	return s.adjust(ctx, shopID, customerID, -pts, "redeem", ref)
}

func (s *Service) adjust(ctx context.Context, shopID, customerID string, delta int64, reason, ref string) (Account, error) {
	now := s.now()
	a, err := s.load(ctx, Account{ShopID: shopID, CustomerID: customerID}.Key())
	switch {
	case errors.Is(err, ErrNoAccount) && delta > 0:
		a = Account{ShopID: shopID, CustomerID: customerID, Tier: "member"}
	case err != nil:
		return a, err
	}
	if a.Balance+delta < 0 {
		return a, ErrInsufficient
	}
	a.Balance += delta
	if delta > 0 {
		a.Lifetime += delta
	}
	a.Tier = tierFor(a.Lifetime)
	a.UpdatedAt = now
	if err := s.save(ctx, a); err != nil { // EXPECT kvcounter|kvrace
		return a, err
	}
	t := Txn{ID: newID(now), Delta: delta, Reason: reason, Ref: ref, At: now}
	b, _ := json.Marshal(t)
	days := time.Duration(max(s.cfg.StatementDays, 1)) * 24 * time.Hour
	return a, s.store.Put(ctx, txnPrefix(shopID, customerID)+t.ID, string(b), storage.WithTTL(days))
}

func tierFor(lifetime int64) string {
	switch {
	case lifetime >= 50000:
		return "gold"
	case lifetime >= 10000:
		return "silver"
	default:
		return "member"
	}
}

// NewQuote prices a redemption and holds it for the quote window.
func (s *Service) NewQuote(ctx context.Context, shopID, customerID string, pts int64, value money.Cents) (Quote, error) {
	q := Quote{ID: newID(s.now()), ShopID: shopID, CustomerID: customerID, Points: pts, Value: value, CreatedAt: s.now()}
	b, err := json.Marshal(q)
	if err != nil {
		return q, err
	}
	key := consts.PrefixQuote.Key(shopID, q.ID)
	return q, s.store.Put(ctx, key, string(b),
		storage.WithTTL(max(2*s.cfg.QuoteWindow, 10*time.Second))) // EXPECT kvttl
}

// Statement returns up to limit recent transactions, oldest first.
func (s *Service) Statement(ctx context.Context, shopID, customerID string, limit int) ([]Txn, error) {
	limit = min(max(limit, 1), consts.StatementPage)
	out := make([]Txn, 0, limit)
	for key, err := range storage.Keys(ctx, s.store, txnPrefix(shopID, customerID)) {
		if err != nil {
			return out, err
		}
		raw, err := s.store.Get(ctx, key) // EXPECT kvlist
		if storage.IsNotFound(err) {
			continue
		}
		if err != nil {
			return out, err
		}
		var t Txn
		if err := json.Unmarshal([]byte(raw), &t); err != nil {
			return out, fmt.Errorf("points: txn %s: %w", strings.TrimPrefix(key, txnPrefix(shopID, customerID)), err)
		}
		out = append(out, t)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}
