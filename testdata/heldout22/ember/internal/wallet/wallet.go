// Package wallet keeps rider balances and promo coupons.
package wallet

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/ember/internal/clock"
	"example.com/ember/internal/keys"
	"example.com/ember/internal/kvstore"
)

// ErrInsufficient is returned when a debit exceeds the balance.
var ErrInsufficient = errors.New("wallet: insufficient balance")

// Service manages balances (in cents) and coupons.
type Service struct {
	store     kvstore.Store
	values    *kv.NamespaceValueService
	account   string
	namespace string
	clock     clock.Clock
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces the wall clock.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// NewService wires the wallet service.
func NewService(store kvstore.Store, client *cloudflare.Client, account, namespace string, opts ...Option) *Service {
	s := &Service{
		store:     store,
		values:    client.KV.Namespaces.Values,
		account:   account,
		namespace: namespace,
		clock:     clock.System{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Balance returns the rider's balance in cents; a rider without a wallet has
// a zero balance.
func (s *Service) Balance(ctx context.Context, rider string) (int64, error) {
	raw, err := s.store.Get(ctx, keys.WalletKey{Rider: rider}.String())
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Open makes sure rider has a wallet record so that the app can show it.
func (s *Service) Open(ctx context.Context, rider string) error {
	key := keys.WalletKey{Rider: rider}.String()
	if _, err := s.store.Get(ctx, key); err == nil { // EXPECT kvnull
		return nil
	}
	return s.store.Put(ctx, key, []byte("0")) // EXPECT kvrace
}

// TopUp credits cents to the rider's balance after a card payment cleared.
func (s *Service) TopUp(ctx context.Context, rider string, cents int64) (int64, error) {
	if cents <= 0 {
		return 0, fmt.Errorf("wallet: top-up must be positive, got %d", cents)
	}
	bal, err := s.Balance(ctx, rider)
	if err != nil {
		return 0, err
	}
	bal += cents
	if err := s.store.Put(ctx, keys.WalletKey{Rider: rider}.String(), []byte(strconv.FormatInt(bal, 10))); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return bal, nil
}

// ErrTaken is returned when a referral code already belongs to someone.
var ErrTaken = errors.New("wallet: referral code taken")

// ClaimReferral reserves code as rider's personal referral code.
func (s *Service) ClaimReferral(ctx context.Context, rider, code string) error {
	key := keys.ReferralKey{Code: code}.String()
	_, err := s.values.Get(ctx, s.namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err == nil {
		return ErrTaken
	}
	var apiErr *cloudflare.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 {
		return fmt.Errorf("referral lookup: %w", err)
	}
	_, err = s.values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](cloudflareString(rider))}) // EXPECT kvrace
	return err
}
