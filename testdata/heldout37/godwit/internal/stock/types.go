// Package stock keeps stock-level hints at the edge. The warehouse system is
// the source of truth; the hints only drive "only 3 left" badges and the
// checkout pre-check.
package stock

import (
	"time"

	"godwit/internal/kvstore"
)

// Event is one stock movement reported by a warehouse.
type Event struct {
	SKU       string    `json:"sku"`
	Delta     int       `json:"delta"`
	Warehouse string    `json:"warehouse"`
	At        time.Time `json:"at"`
}

// Hint is what product pages and checkout read.
type Hint struct {
	SKU       string    `json:"sku"`
	Level     int       `json:"level"`
	Recent    []Event   `json:"recent,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// HintCodec encodes hints as JSON.
var HintCodec kvstore.Codec[Hint] = kvstore.JSON[Hint]{}

// HintPrefix scopes hint keys in the SHOP namespace.
const HintPrefix kvstore.Key = "stock:hint:"
