//go:build js && wasm

package dropkv

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/wharf/internal/domain"
)

// missing is what GetString yields for a key that does not exist.
const missing = "<null>"

// Client reads and writes drop data in one KV namespace.
type Client struct {
	ns      *kv.Namespace
	holdTTL time.Duration
	now     func() time.Time
}

// Open binds a Client to the named KV namespace.
func Open(binding string, holdTTL time.Duration) (*Client, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Client{ns: ns, holdTTL: holdTTL, now: time.Now}, nil
}

func inventoryKey(drop string) string { return "drop:" + drop + ":inventory-hint" }

// InventoryHint returns the published remaining-seat estimate for a drop.
func (c *Client) InventoryHint(drop string) (int, error) {
	v, err := c.ns.GetString(inventoryKey(drop), nil)
	if err != nil {
		return 0, err
	}
	if v == "" { // EXPECT kvnull
		return 0, fmt.Errorf("inventory %s: %w", drop, domain.ErrNotFound)
	}
	return strconv.Atoi(v)
}

// PublishInventoryHint writes the remaining-seat estimate computed from the
// ticketing database. Called once per scheduled run.
func (c *Client) PublishInventoryHint(drop string, remaining int) error {
	return c.ns.PutString(inventoryKey(drop), strconv.Itoa(remaining), &kv.PutOptions{ExpirationTTL: 300})
}

// Hold is a seat reserved for a fan while they check out.
type Hold struct {
	Drop    string    `json:"drop"`
	Seat    string    `json:"seat"`
	Visitor string    `json:"visitor"`
	Placed  time.Time `json:"placed"`
}

func holdKey(drop, seat string) string { return fmt.Sprintf("hold:%[1]s:%[2]s", drop, seat) }

// PlaceHold reserves a seat for the checkout window.
func (c *Client) PlaceHold(drop, seat, visitor string) (Hold, error) {
	h := Hold{Drop: drop, Seat: seat, Visitor: visitor, Placed: c.now()}
	b, err := json.Marshal(h)
	if err != nil {
		return h, err
	}
	err = c.ns.PutString(holdKey(drop, seat), string(b), &kv.PutOptions{
		ExpirationTTL: int(c.holdTTL), // EXPECT kvttl
	})
	return h, err
}

// InvalidateSummary drops the cached summary after the ticketing database
// changed; the next read refills it.
func (c *Client) InvalidateSummary(drop string) error {
	return c.ns.Delete("drop:" + drop + ":summary")
}

// Summary returns the cached drop summary, filling it from load on a miss.
func (c *Client) Summary(drop string, load func(string) ([]byte, error)) ([]byte, error) {
	key := "drop:" + drop + ":summary"
	v, err := c.ns.GetString(key, &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return nil, err
	}
	if v != missing {
		return []byte(v), nil
	}
	b, err := load(drop)
	if err != nil {
		return nil, err
	}
	if err := c.ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 600}); err != nil {
		return b, err
	}
	return b, nil
}
