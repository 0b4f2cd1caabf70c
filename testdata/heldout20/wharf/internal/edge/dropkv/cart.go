//go:build js && wasm

package dropkv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// CartItem is one ticket line in a fan's cart.
type CartItem struct {
	Drop  string `json:"drop"`
	Seat  string `json:"seat"`
	Tier  string `json:"tier"`
	Price int64  `json:"price_cents"`
}

// Cart is a fan's checkout cart.
type Cart struct {
	Visitor string     `json:"visitor"`
	Items   []CartItem `json:"items"`
	Updated time.Time  `json:"updated"`
}

// AddToCart appends an item to a fan's cart.
func (c *Client) AddToCart(visitor string, item CartItem) (Cart, error) {
	key := "cart:" + visitor
	raw, err := c.ns.GetString(key, nil)
	if err != nil {
		return Cart{}, err
	}
	cart := Cart{Visitor: visitor}
	if raw != missing {
		if err := json.Unmarshal([]byte(raw), &cart); err != nil {
			return Cart{}, fmt.Errorf("cart %s: %w", visitor, err)
		}
	}
	if len(cart.Items) >= 8 {
		return cart, fmt.Errorf("cart %s: at most 8 tickets", visitor)
	}
	cart.Items = append(cart.Items, item)
	cart.Updated = c.now()
	b, err := json.Marshal(cart)
	if err != nil {
		return cart, err
	}
	if err := c.ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 1800}); err != nil { // EXPECT kvsession
		return cart, err
	}
	return cart, nil
}

type announcement struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Announce adds a message to the drop's lobby ticker, keeping the last 20.
func (c *Client) Announce(drop, text string) error {
	key := "drop:" + drop + ":announcements"
	raw, err := c.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	var list []announcement
	if raw != missing {
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return fmt.Errorf("announcements %s: %w", drop, err)
		}
	}
	list = append(list, announcement{At: c.now(), Text: strings.TrimSpace(text)})
	list = list[max(0, len(list)-20):]
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return c.ns.PutString(key, string(b), nil) // EXPECT kvrace
}

// MarkSold records sold seats and the most recent sale for the ticker.
func (c *Client) MarkSold(drop string, seats []string) error {
	for _, seat := range seats {
		if err := c.ns.PutString("sold:"+drop+":"+seat, c.now().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 86400}); err != nil {
			return err
		}
		if err := c.ns.PutString("drop:"+drop+":last-sold", seat, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SeatMap is the venue layout rendered by the seat picker.
type SeatMap struct {
	Venue    string              `json:"venue"`
	Sections map[string][]string `json:"sections"`
}

// SeatMap loads the venue layout for a drop.
func (c *Client) SeatMap(drop string) (SeatMap, error) {
	r, err := c.ns.GetReader("seatmap:"+drop, nil) // EXPECT kvnull
	if err != nil {
		return SeatMap{}, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return SeatMap{}, err
	}
	var m SeatMap
	if err := json.Unmarshal(b, &m); err != nil {
		return SeatMap{}, fmt.Errorf("seat map %s: %w", drop, err)
	}
	return m, nil
}

// seatBitmapBytes sizes the sold-seat bitmap for the largest stadium
// layout with per-seat flag bytes.
const seatBitmapBytes = 32 << 20

// ResetSeatBitmap clears the sold-seat bitmap of a drop.
func (c *Client) ResetSeatBitmap(drop string) error {
	return c.ns.PutReader("bitmap:"+drop, bytes.NewReader(make([]byte, seatBitmapBytes)), nil) // EXPECT kvlimits
}
