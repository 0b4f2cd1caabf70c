// Package giftcards issues and redeems studio gift cards and promo codes.
package giftcards

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/kvstore/cfkv"
)

// Card is a gift card's descriptive record. The balance lives separately
// under "gc:bal:<code>".
type Card struct {
	Code      string    `json:"code"`
	StudioID  string    `json:"studio_id"`
	Issued    time.Time `json:"issued"`
	Recipient string    `json:"recipient,omitempty"`
}

// Promo is a time-limited discount code.
type Promo struct {
	Code       string    `json:"code"`
	StudioID   string    `json:"studio_id"`
	PercentOff int       `json:"percent_off"`
	EndsAt     time.Time `json:"ends_at"`
}

// Service issues and redeems cards. Balance changes use the SDK directly so
// the read and the write share one client and one namespace.
type Service struct {
	bucket *kvstore.Bucket
	ns     *cfkv.Namespace
	cf     *cloudflare.Client
}

// New returns a gift card service.
func New(b *kvstore.Bucket, ns *cfkv.Namespace) *Service {
	return &Service{bucket: b, ns: ns, cf: ns.Client()}
}

func cardKey(code string) string    { return "gc:" + code }
func balanceKey(code string) string { return "gc:bal:" + code }
func promoKey(code string) string   { return "promo:" + code }

const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func newCode() string {
	var sb strings.Builder
	for i := 0; i < 12; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		sb.WriteByte(alphabet[n.Int64()])
		if i == 3 || i == 7 {
			sb.WriteByte('-')
		}
	}
	return sb.String()
}

func isMissing(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

// Balance returns the remaining balance of a card in cents.
func (s *Service) Balance(ctx context.Context, code string) (int64, error) {
	res, err := s.cf.KV.Namespaces.Values.Get(ctx, s.ns.ID(), balanceKey(code), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID()),
	})
	if isMissing(err) {
		return 0, ErrUnknownCard
	}
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// ErrUnknownCard is returned for codes that were never issued.
var ErrUnknownCard = errors.New("giftcards: unknown card")

// ErrInsufficient is returned when a card cannot cover a charge.
var ErrInsufficient = errors.New("giftcards: insufficient balance")

// Redeem takes cents off a card's balance.
func (s *Service) Redeem(ctx context.Context, code string, cents int64) (int64, error) {
	bal, err := s.Balance(ctx, code)
	if err != nil {
		return 0, err
	}
	if bal < cents {
		return bal, ErrInsufficient
	}
	left := bal - cents
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns.ID(), balanceKey(code), kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(s.ns.AccountID()),
		Value:     cloudflare.F(strconv.FormatInt(left, 10)),
	})
	return left, err
}

// Issue creates a card with an opening balance.
func (s *Service) Issue(ctx context.Context, studioID string, cents int64, recipient string) (*Card, error) {
	c := &Card{Code: newCode(), StudioID: studioID, Issued: time.Now().UTC(), Recipient: recipient}
	if err := s.bucket.PutJSON(ctx, cardKey(c.Code), c, 0); err != nil {
		return nil, err
	}
	return c, s.bucket.Put(ctx, balanceKey(c.Code), []byte(strconv.FormatInt(cents, 10)), 0)
}

// PromoEndsAt returns when a promo code stops working, read from the expiry
// KV reports for the key.
func (s *Service) PromoEndsAt(ctx context.Context, code string) (time.Time, error) {
	res, _ := s.ns.Raw(ctx, promoKey(code)) // EXPECT kvnull
	defer res.Body.Close()
	secs, err := strconv.ParseInt(res.Header.Get("Expiration"), 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("giftcards: promo %s has no expiry", code)
	}
	return time.Unix(secs, 0), nil
}

// CreatePromo stores a promo code that stops working at EndsAt.
func (s *Service) CreatePromo(ctx context.Context, p Promo) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.cf.KV.Namespaces.Values.Update(ctx, s.ns.ID(), promoKey(p.Code), kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.ns.AccountID()),
		Value:      cloudflare.F(string(raw)),
		Expiration: cloudflare.F(float64(p.EndsAt.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// corporateBatch is the size of a corporate gift order: one card per
// employee of the sponsor.
const corporateBatch = 12_000

// IssueCorporate creates a full corporate order in one bulk request.
func (s *Service) IssueCorporate(ctx context.Context, studioID string, cents int64) ([]string, error) {
	codes := make([]string, 0, corporateBatch)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, corporateBatch)
	for i := 0; i < corporateBatch; i++ {
		code := newCode()
		codes = append(codes, code)
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:   cloudflare.F(balanceKey(code)),
			Value: cloudflare.F(strconv.FormatInt(cents, 10)),
		})
	}
	res, err := s.cf.KV.Namespaces.BulkUpdate(ctx, s.ns.ID(), kv.NamespaceBulkUpdateParams{ // EXPECT kvlimits
		AccountID: cloudflare.F(s.ns.AccountID()),
		Body:      body,
	})
	if err != nil {
		return nil, err
	}
	if len(res.UnsuccessfulKeys) > 0 {
		return codes, fmt.Errorf("giftcards: %d cards not written", len(res.UnsuccessfulKeys))
	}
	return codes, nil
}
