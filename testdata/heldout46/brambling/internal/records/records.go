// Package records defines the small set of record kinds the back office
// pushes to KV. Each kind lives under its own key.
package records

import "time"

// Record is implemented by every kind that can be synced to KV.
type Record interface {
	record()
}

// MenuCard is the rendered menu for one region and week.
type MenuCard struct {
	Week    string
	Region  string
	Recipes []string
	HTML    []byte
}

// StockFigure is the published stock for a kit in a warehouse.
type StockFigure struct {
	Warehouse string
	Kit       string
	OnHand    uint32
	Held      uint32
}

// SlotHold reserves a delivery slot for a checkout in progress.
type SlotHold struct {
	Depot     string
	Start     time.Time
	CartID    string
	ExpiresAt time.Time
}

// NutritionLabel is the printable label for a kit in one locale.
type NutritionLabel struct {
	Kit    string
	Locale string
	SVG    []byte
}

func (MenuCard) record()       {}
func (StockFigure) record()    {}
func (SlotHold) record()       {}
func (NutritionLabel) record() {}
