// Package inventory tracks sellable stock at the edge and the short holds
// placed while a customer is paying.
package inventory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/storefront/internal/kvstore"
	"example.com/storefront/internal/repo"
)

// ErrInsufficient is returned when a reservation exceeds stock.
var ErrInsufficient = errors.New("inventory: insufficient stock")

// Reservation is one hold against a SKU.
type Reservation struct {
	HoldID   string    `json:"hold_id"`
	OrderRef string    `json:"order_ref"`
	Qty      int       `json:"qty"`
	Until    time.Time `json:"until"`
}

// FeedItem is one row of the warehouse stock feed.
type FeedItem struct {
	SKU string
	Qty int
}

// Service is the inventory API.
type Service struct {
	store   kvstore.Store
	resv    *repo.Repo[[]Reservation]
	cf      *cloudflare.Client
	account string
	ns      string
	holdFor time.Duration
}

// Options configures Service.
type Options struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	HoldFor   time.Duration
}

// New returns an inventory service.
func New(store kvstore.Store, o Options) *Service {
	if o.HoldFor == 0 {
		o.HoldFor = 15 * time.Minute
	}
	return &Service{
		store:   store,
		resv:    repo.New[[]Reservation](store, "resv:"),
		cf:      o.Client,
		account: o.AccountID,
		ns:      o.Namespace,
		holdFor: o.HoldFor,
	}
}

func stockKey(sku string) string { return "stock:" + sku }

// Available is shown on product pages.
func (s *Service) Available(ctx context.Context, sku string) (int, error) {
	raw, _ := s.store.Get(ctx, stockKey(sku)) // EXPECT kvnull
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, fmt.Errorf("inventory: bad stock value for %s: %w", sku, err)
	}
	return n, nil
}

// Reserve places a hold for qty units of sku while payment is taken.
func (s *Service) Reserve(ctx context.Context, sku, orderRef string, qty int) (Reservation, error) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	r := Reservation{HoldID: hex.EncodeToString(b), OrderRef: orderRef, Qty: qty, Until: time.Now().Add(s.holdFor)}

	list, err := s.resv.Get(ctx, sku)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return r, err
	}
	live := list[:0]
	for _, existing := range list {
		if existing.Until.After(time.Now()) {
			live = append(live, existing)
		}
	}
	live = append(live, r)
	if err := s.resv.Save(ctx, sku, live); err != nil { // EXPECT kvrace
		return r, err
	}
	return r, s.writeHold(ctx, sku, r)
}

// writeHold stores the hold by id so the payment webhook can find it.
func (s *Service) writeHold(ctx context.Context, sku string, r Reservation) error {
	doc, _ := json.Marshal(map[string]any{"sku": sku, "qty": r.Qty, "order_ref": r.OrderRef})
	_, err := s.cf.KV.Namespaces.Values.Update(ctx, s.ns, "hold:"+r.HoldID, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(s.account),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(doc)),
		Expiration: cloudflare.F(float64(r.Until.UnixMilli())), // EXPECT kvttl
	})
	return err
}

// Commit decrements stock once payment has been captured.
func (s *Service) Commit(ctx context.Context, sku string, qty int) error {
	raw, err := s.store.Get(ctx, stockKey(sku))
	if errors.Is(err, kvstore.ErrNotFound) {
		return ErrInsufficient
	} else if err != nil {
		return err
	}
	have, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return err
	}
	if have < int64(qty) {
		return ErrInsufficient
	}
	left := have - int64(qty)
	return s.store.Put(ctx, stockKey(sku), []byte(strconv.FormatInt(left, 10))) // EXPECT kvcounter
}

// ApplyFeed overwrites edge stock with the warehouse's numbers.
func (s *Service) ApplyFeed(ctx context.Context, items []FeedItem) error {
	for _, it := range items {
		if err := s.store.Put(ctx, stockKey(it.SKU), []byte(strconv.Itoa(it.Qty)), kvstore.WithMetadata(map[string]any{"feed": "wms"})); err != nil {
			return fmt.Errorf("feed %s: %w", it.SKU, err)
		}
	}
	return nil
}
