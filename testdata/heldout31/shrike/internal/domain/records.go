package domain

import "time"

type Rider struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Home      string    `json:"home_station,omitempty"`
	CreatedAt Timestamp `json:"created_at"`
}

func (Rider) Prefix() string { return "rider" }

type Pass struct {
	ID        string    `json:"id"`
	RiderID   string    `json:"rider_id"`
	Kind      PassKind  `json:"kind"`
	Price     Money     `json:"price"`
	Activated Timestamp `json:"activated"`
	Expires   Timestamp `json:"expires"`
	// Minutes is the included riding time; 0 means unlimited.
	Minutes int `json:"minutes,omitempty"`
}

func (Pass) Prefix() string { return "pass" }

func (p Pass) Active(t time.Time) bool {
	return !p.Activated.IsZero() && t.After(p.Activated.Time) && t.Before(p.Expires.Time)
}

type DockState string

const (
	DockFree     DockState = "free"
	DockOccupied DockState = "occupied"
)

type StationStatus struct {
	StationID string               `json:"station_id"`
	Docks     map[string]DockState `json:"docks"`
	Bikes     int                  `json:"bikes"`
	Free      int                  `json:"free"`
	Reported  Timestamp            `json:"reported"`
}

func (s *StationStatus) Recount() {
	s.Bikes, s.Free = 0, 0
	for _, st := range s.Docks {
		switch st {
		case DockOccupied:
			s.Bikes++
		case DockFree:
			s.Free++
		}
	}
}

type Ticket struct {
	ID        string    `json:"id"`
	StationID string    `json:"station_id"`
	Asset     string    `json:"asset"`
	Summary   string    `json:"summary"`
	Status    string    `json:"status"`
	Assignee  string    `json:"assignee,omitempty"`
	Opened    Timestamp `json:"opened"`
	Due       Timestamp `json:"due"`
}

func (Ticket) Prefix() string { return "ticket" }

type Promo struct {
	Code     string    `json:"code"`
	Percent  int       `json:"percent"`
	MaxUses  int       `json:"max_uses"`
	Starts   Timestamp `json:"starts"`
	Ends     Timestamp `json:"ends"`
	Campaign string    `json:"campaign,omitempty"`
}

func (p Promo) Live(t time.Time) bool {
	return !t.Before(p.Starts.Time) && t.Before(p.Ends.Time)
}

// OccupancyMap is the hour-of-week occupancy profile of every station in a
// region, used by rebalancing crews.
type OccupancyMap struct {
	Region   string           `json:"region"`
	Built    Timestamp        `json:"built"`
	Stations map[string][]int `json:"stations"`
}
