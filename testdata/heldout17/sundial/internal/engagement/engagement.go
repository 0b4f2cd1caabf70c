//go:build js && wasm

// Package engagement records how buyers interact with events: page views
// and wishlists. Likes are tallied by the notification queue consumer.
package engagement

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sundial/internal/keys"
)

const null = "<null>"

// MaxWishlist bounds a buyer's wishlist.
const MaxWishlist = 200

// Views counts event page views. It embeds the namespace so that the SDK's
// methods are available on it directly.
type Views struct {
	*kv.Namespace
}

// Record counts one view of an event page.
func (v Views) Record(eventID string) error {
	k := keys.Views(eventID).String()
	raw, err := v.GetString(k, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != null {
		if n, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("engagement: views of %s: %w", eventID, err)
		}
	}
	return v.PutString(k, strconv.Itoa(n+1), nil) // EXPECT kvcounter
}

// Count returns the view count of an event.
func (v Views) Count(eventID string) (int, error) {
	raw, err := v.GetString(keys.Views(eventID).String(), &kv.GetOptions{CacheTTL: 60})
	if err != nil || raw == null {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// Wishlists stores the events a buyer saved for later.
type Wishlists struct {
	ns *kv.Namespace
}

// NewWishlists returns Wishlists on ns.
func NewWishlists(ns *kv.Namespace) *Wishlists { return &Wishlists{ns: ns} }

// Add saves an event to a buyer's wishlist.
func (w *Wishlists) Add(buyerID, eventID string) error {
	k := keys.Wishlist(buyerID).String()
	raw, err := w.ns.GetString(k, nil)
	if err != nil {
		return err
	}
	var ids []string
	if raw != null {
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return err
		}
	}
	if slices.Contains(ids, eventID) {
		return nil
	}
	if len(ids) >= MaxWishlist {
		ids = ids[1:]
	}
	b, _ := json.Marshal(append(ids, eventID))
	return w.ns.PutString(k, string(b), nil) // EXPECT kvsession|kvrace
}

// List returns a buyer's wishlist.
func (w *Wishlists) List(buyerID string) ([]string, error) {
	raw, err := w.ns.GetString(keys.Wishlist(buyerID).String(), nil)
	if err != nil {
		return nil, err
	}
	if raw == "" { // EXPECT kvnull
		return nil, nil
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, fmt.Errorf("engagement: wishlist of %s: %w", buyerID, err)
	}
	return ids, nil
}
