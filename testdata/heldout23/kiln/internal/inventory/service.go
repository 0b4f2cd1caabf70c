package inventory

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/repo"
)

// Item is a stocked product: clay bodies, glazes, tools.
type Item struct {
	SKU        string   `json:"sku"`
	StudioID   string   `json:"studio_id"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	PriceCents int64    `json:"price_cents"`
	Tags       []string `json:"tags"`
	Reorder    int      `json:"reorder"`
}

// ItemRepo stores items under "item:".
type ItemRepo struct {
	*repo.Base[Item]
}

// glazeSafetyNotice is shown on every glaze listing in the shop.
const glazeSafetyNotice = `Glazes and raw glaze materials may contain silica, metal oxides and carbonates that are hazardous if inhaled or ingested. ` +
	`Always wear a fitted respirator rated for fine particulates when mixing dry materials, and mix in a ventilated area away from food preparation. ` +
	`Wet-clean spills; never sweep dry glaze dust. Wash hands after handling and before eating, drinking or smoking. ` +
	`Keep containers closed and labelled, and store them out of reach of children and pets. ` +
	`Fired results depend on clay body, application thickness, kiln atmosphere and firing schedule; always test on a tile before glazing finished work. ` +
	`Food-safe claims apply only when the glaze is fired to the stated cone on a compatible clay body and shows no crazing, pinholing or crawling. ` +
	`Liner glazes should be tested for leaching by an accredited laboratory before sale of functional ware. ` +
	`Copper, manganese, chrome, nickel and barium bearing glazes are not recommended for surfaces that contact food or drink. ` +
	`Dispose of glaze waste according to local regulations; do not pour it down household drains. ` +
	`Consult the supplier's safety data sheet for each product and keep it available in the studio.`

// Service manages stock.
type Service struct {
	items  *ItemRepo
	bucket *kvstore.Bucket
	stock  *WriteBehind
	log    *log.Logger
}

// New returns an inventory service that sends stock writes through buf.
func New(b *kvstore.Bucket, buf *WriteBehind, l *log.Logger) *Service {
	return &Service{
		items:  &ItemRepo{repo.NewBase[Item](b, "item:")},
		bucket: b,
		stock:  buf,
		log:    l,
	}
}

func stockKey(sku string) string { return "stock:" + sku }

// Stock returns the units on hand.
func (s *Service) Stock(ctx context.Context, sku string) (int, error) {
	raw, err := s.bucket.Get(ctx, stockKey(sku))
	if kvstore.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// ErrOutOfStock is returned when a sale asks for more than is on hand.
var ErrOutOfStock = errors.New("inventory: not enough stock")

// Sell takes qty units off the shelf.
func (s *Service) Sell(ctx context.Context, sku string, qty int) error {
	n, err := s.Stock(ctx, sku)
	if err != nil {
		return err
	}
	if n < qty {
		return ErrOutOfStock
	}
	s.stock.Submit(stockKey(sku), []byte(strconv.Itoa(n-qty))) // EXPECT kvcounter
	return nil
}

// SetStock records a stock count from a physical stocktake.
func (s *Service) SetStock(ctx context.Context, sku string, counted int) error {
	return s.stock.SubmitWait(ctx, stockKey(sku), []byte(strconv.Itoa(counted)))
}

// Save writes an item. Glazes carry the safety notice in their listing
// metadata so the shop page can render it without a second read.
func (s *Service) Save(ctx context.Context, it *Item) error {
	if it.Kind == "glaze" {
		return s.bucket.Entry(s.items.Key(it.SKU)).JSON(it).
			Meta(map[string]any{"name": it.Name, "price": it.PriceCents, "studio": it.StudioID, "safety": glazeSafetyNotice}). // EXPECT kvlimits
			Put(ctx)
	}
	return s.bucket.Entry(s.items.Key(it.SKU)).JSON(it).
		Meta(map[string]any{"name": it.Name, "price": it.PriceCents, "kind": it.Kind, "studio": it.StudioID}).
		Put(ctx)
}

// Tag adds a tag to an item in the background; shop staff tag items from a
// handheld scanner and do not wait for the write.
func (s *Service) Tag(ctx context.Context, sku, tag string) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		it, err := s.items.Load(ctx, sku)
		if err != nil {
			s.log.Printf("inventory: tag %s: %v", sku, err)
			return
		}
		for _, t := range it.Tags {
			if strings.EqualFold(t, tag) {
				return
			}
		}
		it.Tags = append(it.Tags, tag)
		if err := s.items.Save(ctx, sku, it); err != nil { // EXPECT kvrace
			s.log.Printf("inventory: tag %s: %v", sku, err)
		}
	}()
}

// Row is one line of a supplier price list.
type Row struct {
	SKU        string
	Name       string
	Kind       string
	PriceCents int64
	Stock      int
}

// importChunk is how many items one import step writes.
const importChunk = 250

// Import loads a supplier price list, writing items in bulk where the store
// supports it.
func (s *Service) Import(ctx context.Context, studioID, importID string, rows []Row) error {
	pairs := make([]kvstore.Pair, 0, len(rows))
	for _, r := range rows {
		it := Item{SKU: r.SKU, StudioID: studioID, Name: r.Name, Kind: r.Kind, PriceCents: r.PriceCents}
		raw, err := jsonBytes(it)
		if err != nil {
			return err
		}
		pairs = append(pairs, kvstore.Pair{Key: s.items.Key(r.SKU), Value: raw})
	}
	bp, bulk := s.bucket.Store().(kvstore.BulkPutter)
	for start := 0; start < len(pairs); start += importChunk {
		chunk := pairs[start:min(start+importChunk, len(pairs))]
		if bulk {
			if err := bp.PutMany(ctx, chunk); err != nil {
				return err
			}
		} else {
			for _, p := range chunk {
				if err := s.bucket.Put(ctx, p.Key, p.Value, 0); err != nil {
					return err
				}
			}
		}
		msg := fmt.Sprintf("%d/%d", start+len(chunk), len(pairs))
		if err := s.bucket.Put(ctx, "import:"+importID, []byte(msg), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	for _, r := range rows {
		s.stock.Submit(stockKey(r.SKU), []byte(strconv.Itoa(r.Stock)))
	}
	return nil
}
