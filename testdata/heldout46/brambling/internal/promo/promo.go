//go:build !js

// Package promo manages promo codes: definitions are imported from the
// marketing team's CSV and redemptions are recorded per customer.
package promo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"brambling/internal/codec"
	"brambling/internal/config"
	"brambling/internal/keys"
	"brambling/internal/kvstore"
)

var (
	ErrUnknown  = errors.New("promo: unknown code")
	ErrUsed     = errors.New("promo: already used")
	ErrExpired  = errors.New("promo: expired")
	ErrExceeded = errors.New("promo: quota reached")
)

// Kind says how a code discounts an order.
type Kind int

const (
	KindPercent Kind = iota + 1
	KindFixed
	KindFreeKit
)

// Code is a promo code definition.
type Code struct {
	Code      string `json:"code"`
	Kind      Kind   `json:"kind"`
	Amount    int    `json:"amount"`
	ValidTo   int64  `json:"valid_to"`
	SingleUse bool   `json:"single_use,omitempty"`
}

// Desk redeems codes.
type Desk struct {
	KV  *kvstore.Store
	Cfg *config.Config
}

// Import loads codes from CSV (code,kind,amount,valid_to) and stores them
// with the bulk endpoint.
func (d *Desk) Import(ctx context.Context, r io.Reader) (n int, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("promo: import after %d rows: %w", n, err)
		}
	}()
	rows, err := codec.ReadCSV(r)
	if err != nil {
		return 0, err
	}
	var batch kvstore.Batch
	for _, row := range rows {
		if len(row) < 4 {
			continue
		}
		kind, _ := strconv.Atoi(row[1])
		amount, _ := strconv.Atoi(row[2])
		validTo, err := time.Parse("2006-01-02", row[3])
		if err != nil {
			return n, err
		}
		c := Code{Code: strings.ToUpper(row[0]), Kind: Kind(kind), Amount: amount, ValidTo: validTo.Unix()}
		b, _ := json.Marshal(c)
		batch = batch.Add(keys.Promo(c.Code), string(b), int(time.Until(validTo).Seconds())+86400)
		n++
	}
	return n, batch.Flush(ctx, d.KV)
}

func (d *Desk) lookup(ctx context.Context, code string) (Code, error) {
	raw, found, err := d.KV.Get(ctx, keys.Promo(code))
	if err != nil {
		return Code{}, err
	}
	if !found {
		return Code{}, ErrUnknown
	}
	var c Code
	return c, json.Unmarshal(raw, &c)
}

// Redeem records that email used code, once per customer.
func (d *Desk) Redeem(ctx context.Context, code, email string) (Code, error) {
	c, err := d.lookup(ctx, code)
	if err != nil {
		return Code{}, err
	}
	if time.Now().Unix() > c.ValidTo {
		return Code{}, ErrExpired
	}
	mark := keys.Redemption(code, email)
	_, used, err := d.KV.Get(ctx, mark)
	if err != nil {
		return Code{}, err
	}
	if used {
		return Code{}, ErrUsed
	}
	stamp := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	if err := d.KV.Put(ctx, mark, stamp, 0); err != nil { // EXPECT kvrace
		return Code{}, err
	}
	if c.SingleUse {
		if err := d.KV.Delete(ctx, keys.Promo(code)); err != nil { // DEBATABLE kvsession
			return Code{}, err
		}
	}
	return c, d.count(ctx, code)
}

// count bumps the redemption total that the quota check reads.
func (d *Desk) count(ctx context.Context, code string) error {
	key := keys.Promo(code) + "/redemptions"
	raw, _, err := d.KV.Get(ctx, key)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(raw))
	if q, ok := d.Cfg.PromoQuotas[code]; ok && n >= q {
		return ErrExceeded
	}
	return d.KV.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter|kvrace
}

// Tally accumulates partner referrals in memory between flushes.
type Tally map[string]int

// Flush writes each partner's running total to KV.
func (t Tally) Flush(ctx context.Context, kv *kvstore.Store, day string) error {
	var errs []error
	for partner, n := range t {
		key := "quota/partner/" + partner + "/" + day
		errs = append(errs, kv.Put(ctx, key, []byte(strconv.Itoa(n)), 48*time.Hour)) // EXPECT kvcounter
	}
	return errors.Join(errs...)
}
