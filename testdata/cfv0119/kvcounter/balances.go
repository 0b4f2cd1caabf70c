package kvcounter

import (
	"context"
	"errors"
	"math/big"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// A prepaid balance in arbitrary precision: amounts added to and taken
// from the number read are counts all the same.
type credits struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (c *credits) read(ctx context.Context, key string) (*big.Int, error) {
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
	if err != nil {
		return nil, err
	}
	n, ok := new(big.Int).SetString(string(raw), 10)
	if !ok {
		return nil, errors.New("credits: not a number")
	}
	return n, nil
}

func (c *credits) TopUp(ctx context.Context, account string, amount *big.Int) error {
	key := "credits:" + account
	cur, err := c.read(ctx, key)
	if err != nil {
		return err
	}
	next := new(big.Int).Add(cur, amount)
	_, err = c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: c.ns, Key: key, Value: []byte(next.String())}) // want `counter kept in KV: this put writes back a count read from the same key`
	return err
}

func (c *credits) Spend(ctx context.Context, account string, amount *big.Int) error {
	key := "credits:" + account
	cur, err := c.read(ctx, key)
	if err != nil {
		return err
	}
	if cur.Cmp(amount) < 0 {
		return errors.New("credits: insufficient")
	}
	cur.Sub(cur, amount)
	_, err = c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: c.ns, Key: key, Value: []byte(cur.Text(10))}) // want `counter kept in KV: this put writes back a count read from the same key`
	return err
}

// A grant computed from two amounts given now, not from the stored one.
func (c *credits) Grant(ctx context.Context, account string, base, bonus *big.Int) error {
	total := new(big.Int).Add(base, bonus)
	_, err := c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: c.ns, Key: "grant:" + account, Value: []byte(total.String())})
	return err
}

// A deadline moved on from the one stored: Time's Add takes a Duration,
// and the sum is no count (kvrace's concern, not kvcounter's).
func (c *credits) Extend(ctx context.Context, account string) error {
	key := "expires:" + account
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
	if err != nil {
		return err
	}
	var until time.Time
	if err := until.UnmarshalText(raw); err != nil {
		return err
	}
	text, _ := until.Add(24 * time.Hour).MarshalText()
	_, err = c.api.WriteWorkersKVEntry(ctx, c.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: c.ns, Key: key, Value: text})
	return err
}
