// Package promo manages promotion codes. Each code may be used once per
// customer and a limited number of times overall.
package promo

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
)

var (
	ErrUnknown     = errors.New("promo: unknown code")
	ErrExpired     = errors.New("promo: code expired")
	ErrAlreadyUsed = errors.New("promo: already used by this customer")
	ErrExhausted   = errors.New("promo: code exhausted")
)

// Code is one promotion code.
type Code struct {
	Code        string    `json:"code"`
	PercentOff  int       `json:"percent_off"`
	MaxUses     int       `json:"max_uses"`
	Uses        int       `json:"uses"`
	ValidUntil  time.Time `json:"valid_until"`
	Restaurants []string  `json:"restaurants,omitempty"`

	book *Book
}

// Book stores codes and their redemptions.
type Book struct {
	ns   cfkv.Namespace
	memo sync.Map // code -> any (*Code, or error for a known-bad code)
}

// NewBook returns a Book over ns.
func NewBook(ns cfkv.Namespace) *Book { return &Book{ns: ns} }

func codeKey(code string) string { return "promo:" + strings.ToUpper(code) }

// Find loads a code, remembering the answer for the life of the process.
func (b *Book) Find(ctx context.Context, code string) (*Code, error) {
	if v, ok := b.memo.Load(code); ok {
		if c, ok := cfkv.As[*Code](v); ok {
			return c, nil
		}
		if err, ok := cfkv.As[error](v); ok {
			return nil, err
		}
	}
	raw, err := b.ns.Get(ctx, codeKey(code))
	if cfkv.IsNotFound(err) {
		b.memo.Store(code, ErrUnknown)
		return nil, ErrUnknown
	}
	if err != nil {
		return nil, err
	}
	c := &Code{book: b}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, err
	}
	b.memo.Store(code, c)
	return c, nil
}

// Redeem records that customerID used the code.
func (c *Code) Redeem(ctx context.Context, customerID string) error {
	if time.Now().After(c.ValidUntil) {
		return ErrExpired
	}
	if c.MaxUses > 0 && c.Uses >= c.MaxUses {
		return ErrExhausted
	}
	usedKey := codeKey(c.Code) + ":used:" + customerID
	if _, err := c.book.ns.Get(ctx, usedKey); err == nil {
		return ErrAlreadyUsed
	} else if !cfkv.IsNotFound(err) {
		return err
	}
	keep := max(time.Until(c.ValidUntil), 0) + 30*24*time.Hour
	if err := c.book.ns.Put(ctx, usedKey, []byte(time.Now().UTC().Format(time.RFC3339)), keep); err != nil { // EXPECT kvrace
		return err
	}
	c.Uses++
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return c.book.ns.Put(ctx, codeKey(c.Code), raw, 0) // EXPECT kvcounter|kvrace
}

// Publish writes a code created in the marketing console.
func (b *Book) Publish(ctx context.Context, c Code) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	b.memo.Delete(c.Code)
	return b.ns.PutUntil(ctx, codeKey(c.Code), raw, c.ValidUntil.Add(30*24*time.Hour))
}

// Import writes a batch of codes with the bulk endpoint.
func (b *Book) Import(ctx context.Context, codes []Code) error {
	entries := make([]cfkv.Entry, 0, len(codes))
	for _, c := range codes {
		raw, err := json.Marshal(c)
		if err != nil {
			return err
		}
		entries = append(entries, cfkv.Entry{
			Key:      codeKey(c.Code),
			Value:    string(raw),
			TTL:      time.Until(c.ValidUntil) + 30*24*time.Hour,
			Metadata: map[string]any{"pct": c.PercentOff, "until": c.ValidUntil.Unix()},
		})
	}
	return b.ns.PutMany(ctx, entries)
}
