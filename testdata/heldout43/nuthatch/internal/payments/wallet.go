//go:build !js

// Package payments keeps prepaid driver wallets, card authorization holds and
// receipts, and consumes the payment provider's webhooks.
package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
	"github.com/cityparking/nuthatch/internal/retry"
)

// ErrInsufficientFunds is returned when a charge exceeds the wallet balance.
var ErrInsufficientFunds = errors.New("payments: insufficient funds")

// Movement is one line of a wallet's history.
type Movement struct {
	At     time.Time `json:"at"`
	Cents  int64     `json:"cents"`
	Ref    string    `json:"ref"`
	Reason string    `json:"reason"`
}

// Wallet is a driver's prepaid balance.
type Wallet struct {
	Account      string     `json:"account"`
	Currency     string     `json:"currency"`
	BalanceCents int64      `json:"balance_cents"`
	UpdatedAt    time.Time  `json:"updated_at"`
	History      []Movement `json:"history"`
}

const historyLen = 50

// Ledger moves money in and out of wallets.
type Ledger struct {
	Tenants *kvstore.Registry
	Clock   clock.Clock
}

// mutateWallet loads a wallet, applies fn and stores the result.
func (l *Ledger) mutateWallet(ctx context.Context, t *kvstore.Tenant, account string, fn func(*Wallet) error) (*Wallet, error) {
	key := kvkeys.WalletKey(account).String()
	w := &Wallet{Account: account, Currency: "USD"}
	raw, err := t.KV.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, w); err != nil {
			return nil, fmt.Errorf("wallet %s: %w", account, err)
		}
	case !errors.Is(err, domain.ErrNotFound):
		return nil, err
	}
	if err := fn(w); err != nil {
		return nil, err
	}
	w.UpdatedAt = l.Clock.Now()
	if n := len(w.History); n > historyLen {
		w.History = w.History[n-historyLen:]
	}
	body, err := json.Marshal(w)
	if err != nil {
		return nil, err
	}
	if err := t.KV.Put(ctx, key, body, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return w, nil
}

// TopUp credits a wallet after a successful card payment.
func (l *Ledger) TopUp(ctx context.Context, city, account string, cents int64, ref string) (*Wallet, error) {
	t, err := l.Tenants.For(city)
	if err != nil {
		return nil, err
	}
	return l.mutateWallet(ctx, t, account, func(w *Wallet) error {
		w.BalanceCents += cents
		w.History = append(w.History, Movement{At: l.Clock.Now(), Cents: cents, Ref: ref, Reason: "top-up"})
		return nil
	})
}

// Charge debits a wallet for a parking session.
func (l *Ledger) Charge(ctx context.Context, city, account string, cents int64, ref string) (*Wallet, error) {
	t, err := l.Tenants.For(city)
	if err != nil {
		return nil, err
	}
	return l.mutateWallet(ctx, t, account, func(w *Wallet) error {
		if w.BalanceCents < cents {
			return ErrInsufficientFunds
		}
		w.BalanceCents -= cents
		w.History = append(w.History, Movement{At: l.Clock.Now(), Cents: -cents, Ref: ref, Reason: "parking"})
		return nil
	})
}

// Balance returns the current wallet, or an empty one for new accounts.
func (l *Ledger) Balance(ctx context.Context, city, account string) (*Wallet, error) {
	t, err := l.Tenants.For(city)
	if err != nil {
		return nil, err
	}
	raw, err := t.KV.Get(ctx, kvkeys.WalletKey(account).String())
	if errors.Is(err, domain.ErrNotFound) {
		return &Wallet{Account: account, Currency: "USD"}, nil
	}
	if err != nil {
		return nil, err
	}
	var w Wallet
	return &w, json.Unmarshal(raw, &w)
}

// Hold is a card authorization placed when a pay-by-phone session starts.
type Hold struct {
	ID        string    `json:"id"`
	Account   string    `json:"account"`
	Cents     int64     `json:"cents"`
	ExpiresAt time.Time `json:"expires_at"`
}

func holdKey(id string) string { return "holds/" + id }

// RecordHold remembers an authorization until the provider releases it.
func (l *Ledger) RecordHold(ctx context.Context, city string, h Hold) error {
	t, err := l.Tenants.For(city)
	if err != nil {
		return err
	}
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return t.KV.Put(ctx, holdKey(h.ID), body, h.ExpiresAt.Sub(l.Clock.Now())) // EXPECT kvttl
}

// RecordCapture keeps the captured hold for the settlement report, at least
// until the next settlement run.
func (l *Ledger) RecordCapture(ctx context.Context, city string, h Hold, settlesAt time.Time) error {
	t, err := l.Tenants.For(city)
	if err != nil {
		return err
	}
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	ttl := max(settlesAt.Sub(l.Clock.Now()), 10*time.Minute)
	return t.KV.Put(ctx, "captures/"+h.ID, body, ttl)
}

// Refund returns money to a wallet. The provider retries refund webhooks
// aggressively, so the wallet update is retried on throttling too.
func (l *Ledger) Refund(ctx context.Context, city, account string, cents int64, ref string) error {
	t, err := l.Tenants.For(city)
	if err != nil {
		return err
	}
	key := kvkeys.WalletKey(account).String()
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		raw, err := t.KV.Get(ctx, key)
		if err != nil {
			return err
		}
		var w Wallet
		if err := json.Unmarshal(raw, &w); err != nil {
			return err
		}
		w.BalanceCents += cents
		w.History = append(w.History, Movement{At: l.Clock.Now(), Cents: cents, Ref: ref, Reason: "refund"})
		body, err := json.Marshal(w)
		if err != nil {
			return err
		}
		return t.KV.Put(ctx, key, body, 0) // EXPECT kvrace
	})
}
