// Package giftcard issues and redeems stored-value gift cards.
package giftcard

import (
	"context"
	"crypto/rand"
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
	ErrNotFound     = errors.New("giftcard: not found")
	ErrCodeTaken    = errors.New("giftcard: code already in use")
	ErrInsufficient = errors.New("giftcard: insufficient balance")
	ErrInactive     = errors.New("giftcard: card is not active")
	ErrBadCode      = errors.New("giftcard: malformed code")
)

// Status of a card.
type Status string

const (
	Active  Status = "active"
	Frozen  Status = "frozen"
	Drained Status = "drained"
)

// Card is a gift card and its remaining balance.
type Card struct {
	Code      string      `json:"code"`
	ShopID    string      `json:"shop_id"`
	Balance   money.Cents `json:"balance"`
	Initial   money.Cents `json:"initial"`
	Status    Status      `json:"status"`
	IssuedAt  time.Time   `json:"issued_at"`
	ExpiresAt time.Time   `json:"expires_at"`
}

// Key returns the card's storage key.
func (c Card) Key() string { return consts.PrefixCard.Key(c.Code) }

// Service manages cards in the ledger namespace.
type Service struct {
	store storage.Store
	cfg   config.Cards
	now   func() time.Time
}

// New returns a Service.
func New(store storage.Store, cfg config.Cards) *Service {
	return &Service{store: store, cfg: cfg, now: time.Now}
}

// Crockford base32 without I, L, O, U.
const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

func (s *Service) newCode() string {
	b := make([]byte, s.cfg.CodeLength)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NormalizeCode upper-cases a code and strips separators.
func NormalizeCode(code string) (string, error) {
	code = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(code))
	if len(code) < 6 || len(code) > 32 {
		return "", ErrBadCode
	}
	for _, r := range code {
		if !strings.ContainsRune(alphabet, r) {
			return "", ErrBadCode
		}
	}
	return code, nil
}

func (s *Service) write(ctx context.Context, c Card, opts ...storage.PutOption) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, c.Key(), string(b), opts...)
}

// Get loads a card by code.
func (s *Service) Get(ctx context.Context, code string) (Card, error) {
	var c Card
	raw, err := s.store.Get(ctx, consts.PrefixCard.Key(code))
	if storage.IsNotFound(err) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return c, fmt.Errorf("giftcard: decode %s: %w", code, err)
	}
	return c, nil
}

func (s *Service) mint(shopID, code string, amount money.Cents) Card {
	now := s.now().UTC()
	return Card{
		Code: code, ShopID: shopID, Balance: amount, Initial: amount, Status: Active,
		IssuedAt: now, ExpiresAt: now.Add(s.cfg.Validity),
	}
}

// Issue creates a card with a random code.
func (s *Service) Issue(ctx context.Context, shopID string, amount money.Cents) (Card, error) {
	if amount <= 0 {
		return Card{}, errors.New("giftcard: amount must be positive")
	}
	c := s.mint(shopID, s.newCode(), amount)
	return c, s.write(ctx, c, storage.ExpireAt(c.ExpiresAt.Unix()))
}

// IssueBatch creates n cards of the same amount and records them in the
// shop's card index.
func (s *Service) IssueBatch(ctx context.Context, shopID string, n int, amount money.Cents) ([]Card, error) {
	if n < 1 || n > s.cfg.MaxBatch {
		return nil, fmt.Errorf("giftcard: batch size %d out of range", n)
	}
	cards := make([]Card, 0, n)
	codes := make([]string, 0, n)
	for range n {
		c, err := s.Issue(ctx, shopID, amount)
		if err != nil {
			return cards, err
		}
		cards = append(cards, c)
		codes = append(codes, c.Code)
		if err := s.store.Put(ctx, consts.PrefixCardIndex.Key(shopID), strings.Join(codes, ",")); err != nil { // EXPECT kvhotkey
			return cards, err
		}
	}
	return cards, nil
}

// ClaimCode issues a card under a code chosen by the shop, such as a
// printed promotional code.
func (s *Service) ClaimCode(ctx context.Context, shopID, code string, amount money.Cents) (Card, error) {
	code, err := NormalizeCode(code)
	if err != nil {
		return Card{}, err
	}
	key := consts.PrefixCard.Key(code)
	if _, err := s.store.Get(ctx, key); err == nil {
		return Card{}, ErrCodeTaken
	} else if !storage.IsNotFound(err) {
		return Card{}, err
	}
	c := s.mint(shopID, code, amount)
	b, err := json.Marshal(c)
	if err != nil {
		return c, err
	}
	return c, s.store.Put(ctx, key, string(b), storage.ExpireAt(c.ExpiresAt.Unix())) // EXPECT kvrace
}

// Redeem takes amount off the card's balance.
func (s *Service) Redeem(ctx context.Context, code string, amount money.Cents) (Card, error) {
	c, err := s.Get(ctx, code)
	if err != nil {
		return c, err
	}
	if c.Status != Active || s.now().After(c.ExpiresAt) {
		return c, ErrInactive
	}
	if amount <= 0 || c.Balance < amount {
		return c, ErrInsufficient
	}
	c.Balance -= amount
	if c.Balance == 0 {
		c.Status = Drained
	}
	err = s.write(ctx, c, storage.ExpireAt(c.ExpiresAt.Unix())) // EXPECT kvcounter|kvrace
	return c, err
}

// Mirror stores a card snapshot sent by the shop's point-of-sale system,
// which is the system of record for cards sold at the till.
func (s *Service) Mirror(ctx context.Context, c Card) error {
	if c.Code == "" || c.ShopID == "" {
		return errors.New("giftcard: incomplete snapshot")
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.IssuedAt.Add(s.cfg.Validity)
	}
	return s.write(ctx, c,
		storage.ExpireAt(c.ExpiresAt.UnixMilli())) // EXPECT kvttl
}
