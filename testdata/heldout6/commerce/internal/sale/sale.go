// Package sale publishes flash sales: the sale document, the teaser and
// live banner, a countdown tick refreshed by the scheduler, and the
// "N sold" figure.
package sale

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/batch"
	"example.com/commerce/internal/platform/kvjson"
)

var ErrSoldOut = errors.New("sale: sold out")

type Sale struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	SKUs     []string  `json:"skus"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

type Countdown struct {
	SaleID    string    `json:"sale_id"`
	Remaining int64     `json:"remaining_s"`
	At        time.Time `json:"at"`
}

// Inventory reserves units against the allocation held by the inventory
// Durable Object, which is the authority on availability.
type Inventory interface {
	Reserve(ctx context.Context, saleID string, qty int) (left int, err error)
}

type Store interface {
	ports.ReadWriter
	ports.BulkWriter
}

type Service struct {
	kv    Store
	inv   Inventory
	cfg   config.SaleConfig
	clock platform.Clock
}

func NewService(kv Store, inv Inventory, cfg config.SaleConfig, clock platform.Clock) *Service {
	return &Service{kv: kv, inv: inv, cfg: cfg, clock: clock}
}

// Schedule publishes the sale document and the SKU -> sale index, and the
// teaser card shown until the start.
func (s *Service) Schedule(ctx context.Context, sl Sale) error {
	raw, err := json.Marshal(sl)
	if err != nil {
		return err
	}
	tx := batch.New(s.kv)
	tx.Put("sale:"+sl.ID, raw, int64(s.cfg.Window)) // EXPECT kvttl
	for _, sku := range sl.SKUs {
		tx.Put("sale:sku:"+sku, []byte(sl.ID), int64(s.cfg.Window/time.Second))
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	until := max(sl.StartsAt.Sub(s.clock.Now()), time.Minute)
	return s.kv.Put(ctx, "sale:teaser:"+sl.ID, []byte(sl.Title), ports.WithTTL(min(until, s.cfg.Lead)))
}

// Open swaps the teaser for the live banner.
func (s *Service) Open(ctx context.Context, sl Sale) error {
	if err := s.kv.Delete(ctx, "sale:teaser:"+sl.ID); err != nil {
		return err
	}
	return s.kv.Put(ctx, "sale:banner:"+sl.ID, []byte(sl.Title), ports.WithTTL(time.Until(sl.EndsAt))) // EXPECT kvttl
}

// Tick refreshes the countdown the storefront polls.
func (s *Service) Tick(ctx context.Context, sl Sale) error {
	now := s.clock.Now()
	c := Countdown{SaleID: sl.ID, Remaining: int64(sl.EndsAt.Sub(now) / time.Second), At: now}
	return kvjson.Put(ctx, s.kv, "sale:countdown:"+sl.ID, c, ports.WithTTL(s.cfg.TickTTL))
}

// Claim reserves units and updates the "N sold" figure on the banner.
func (s *Service) Claim(ctx context.Context, saleID string, qty int) (int, error) {
	left, err := s.inv.Reserve(ctx, saleID, qty)
	if err != nil {
		return 0, err
	}
	if left < 0 {
		return 0, ErrSoldOut
	}
	key := "sale:sold:" + saleID
	sold := 0
	if raw, err := s.kv.Get(ctx, key); err == nil {
		sold, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, ports.ErrNotFound) {
		return left, err
	}
	return left, s.kv.Put(ctx, key, []byte(strconv.Itoa(sold+qty)), ports.WithTTL(s.cfg.Window)) // EXPECT kvcounter
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.Handle("POST /admin/sales", platform.Do(func(r *http.Request, sl Sale) error {
		return s.Schedule(r.Context(), sl)
	}))
	mux.Handle("POST /sales/{id}/claim", platform.Endpoint(func(r *http.Request, _ platform.Empty) (int, error) {
		return s.Claim(r.Context(), r.PathValue("id"), 1)
	}))
}

// Scheduler opens and ticks the active sales.
type Scheduler struct {
	Svc    *Service
	Active func(ctx context.Context) ([]Sale, error)
	Every  time.Duration
}

func (sc Scheduler) Run(ctx context.Context) {
	t := time.NewTicker(sc.Every)
	defer t.Stop()
	opened := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		sales, _ := sc.Active(ctx)
		for _, sl := range sales {
			if !opened[sl.ID] {
				opened[sl.ID] = sc.Svc.Open(ctx, sl) == nil
			}
			_ = sc.Svc.Tick(ctx, sl)
		}
	}
}
