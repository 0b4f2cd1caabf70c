// Package model holds the records goldcrest keeps in Workers KV and the
// encodings they are stored under.
package model

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParcelStatus is the customer-facing state of a parcel.
type ParcelStatus string

const (
	StatusCreated   ParcelStatus = "created"
	StatusAtDepot   ParcelStatus = "at_depot"
	StatusOutForDel ParcelStatus = "out_for_delivery"
	StatusDelivered ParcelStatus = "delivered"
)

// Parcel is the projection of a parcel the tracking page renders.
type Parcel struct {
	ID         string       `json:"id"`
	DepotID    string       `json:"depot"`
	Status     ParcelStatus `json:"status"`
	Recipient  string       `json:"recipient"`
	Postcode   string       `json:"postcode"`
	ETA        time.Time    `json:"eta,omitempty"`
	UpdatedAt  time.Time    `json:"updated_at"`
	CourierRef string       `json:"courier,omitempty"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (p Parcel) MarshalBinary() ([]byte, error) { return json.Marshal(p) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (p *Parcel) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, p) }

// ScanEvent is one scan of a parcel by a courier or depot handheld.
type ScanEvent struct {
	ParcelID string    `json:"parcel"`
	Kind     string    `json:"kind"`
	DepotID  string    `json:"depot,omitempty"`
	Courier  string    `json:"courier,omitempty"`
	At       time.Time `json:"at"`
	Lat      float64   `json:"lat,omitempty"`
	Lng      float64   `json:"lng,omitempty"`
}

// ScanLog is the ordered list of scans kept for one parcel.
type ScanLog struct {
	ParcelID string      `json:"parcel"`
	Events   []ScanEvent `json:"events"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (l ScanLog) MarshalBinary() ([]byte, error) { return json.Marshal(l) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (l *ScanLog) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, l) }

// TrackingLink is a customer tracking link. It is stored in a compact text
// form, "parcel|expires|opened|redirect", so that the Worker can read it
// without a JSON decode on the hot path.
type TrackingLink struct {
	ParcelID  string
	ExpiresAt time.Time
	OpenedAt  time.Time
	Redirect  string
	Opens     int
}

var errBadLink = errors.New("model: malformed tracking link")

// MarshalText implements encoding.TextMarshaler.
func (t TrackingLink) MarshalText() ([]byte, error) {
	var opened int64
	if !t.OpenedAt.IsZero() {
		opened = t.OpenedAt.Unix()
	}
	s := strings.Join([]string{
		t.ParcelID,
		strconv.FormatInt(t.ExpiresAt.Unix(), 10),
		strconv.FormatInt(opened, 10),
		t.Redirect,
		strconv.Itoa(t.Opens),
	}, "|")
	return []byte(s), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *TrackingLink) UnmarshalText(b []byte) error {
	parts := strings.Split(string(b), "|")
	if len(parts) != 5 {
		return errBadLink
	}
	exp, err1 := strconv.ParseInt(parts[1], 10, 64)
	opened, err2 := strconv.ParseInt(parts[2], 10, 64)
	opens, err3 := strconv.Atoi(parts[4])
	if err := errors.Join(err1, err2, err3); err != nil {
		return fmt.Errorf("%w: %v", errBadLink, err)
	}
	*t = TrackingLink{ParcelID: parts[0], ExpiresAt: time.Unix(exp, 0).UTC(), Redirect: parts[3], Opens: opens}
	if opened > 0 {
		t.OpenedAt = time.Unix(opened, 0).UTC()
	}
	return nil
}

// Stop is one stop of a route plan.
type Stop struct {
	ParcelID string    `json:"parcel"`
	Postcode string    `json:"postcode"`
	Window   [2]string `json:"window"`
	Done     bool      `json:"done"`
}

// RoutePlan is the planner's output for one courier and one day.
type RoutePlan struct {
	RouteID   string    `json:"route"`
	DepotID   string    `json:"depot"`
	Courier   string    `json:"courier"`
	Day       string    `json:"day"`
	Stops     []Stop    `json:"stops"`
	Rev       int       `json:"rev"`
	Published time.Time `json:"published,omitempty"`
	Notes     []string  `json:"notes,omitempty"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (r RoutePlan) MarshalBinary() ([]byte, error) { return json.Marshal(r) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (r *RoutePlan) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, r) }

// DepotCapacity tracks how many delivery slots of a depot are reserved for a
// given day. Version is bumped on every change.
type DepotCapacity struct {
	DepotID  string    `json:"depot"`
	Day      string    `json:"day"`
	Slots    int       `json:"slots"`
	Reserved int       `json:"reserved"`
	Version  int64     `json:"version"`
	Updated  time.Time `json:"updated"`
}

// Free returns the number of unreserved slots.
func (c DepotCapacity) Free() int { return c.Slots - c.Reserved }

// MarshalBinary implements encoding.BinaryMarshaler.
func (c DepotCapacity) MarshalBinary() ([]byte, error) { return json.Marshal(c) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (c *DepotCapacity) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, c) }

// AttemptRecord counts failed delivery attempts of one parcel.
type AttemptRecord struct {
	ParcelID string    `json:"parcel"`
	Count    int       `json:"count"`
	Last     time.Time `json:"last"`
	Reason   string    `json:"reason,omitempty"`
}

// MarshalBinary implements encoding.BinaryMarshaler.
func (a AttemptRecord) MarshalBinary() ([]byte, error) { return json.Marshal(a) }

// UnmarshalBinary implements encoding.BinaryUnmarshaler.
func (a *AttemptRecord) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, a) }
