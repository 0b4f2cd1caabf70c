// Package giftcard issues and redeems museum gift cards.
package giftcard

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/ports"
	"example.com/heron/internal/repo"
)

// giftCardTerms is printed on the back of physical cards and returned with
// each printed batch so the print shop does not need a second lookup.
const giftCardTerms = `These terms apply to every gift card sold by the Heron Museum of Art and its galleries. ` +
	`The card may be used for admission tickets, timed-entry exhibition tickets, audio-guide rentals, membership purchases and renewals, and purchases in the museum shop and cafe. ` +
	`The card cannot be exchanged for cash except where required by law, and it cannot be used to buy other gift cards. ` +
	`The balance is deducted for each purchase until it reaches zero; any remaining balance stays on the card until the card expires. ` +
	`Lost or stolen cards can be replaced only if the card number was registered with the museum before the loss was reported, and only for the balance remaining at the time of the report. ` +
	`The museum may refuse a card that appears to have been altered, copied or obtained fraudulently. ` +
	`Promotional cards issued free of charge have no cash value and may carry additional restrictions printed on the card. ` +
	`Cards expire five years after the date of purchase unless the law of the place of purchase provides a longer period. ` +
	`Questions about a balance or a transaction can be sent to the visitor services desk or to giftcards@heron-museum.example with the card number and the date of purchase.`

// validity is how long a card can be used after issue.
const validity = 5 * 365 * 24 * time.Hour

var (
	ErrCodeTaken = httpx.Errorf(http.StatusConflict, "gift card code already in use")
	ErrUnknown   = httpx.Errorf(http.StatusNotFound, "unknown gift card")
	ErrStale     = httpx.Errorf(http.StatusPreconditionFailed, "gift card changed, reload and retry")
)

// Service manages gift cards.
type Service struct {
	cards   *repo.Repo[domain.GiftCard]
	raw     ports.Handle
	batches ports.Handle
	now     func() time.Time
}

// New returns a Service storing cards in namespace nsID.
func New(b ports.Backend, nsID string) *Service {
	ns := b.Namespace(nsID)
	return &Service{
		cards:   repo.New[domain.GiftCard](ns.Prefixed("gc:")),
		raw:     ns.Prefixed("gc:"),
		batches: ns.Prefixed("batch:").WithLifetime(90 * 24 * time.Hour),
		now:     time.Now,
	}
}

const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newCode() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:])
}

func normalise(code string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
}

// IssueReq asks for a new card. Code is optional: corporate buyers may ask
// for a vanity code such as "ACME-2025-GALA".
type IssueReq struct {
	Code      string `json:"code"`
	AmountCts int64  `json:"amount_cents"`
	Currency  string `json:"currency"`
	IssuedTo  string `json:"issued_to"`
}

// Issue creates a card.
func (s *Service) Issue(ctx context.Context, req IssueReq) (domain.GiftCard, error) {
	if req.AmountCts <= 0 {
		return domain.GiftCard{}, httpx.Errorf(http.StatusBadRequest, "amount must be positive")
	}
	code := normalise(req.Code)
	if code == "" {
		code = newCode()
	} else {
		_, err := s.cards.Get(ctx, code)
		switch {
		case err == nil:
			return domain.GiftCard{}, ErrCodeTaken
		case !errors.Is(err, ports.ErrNotFound):
			return domain.GiftCard{}, err
		}
	}
	card := domain.GiftCard{
		Code:       code,
		BalanceCts: req.AmountCts,
		Currency:   strings.ToUpper(req.Currency),
		IssuedTo:   req.IssuedTo,
		ValidUntil: s.now().Add(validity),
		Version:    1,
	}
	if err := s.cards.Put(ctx, code, card); err != nil { // EXPECT kvrace
		return domain.GiftCard{}, err
	}
	return card, nil
}

// Balance is the public view of a card.
type Balance struct {
	Code       string    `json:"code"`
	BalanceCts int64     `json:"balance_cents"`
	ValidUntil time.Time `json:"valid_until"`
	Version    int64     `json:"version"`
}

// RedeemReq debits a card. IfVersion is the version the till last read;
// a mismatch means someone else used the card in between.
type RedeemReq struct {
	Code      string `json:"code"`
	AmountCts int64  `json:"amount_cents"`
	OrderID   string `json:"order_id"`
	IfVersion int64  `json:"if_version"`
}

// Redeem debits a card.
func (s *Service) Redeem(ctx context.Context, req RedeemReq) (Balance, error) {
	code := normalise(req.Code)
	card, err := s.cards.Get(ctx, code)
	if errors.Is(err, ports.ErrNotFound) {
		return Balance{}, ErrUnknown
	}
	if err != nil {
		return Balance{}, err
	}
	if req.IfVersion != 0 && card.Version != req.IfVersion {
		return Balance{}, ErrStale
	}
	if s.now().After(card.ValidUntil) {
		return Balance{}, httpx.Errorf(http.StatusGone, "gift card expired")
	}
	if err := card.Debit(req.AmountCts, req.OrderID, s.now()); err != nil {
		return Balance{}, httpx.Errorf(http.StatusPaymentRequired, err.Error())
	}
	card.Version++
	if err := s.cards.Put(ctx, code, card); err != nil { // EXPECT kvrace
		return Balance{}, err
	}
	return Balance{Code: card.Code, BalanceCts: card.BalanceCts, ValidUntil: card.ValidUntil, Version: card.Version}, nil
}

type cardMeta struct {
	Batch string `json:"batch"`
	Terms string `json:"terms"`
}

// PrintReq asks for a batch of physical cards.
type PrintReq struct {
	BatchID   string `json:"batch_id"`
	Count     int    `json:"count"`
	AmountCts int64  `json:"amount_cents"`
	Currency  string `json:"currency"`
}

// PrintBatch issues Count cards with random codes for the print shop.
func (s *Service) PrintBatch(ctx context.Context, req PrintReq) ([]string, error) {
	if req.Count <= 0 || req.Count > 5000 {
		return nil, httpx.Errorf(http.StatusBadRequest, "count must be between 1 and 5000")
	}
	now := s.now()
	codes := make([]string, 0, req.Count)
	items := make([]ports.Item, 0, req.Count)
	for range req.Count {
		code := newCode()
		b := fmt.Appendf(nil, `{"code":%q,"balance_cents":%d,"currency":%q,"valid_until":%q,"version":1}`,
			code, req.AmountCts, req.Currency, now.Add(validity).Format(time.RFC3339))
		items = append(items, ports.Item{
			Key:   code,
			Value: b,
			Opts: &ports.PutOpts{
				ExpireAt: now.Add(validity),
				Metadata: cardMeta{Batch: req.BatchID, Terms: giftCardTerms}, // EXPECT kvlimits
			},
		})
		codes = append(codes, code)
	}
	if err := s.raw.BulkPut(ctx, items); err != nil {
		return nil, err
	}
	// Remember the batch so the print shop can re-download it.
	manifest := []byte(strings.Join(codes, "\n"))
	if err := s.batches.Put(ctx, req.BatchID, manifest, nil); err != nil {
		return nil, err
	}
	return codes, nil
}
