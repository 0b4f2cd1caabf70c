//go:build !js

// Package stock publishes per-kit stock figures to KV so that product
// pages can show "only 3 left" without calling the warehouse system.
package stock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"brambling/internal/codec"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
	"brambling/internal/records"
)

// ErrSoldOut is returned by Reserve when nothing is left.
var ErrSoldOut = errors.New("stock: sold out")

// Warehouse is the system of record for stock.
type Warehouse interface {
	Levels(ctx context.Context, warehouse string) (map[string]codec.Level, error)
}

// Publisher mirrors warehouse levels into KV.
type Publisher struct {
	KV         *kvstore.Store
	WMS        Warehouse
	Warehouses []string
	Every      time.Duration
	log        *slog.Logger
}

// Reserve takes n units of a kit for a cart.
func (p *Publisher) Reserve(ctx context.Context, warehouse, kit string, n uint32) error {
	key := keys.Stock(warehouse, kit)
	raw, found, err := p.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("stock: %s not published", key)
	}
	lvl, err := codec.ParseLevel(raw)
	if err != nil {
		return err
	}
	if lvl.OnHand-lvl.Held < n {
		return ErrSoldOut
	}
	lvl.Held += n
	lvl.AtUnix = time.Now().Unix()
	return p.KV.Put(ctx, key, lvl.Bytes(), 0) // EXPECT kvcounter|kvrace
}

// Run mirrors every warehouse once per tick.
func (p *Publisher) Run(ctx context.Context) error {
	if p.log == nil {
		p.log = slog.Default().With("svc", "stock")
	}
	t := time.NewTicker(p.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			err := p.syncAll(ctx)
			if err != nil {
				p.log.Warn("sync", "err", err)
				continue
			}
			_ = p.KV.PutRetry(ctx, keys.StockLastSync, []byte(strconv.FormatInt(time.Now().Unix(), 10)), 0)
		}
	}
}

func (p *Publisher) syncAll(ctx context.Context) error {
	var errs []error
	for _, wh := range p.Warehouses {
		levels, err := p.WMS.Levels(ctx, wh)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var batch kvstore.Batch
		for kit, lvl := range levels {
			lvl.AtUnix = time.Now().Unix()
			batch = append(batch, kvstore.Entry{Key: keys.Stock(wh, kit), Value: string(lvl.Bytes())})
		}
		if err := batch.Flush(ctx, p.KV); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, p.KV.Put(ctx, keys.StockLastSync, []byte(wh), 0)) // EXPECT kvhotkey
	}
	return errors.Join(errs...)
}

// Snapshot stores a dated copy of a warehouse's levels for the finance
// export, kept for a day.
func (p *Publisher) Snapshot(ctx context.Context, wh string, levels map[string]codec.Level) error {
	var b strings.Builder
	for kit, lvl := range levels {
		b.WriteString(codec.CSVLine(kit, strconv.Itoa(int(lvl.OnHand)), strconv.Itoa(int(lvl.Held))))
		b.WriteByte('\n')
	}
	now := time.Now()
	key := strings.Join([]string{"stock", "snapshot", wh, now.Format("2006-01-02T15")}, "/")
	return p.KV.PutUntil(ctx, key, []byte(b.String()), now.Add(24*time.Hour).UnixMilli()) // EXPECT kvttl
}

// Note appends a line to a kit's audit trail shown in the back office.
func (p *Publisher) Note(ctx context.Context, wh, kit, who, what string) error {
	key := keys.Stock(wh, kit) + "/history"
	old, found, err := p.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	line := codec.CSVLine(time.Now().UTC().Format(time.RFC3339), who, what)
	next := line
	if found {
		next = string(old) + "\n" + line
	}
	return p.KV.Put(ctx, key, []byte(next), 0) // EXPECT kvrace
}

// Push stores one record under its own key.
func (p *Publisher) Push(ctx context.Context, rec records.Record) error {
	var (
		key string
		val []byte
		ttl time.Duration
		err error
	)
	switch r := rec.(type) {
	case records.StockFigure:
		key = keys.Stock(r.Warehouse, r.Kit)
		val = codec.Level{OnHand: r.OnHand, Held: r.Held, AtUnix: time.Now().Unix()}.Bytes()
	case records.SlotHold:
		key = keys.Slot(r.Depot, r.Start)
		val = []byte(r.CartID)
		ttl = time.Until(r.ExpiresAt) // EXPECT kvttl
	case records.MenuCard:
		key = keys.Menu(r.Week, r.Region)
		val = []byte(strings.Join(r.Recipes, "\n"))
		ttl = 6 * time.Hour
	case records.NutritionLabel:
		var packed string
		packed, err = codec.Packed(r.SVG)
		key, val, ttl = keys.Label(r.Kit, r.Locale), []byte(packed), 7*24*time.Hour
	default:
		return fmt.Errorf("stock: unsupported record %T", rec)
	}
	if err != nil {
		return err
	}
	return p.KV.Put(ctx, key, val, ttl)
}
