// Package giftcard issues and redeems single-use gift-card codes.
package giftcard

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
)

var now = time.Now

var (
	ErrUnknownCode = errors.New("giftcard: unknown or expired code")
	ErrLockedOut   = errors.New("giftcard: too many failed attempts, try later")
	ErrWrongVenue  = errors.New("giftcard: code is not valid at this restaurant")
)

const (
	codeAlphabet   = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	codeLength     = 12
	maxFailures    = 8
	failureWindow  = 15 * time.Minute
	cardValidity   = 365 * 24 * time.Hour
	redemptionKeep = 90 * 24 * time.Hour
)

// Card is an issued gift card.
type Card struct {
	Code        string    `json:"code"`
	AmountCents int64     `json:"amount_cents"`
	Group       string    `json:"group"`
	IssuedAt    time.Time `json:"issued_at"`
	Purchaser   string    `json:"purchaser,omitempty"`
}

// Redemption records a used card.
type Redemption struct {
	Code        string    `json:"code"`
	Order       string    `json:"order"`
	Restaurant  string    `json:"restaurant"`
	AmountCents int64     `json:"amount_cents"`
	At          time.Time `json:"at"`
}

// Service issues and redeems cards.
type Service struct {
	rw    store.ReadWriter
	venue func(restaurant string) string // restaurant → group
}

// New returns a gift-card service.
func New(rw store.ReadWriter, groupOf func(restaurant string) string) *Service {
	return &Service{rw: rw, venue: groupOf}
}

// Issue creates a card for a restaurant group.
func (s *Service) Issue(ctx context.Context, group, purchaser string, amountCents int64) (Card, error) {
	code, err := newCode()
	if err != nil {
		return Card{}, err
	}
	key := keys.GiftCard(code).String()
	if _, err := s.rw.Get(ctx, key); err == nil {
		return Card{}, fmt.Errorf("giftcard: code collision, retry")
	} else if !errors.Is(err, store.ErrNotFound) {
		return Card{}, err
	}
	c := Card{Code: code, AmountCents: amountCents, Group: group, IssuedAt: now().UTC(), Purchaser: purchaser}
	if err := store.PutJSON(ctx, s.rw, key, c, store.SecondsOf(cardValidity)); err != nil { // DEBATABLE kvrace
		return Card{}, err
	}
	return c, nil
}

// Redeem uses a code against an order. Cards are single use.
func (s *Service) Redeem(ctx context.Context, code, order, restaurant, clientIP string) (Redemption, error) {
	if err := s.checkLockout(ctx, clientIP); err != nil {
		return Redemption{}, err
	}
	key := keys.GiftCard(code).String()
	c, ok, err := store.GetJSON[Card](ctx, s.rw, key)
	if err != nil {
		return Redemption{}, err
	}
	if !ok {
		return Redemption{}, errors.Join(ErrUnknownCode, s.recordFailure(ctx, clientIP))
	}
	if s.venue(restaurant) != c.Group {
		return Redemption{}, ErrWrongVenue
	}
	if err := s.rw.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Redemption{}, fmt.Errorf("giftcard: consume: %w", err)
	}
	r := Redemption{Code: c.Code, Order: order, Restaurant: restaurant, AmountCents: c.AmountCents, At: now().UTC()}
	if err := store.PutJSON(ctx, s.rw, keys.GiftCard(code).Redemption(order), r, store.SecondsOf(redemptionKeep)); err != nil {
		return r, fmt.Errorf("giftcard: record redemption: %w", err)
	}
	return r, nil
}

func attemptsKey(ip string) string { return keys.Join("giftcard-attempts", ip) }

func (s *Service) checkLockout(ctx context.Context, ip string) error {
	raw, err := s.rw.Get(ctx, attemptsKey(ip))
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n, _ := strconv.Atoi(string(raw)); n >= maxFailures {
		return ErrLockedOut
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, ip string) error {
	n := 0
	raw, err := s.rw.Get(ctx, attemptsKey(ip))
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.rw.Put(ctx, attemptsKey(ip), []byte(strconv.Itoa(n+1)), store.SecondsOf(failureWindow)) // EXPECT kvcounter
}

func newCode() (string, error) {
	var b [codeLength]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:]), nil
}
