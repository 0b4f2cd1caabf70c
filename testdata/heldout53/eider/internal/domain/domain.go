// Package domain holds the types shared by the edge Worker and the backend.
package domain

import (
	"fmt"
	"time"
)

// DateLayout is the layout of stay dates in keys and payloads.
const DateLayout = "2006-01-02"

// RoomTypeID identifies a sellable room type at a property, e.g. "LKS-DBL".
type RoomTypeID string

// PlanID identifies a rate plan, e.g. "BAR", "NRF-14".
type PlanID string

// Availability is the sellable count for one room type on one night.
type Availability struct {
	RoomType  RoomTypeID `json:"room_type"`
	Date      string     `json:"date"`
	Allotment int        `json:"allotment"`
	Held      int        `json:"held"`
	Sold      int        `json:"sold"`
	StopSell  bool       `json:"stop_sell,omitempty"`
}

// Free returns the rooms that can still be sold.
func (a Availability) Free() int {
	return max(a.Allotment-a.Held-a.Sold, 0)
}

// RatePlan is the published price grid of one plan for one room type.
type RatePlan struct {
	ID          PlanID             `json:"id"`
	RoomType    RoomTypeID         `json:"room_type"`
	Currency    string             `json:"currency"`
	Nightly     map[string]int64   `json:"nightly"` // date -> minor units
	MinStay     int                `json:"min_stay"`
	Refundable  bool               `json:"refundable"`
	ValidTo     time.Time          `json:"valid_to"`
	Adjustments map[string]float64 `json:"adjustments,omitempty"`
	Version     int64              `json:"version"`
}

// PriceOn returns the nightly price for date and whether one is published.
func (p RatePlan) PriceOn(date string) (int64, bool) {
	v, ok := p.Nightly[date]
	return v, ok
}

// Booking is the part of a reservation the edge needs to know about.
type Booking struct {
	Ref      string     `json:"ref"`
	GuestID  string     `json:"guest_id"`
	Email    string     `json:"email"`
	RoomType RoomTypeID `json:"room_type"`
	CheckIn  string     `json:"check_in"`
	CheckOut string     `json:"check_out"`
	Rooms    int        `json:"rooms"`
	Channel  string     `json:"channel"`
}

// Nights expands the stay into the list of nights it occupies.
func (b Booking) Nights() ([]string, error) {
	in, err := time.Parse(DateLayout, b.CheckIn)
	if err != nil {
		return nil, fmt.Errorf("check-in: %w", err)
	}
	out, err := time.Parse(DateLayout, b.CheckOut)
	if err != nil {
		return nil, fmt.Errorf("check-out: %w", err)
	}
	var nights []string
	for d := in; d.Before(out); d = d.AddDate(0, 0, 1) {
		nights = append(nights, d.Format(DateLayout))
	}
	return nights, nil
}

// InventoryKey is the KV key of one room type's count for one night.
func InventoryKey(rt RoomTypeID, date string) string {
	return "inv:" + string(rt) + ":" + date
}

// PlanKey is the KV key of a published rate plan.
func PlanKey(id PlanID, rt RoomTypeID) string {
	return "plan:" + string(id) + ":" + string(rt)
}
