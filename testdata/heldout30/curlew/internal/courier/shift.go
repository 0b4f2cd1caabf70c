package courier

import (
	"context"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/repo"
	"example.com/curlew/internal/saga"
)

// DeviceTokens mints handheld tokens; implemented by infra/cfsdk.
type DeviceTokens interface {
	Issue(ctx context.Context, token, courierID string, shiftEnd time.Time) error
}

// RouteAssigner binds a courier to a route plan.
type RouteAssigner interface {
	AssignCourier(ctx context.Context, routeID, courierID string) error
}

// Scheduler runs a job later on the background queue.
type Scheduler interface {
	After(d time.Duration, name string, job func(context.Context) error)
}

type shiftRecord struct {
	Courier  string    `json:"courier"`
	Depot    string    `json:"depot"`
	Route    string    `json:"route"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Closed   bool      `json:"closed"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// lifetime keeps shifts for a week after they end for payroll queries.
func (r shiftRecord) lifetime() time.Duration {
	return max(time.Until(r.End)+7*24*time.Hour, time.Hour)
}

// StartResult is what the app receives when a shift starts.
type StartResult struct {
	ShiftID     string
	Session     Session
	DeviceToken string
}

// Shifts starts and closes courier shifts.
type Shifts struct {
	records  *repo.Repo[shiftRecord]
	sessions *Sessions
	tokens   DeviceTokens
	routes   RouteAssigner
	later    Scheduler
	now      func() time.Time
}

// NewShifts wires the shift flow.
func NewShifts(s kv.Store, sessions *Sessions, tokens DeviceTokens, routes RouteAssigner, later Scheduler) *Shifts {
	return &Shifts{
		records:  repo.New(s, "shift:", repo.WithLifetime(shiftRecord.lifetime)),
		sessions: sessions,
		tokens:   tokens,
		routes:   routes,
		later:    later,
		now:      time.Now,
	}
}

// Start opens a shift: session, handheld token, shift record and route
// assignment. If a step fails, the earlier ones are rolled back.
func (s *Shifts) Start(ctx context.Context, courierID, deviceID, depotID, routeID string, end time.Time) (StartResult, error) {
	now := s.now()
	shiftID := depotID + ":" + now.UTC().Format("20060102") + ":" + courierID
	rec := shiftRecord{Courier: courierID, Depot: depotID, Route: routeID, Start: now, End: end}
	var res StartResult
	token := newToken(32)

	err := saga.New("start-shift").
		Then("session",
			func(ctx context.Context) (err error) {
				res.Session, err = s.sessions.Create(ctx, courierID, deviceID, end)
				return err
			},
			func(ctx context.Context) error { return s.sessions.discard(ctx, res.Session.ID) }).
		Then("device-token",
			func(ctx context.Context) error { return s.tokens.Issue(ctx, token, courierID, end) },
			nil). // never handed out on failure; it expires with the shift
		Then("shift-record",
			func(ctx context.Context) error { return s.records.Save(ctx, shiftID, rec) },
			func(ctx context.Context) error { return s.records.Delete(ctx, shiftID) }).
		Then("route",
			func(ctx context.Context) error { return s.routes.AssignCourier(ctx, routeID, courierID) },
			nil).
		Run(ctx)
	if err != nil {
		return StartResult{}, err
	}
	s.later.After(time.Until(end), "close-shift", func(ctx context.Context) error {
		return s.Close(ctx, shiftID)
	})
	res.DeviceToken = token
	res.ShiftID = shiftID
	return res, nil
}

// Close marks a shift closed. Only the background queue calls it, once per
// shift, when the shift's end passes.
func (s *Shifts) Close(ctx context.Context, shiftID string) error {
	now := s.now()
	return s.records.Modify(ctx, shiftID, func(r *shiftRecord) error {
		if r.Closed {
			return nil
		}
		r.Closed, r.ClosedAt = true, now
		return nil
	})
}
