// Package courier holds the domain records that the Worker and the backend
// keep in Workers KV.
package courier

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"
)

// Caps are per-courier capability bits.
type Caps uint16

const (
	CapBike Caps = 1 << iota
	CapCar
	CapColdChain
	CapAlcohol
	CapOversize
	CapTrainee
)

func (c Caps) Has(f Caps) bool { return c&f != 0 }

func (c Caps) String() string {
	var parts []string
	names := []string{"bike", "car", "cold", "alcohol", "oversize", "trainee"}
	for i, n := range names {
		if c&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, "+")
}

// OrderFlag marks facts about a live order.
type OrderFlag uint8

const (
	FlagPickedUp OrderFlag = 1 << iota
	FlagDelayed
	FlagContactless
	FlagProofNeeded
	FlagDelivered
)

// Shift is one courier's working shift.
type Shift struct {
	ID        string    `json:"id"`
	CourierID string    `json:"courier_id"`
	Zone      string    `json:"zone"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Caps      Caps      `json:"caps"`
	Breaks    []Break   `json:"breaks,omitempty"`
	Orders    []string  `json:"orders,omitempty"`
	ClosedAt  time.Time `json:"closed_at,omitempty"`
}

type Break struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitempty"`
}

// OrderStatus is the live status customers poll.
type OrderStatus struct {
	OrderID   string    `json:"order_id"`
	CourierID string    `json:"courier_id,omitempty"`
	State     string    `json:"state"`
	Flags     OrderFlag `json:"flags"`
	ETA       time.Time `json:"eta,omitempty"`
	Lat       float64   `json:"lat,omitempty"`
	Lng       float64   `json:"lng,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TrailPoint is one line of an order's newline-delimited location trail.
type TrailPoint struct {
	At  time.Time `json:"at"`
	Lat float64   `json:"lat"`
	Lng float64   `json:"lng"`
}

// Login binds a courier to a device for a working day.
type Login struct {
	Token     string    `json:"token"`
	CourierID string    `json:"courier_id"`
	DeviceID  string    `json:"device_id"`
	IssuedAt  time.Time `json:"issued_at"`
	SeenAt    time.Time `json:"seen_at"`
	Caps      Caps      `json:"caps"`
}

// Proof is the metadata of a delivery proof (photo or signature).
type Proof struct {
	OrderID   string    `json:"order_id"`
	CourierID string    `json:"courier_id"`
	Kind      string    `json:"kind"`
	BlobURL   string    `json:"blob_url"`
	SHA256    string    `json:"sha256"`
	TakenAt   time.Time `json:"taken_at"`
	Lat       float64   `json:"lat"`
	Lng       float64   `json:"lng"`
	Note      string    `json:"note,omitempty"`
}

// Surge is a zone's current price multiplier.
type Surge struct {
	Zone       string    `json:"zone"`
	Multiplier float64   `json:"multiplier"`
	Demand     int       `json:"demand"`
	Couriers   int       `json:"couriers"`
	Until      time.Time `json:"until"`
}

// NotFoundError reports a key that KV does not have.
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return "kv: no value for " + e.Key }

// ConflictError reports a value that already exists.
type ConflictError struct {
	Key   string
	Owner string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("kv: %s already held by %s", e.Key, e.Owner)
}

var proofKeyTmpl = template.Must(template.New("proofkey").Parse(
	`{{.Prefix}}{{.Zone}}/{{.Day}}/{{.OrderID}}/{{.Kind}}`))

// ProofKey renders the key of a proof record.
func ProofKey(prefix, zone string, day time.Time, orderID, kind string) string {
	var buf bytes.Buffer
	_ = proofKeyTmpl.Execute(&buf, struct {
		Prefix, Zone, Day, OrderID, Kind string
	}{prefix, zone, day.Format("20060102"), orderID, kind})
	return buf.String()
}

var boardTmpl = template.Must(template.New("board").Parse(
	`{{range .}}{{.OrderID}} {{.State}} {{.CourierID}}
{{end}}`))

// RenderBoard renders the dispatcher's plain-text board.
func RenderBoard(rows []OrderStatus) []byte {
	var buf bytes.Buffer
	_ = boardTmpl.Execute(&buf, rows)
	return buf.Bytes()
}
