package dispatch

import (
	"context"
	"encoding/json"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/storage"
)

// DraftStop is one stop a dispatcher has put on a draft load plan.
type DraftStop struct {
	ShipmentID string  `json:"shipment_id"`
	Sequence   int     `json:"sequence"`
	WeightKg   float64 `json:"weight_kg"`
}

// Draft is a dispatcher's load plan in progress, kept between page loads of
// the planning screen until it is submitted.
type Draft struct {
	Dispatcher string      `json:"dispatcher"`
	Depot      string      `json:"depot"`
	Vehicle    string      `json:"vehicle,omitempty"`
	Stops      []DraftStop `json:"stops"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// Drafts stores one draft per dispatcher.
type Drafts struct {
	st    storage.Store
	clock clock.Clock
}

// NewDrafts returns a Drafts store.
func NewDrafts(st storage.Store, c clock.Clock) *Drafts { return &Drafts{st: st, clock: c} }

func draftKey(dispatcher string) string { return "draft:" + dispatcher }

// Get returns the dispatcher's draft, or an empty one.
func (d *Drafts) Get(ctx context.Context, dispatcher, depot string) (Draft, error) {
	b, err := d.st.Get(ctx, draftKey(dispatcher))
	if storage.IsNotFound(err) {
		return Draft{Dispatcher: dispatcher, Depot: depot}, nil
	}
	if err != nil {
		return Draft{}, err
	}
	var dr Draft
	if err := json.Unmarshal(b, &dr); err != nil {
		return Draft{}, err
	}
	return dr, nil
}

// AddStop appends a stop to the dispatcher's draft.
func (d *Drafts) AddStop(ctx context.Context, dispatcher, depot string, stop DraftStop) (Draft, error) {
	dr, err := d.Get(ctx, dispatcher, depot)
	if err != nil {
		return Draft{}, err
	}
	stop.Sequence = len(dr.Stops) + 1
	dr.Stops = append(dr.Stops, stop)
	dr.UpdatedAt = d.clock.Now()
	b, err := json.Marshal(dr)
	if err != nil {
		return Draft{}, err
	}
	if err := d.st.Put(ctx, draftKey(dispatcher), b, 7*24*time.Hour); err != nil { // EXPECT kvsession|kvrace
		return Draft{}, err
	}
	return dr, nil
}
