// Package domain holds the courier's core types: parcels, scans, drivers,
// routes and depots, plus the service enums that drive lifetimes and limits.
package domain

import (
	"errors"
	"fmt"
	"time"
)

// Status is the lifecycle position of a parcel.
type Status string

const (
	StatusCreated        Status = "created"
	StatusCollected      Status = "collected"
	StatusAtDepot        Status = "at_depot"
	StatusOutForDelivery Status = "out_for_delivery"
	StatusDelivered      Status = "delivered"
	StatusFailed         Status = "failed_attempt"
	StatusReturned       Status = "returned"
)

// Terminal reports whether no further scans are expected.
func (s Status) Terminal() bool { return s == StatusDelivered || s == StatusReturned }

// ScanKind is what a handheld reports.
type ScanKind string

const (
	ScanPickup    ScanKind = "pickup"
	ScanInbound   ScanKind = "inbound"
	ScanLoad      ScanKind = "load"
	ScanDelivered ScanKind = "delivered"
	ScanCarded    ScanKind = "carded"
	ScanReturn    ScanKind = "return"
)

// Status maps a scan to the parcel status it implies.
func (k ScanKind) Status() (Status, error) {
	switch k {
	case ScanPickup:
		return StatusCollected, nil
	case ScanInbound:
		return StatusAtDepot, nil
	case ScanLoad:
		return StatusOutForDelivery, nil
	case ScanDelivered:
		return StatusDelivered, nil
	case ScanCarded:
		return StatusFailed, nil
	case ScanReturn:
		return StatusReturned, nil
	}
	return "", fmt.Errorf("domain: unknown scan kind %q", string(k))
}

// Parcel is the unit the courier moves.
type Parcel struct {
	ID        string    `json:"id"`
	Postcode  string    `json:"postcode"`
	DepotID   string    `json:"depot_id"`
	RouteID   string    `json:"route_id,omitempty"`
	Tier      Tier      `json:"tier"`
	Status    Status    `json:"status"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ScanEvent is one barcode scan from a driver or depot handheld.
type ScanEvent struct {
	ID       string    `json:"id"`
	ParcelID string    `json:"parcel_id"`
	Kind     ScanKind  `json:"kind"`
	DepotID  string    `json:"depot_id,omitempty"`
	DriverID string    `json:"driver_id,omitempty"`
	At       time.Time `json:"at"`
}

// Validate checks the fields every scan needs.
func (e ScanEvent) Validate() error {
	if e.ID == "" || e.ParcelID == "" || e.At.IsZero() {
		return errors.New("scan: id, parcel and timestamp are required")
	}
	_, err := e.Kind.Status()
	return err
}

// Driver is a courier employee or contractor.
type Driver struct {
	ID      string `json:"id"`
	DepotID string `json:"depot_id"`
	Shift   Shift  `json:"shift"`
	Vehicle string `json:"vehicle,omitempty"`
}

// Route is an ordered list of stops handed to one driver for one shift.
type Route struct {
	ID         string    `json:"id"`
	DepotID    string    `json:"depot_id"`
	DriverID   string    `json:"driver_id,omitempty"`
	Stops      []string  `json:"stops"`
	ShiftStart time.Time `json:"shift_start"`
	ShiftEnd   time.Time `json:"shift_end"`
}

// Depot is a sorting site with a drop-off capacity per hour.
type Depot struct {
	ID             string `json:"id"`
	HourlyCapacity int    `json:"hourly_capacity"`
}

// Manifest lists the parcels leaving a depot on a given day.
type Manifest struct {
	DepotID   string    `json:"depot_id"`
	Date      string    `json:"date"`
	Routes    []string  `json:"routes"`
	Parcels   []string  `json:"parcels"`
	Generated time.Time `json:"generated"`
}
