// Package model holds the menu types shared by publishing and the catalog.
package model

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/bramble/internal/ids"
)

// Item is one dish on a menu.
type Item struct {
	ID          ids.ItemID `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	PriceCents  int64      `json:"price_cents"`
	Section     string     `json:"section"`
	Allergens   []string   `json:"allergens,omitempty"`
	Available   bool       `json:"available"`
	Special     bool       `json:"special,omitempty"`
}

// Validate checks the fields a menu item must have.
func (i Item) Validate() error {
	switch {
	case i.ID == "":
		return errors.New("menu item without id")
	case strings.TrimSpace(i.Name) == "":
		return fmt.Errorf("item %q: missing name", i.ID)
	case i.PriceCents <= 0:
		return fmt.Errorf("item %q: price %d must be positive", i.ID, i.PriceCents)
	}
	return nil
}

// Menu is a restaurant's published menu.
type Menu struct {
	Restaurant  ids.RestaurantID `json:"restaurant"`
	Version     int              `json:"version"`
	Currency    string           `json:"currency"`
	Sections    []string         `json:"sections"`
	Items       []Item           `json:"items"`
	PublishedAt time.Time        `json:"published_at"`
}

// MenuKey is the storage key of a restaurant's whole menu.
func MenuKey(rid ids.RestaurantID) string { return "menu:" + rid.String() }

// ItemPrefix is the key prefix of a restaurant's individual items.
func ItemPrefix(rid ids.RestaurantID) string { return "menu:" + rid.String() + ":item:" }

// ItemKey is the storage key of one item.
func ItemKey(rid ids.RestaurantID, id ids.ItemID) string { return ItemPrefix(rid) + string(id) }
