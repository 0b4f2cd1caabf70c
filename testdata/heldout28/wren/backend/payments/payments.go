// Package payments manages pre-authorization holds placed when a charging session starts and captured when it ends.
package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/wren/backend/ports"
	"example.com/wren/backend/repo"
	"example.com/wren/internal/keys"
	"example.com/wren/internal/lifetime"
)

var timeNow = time.Now

// HoldStatus is the life-cycle state of a hold.
type HoldStatus string

const (
	HoldPlaced   HoldStatus = "placed"
	HoldCaptured HoldStatus = "captured"
	HoldReleased HoldStatus = "released"
)

// HoldEvent records a change to a hold.
type HoldEvent struct {
	At     time.Time  `json:"at"`
	Status HoldStatus `json:"status"`
	Cents  int64      `json:"cents,omitempty"`
	Ref    string     `json:"ref,omitempty"`
}

// Hold is a pre-authorization on the driver's payment method.
type Hold struct {
	ID          string      `json:"id"`
	SessionID   string      `json:"session_id"`
	DriverID    string      `json:"driver_id"`
	AmountCents int64       `json:"amount_cents"`
	Currency    string      `json:"currency"`
	Status      HoldStatus  `json:"status"`
	Events      []HoldEvent `json:"events"`
	ExpiresAt   time.Time   `json:"expires_at"`
}

// Provider is the card processor.
type Provider interface {
	Authorize(ctx context.Context, driverID string, cents int64, currency string) (ref string, err error)
	Capture(ctx context.Context, ref string, cents int64) (receiptURL string, err error)
	Receipt(ctx context.Context, receiptURL string) ([]byte, error)
}

// Service places and captures holds.
type Service struct {
	holds     *repo.Repo[Hold]
	cache     ports.KV
	values    *kv.NamespaceValueService
	accountID string
	namespace string
	provider  Provider
}

// New wires a Service. store backs holds and receipts; values/namespace are
// used for the raw writes the edge reads directly.
func New(store ports.KV, values *kv.NamespaceValueService, accountID, namespace string, p Provider) *Service {
	return &Service{
		holds:     repo.New[Hold](store, "hold"),
		cache:     store,
		values:    values,
		accountID: accountID,
		namespace: namespace,
		provider:  p,
	}
}

// PlaceHold authorizes cents on the driver's default method.
func (s *Service) PlaceHold(ctx context.Context, sessionID, driverID string, cents int64, currency string) (Hold, error) {
	ref, err := s.provider.Authorize(ctx, driverID, cents, currency)
	if err != nil {
		return Hold{}, err
	}
	now := timeNow().UTC()
	h := Hold{
		ID: ref, SessionID: sessionID, DriverID: driverID, AmountCents: cents, Currency: currency,
		Status: HoldPlaced, Events: []HoldEvent{{At: now, Status: HoldPlaced, Cents: cents}},
		ExpiresAt: now.Add(lifetime.PaymentHold),
	}
	data, _ := json.Marshal(h)
	body, _ := json.Marshal(repo.Envelope{Version: 1, Data: data})
	_, err = s.values.Update(ctx, s.namespace, url.PathEscape(s.holds.Key(h.ID)), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		Expiration: cloudflare.F(float64(h.ExpiresAt.UnixMilli())), // EXPECT kvttl
		Metadata:   cloudflare.F[any](map[string]any{"session": sessionID, "cents": cents}),
	})
	return h, err
}

// ErrNotPlaced is returned when capturing a hold that is not open.
var ErrNotPlaced = errors.New("payments: hold not open")

// Capture charges the final amount of the session against the hold.
func (s *Service) Capture(ctx context.Context, holdID string, cents int64) (string, error) {
	h, found, err := s.holds.Get(ctx, holdID)
	if err != nil {
		return "", err
	}
	if !found || h.Status != HoldPlaced {
		return "", ErrNotPlaced
	}
	receipt, err := s.provider.Capture(ctx, h.ID, cents)
	if err != nil {
		return "", err
	}
	h.Status = HoldCaptured
	h.Events = append(h.Events, HoldEvent{At: timeNow().UTC(), Status: HoldCaptured, Cents: cents, Ref: receipt})
	if err := s.holds.Put(ctx, holdID, h, ports.ExpireAt(h.ExpiresAt)); err != nil { // EXPECT kvrace
		return "", err
	}
	return receipt, nil
}

// Receipt returns the receipt document, cached by its provider URL.
func (s *Service) Receipt(ctx context.Context, receiptURL string) ([]byte, error) {
	key := keys.ReceiptByURL(receiptURL)
	b, err := s.cache.Get(ctx, key)
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, ports.ErrNotFound) {
		return nil, err
	}
	b, err = s.provider.Receipt(ctx, receiptURL)
	if err != nil {
		return nil, err
	}
	return b, s.cache.Put(ctx, key, b, ports.WithTTL(24*time.Hour))
}

// DefaultMethod is the driver's preferred payment method.
type DefaultMethod struct {
	MethodID string    `json:"method_id"`
	Brand    string    `json:"brand"`
	Last4    string    `json:"last4"`
	SetAt    time.Time `json:"set_at"`
}

// EnsureDefaultMethod makes m the driver's default unless one is set.
func (s *Service) EnsureDefaultMethod(ctx context.Context, driverID string, m DefaultMethod) (DefaultMethod, error) {
	key := url.PathEscape("pm-default:" + driverID)
	params := kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)}
	resp, err := s.values.Get(ctx, s.namespace, key, params) // EXPECT kvnull
	if err == nil {
		defer resp.Body.Close()
		var cur DefaultMethod
		if derr := json.NewDecoder(io.LimitReader(resp.Body, 4<<10)).Decode(&cur); derr == nil {
			return cur, nil
		}
	}
	m.SetAt = timeNow().UTC()
	b, err := json.Marshal(m)
	if err != nil {
		return DefaultMethod{}, err
	}
	_, err = s.values.Update(ctx, s.namespace, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	if err != nil {
		return DefaultMethod{}, fmt.Errorf("payments: set default: %w", err)
	}
	return m, nil
}
