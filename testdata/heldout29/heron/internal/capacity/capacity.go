// Package capacity publishes exhibit schedules, holds places while a
// visitor checks out, and reports how full each slot is.
package capacity

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/httpx"
	"example.com/heron/internal/keys"
	"example.com/heron/internal/ports"
	"example.com/heron/internal/repo"
)

// exhibitCacheTTL bounds how stale an exhibit read from the CMS may be.
const exhibitCacheTTL = 30 * time.Second

// slotsPerDay is the number of five-minute entry windows between 09:00 and
// 21:30.
const slotsPerDay = 150

// Catalog is the collections CMS, the source of truth for exhibits.
type Catalog interface {
	Exhibit(ctx context.Context, id string) (domain.Exhibit, error)
}

// Service is the capacity service.
type Service struct {
	ns        ports.Handle
	holds     ports.Handle
	schedules ports.Handle
	exhibits  *repo.Repo[domain.Exhibit]
	catalog   Catalog
	now       func() time.Time
}

// New wires a Service on namespace nsID.
func New(b ports.Backend, nsID string, catalog Catalog) *Service {
	ns := b.Namespace(nsID)
	return &Service{
		ns:        ns,
		holds:     ns.Prefixed("hold:").WithLifetime(45 * time.Second), // EXPECT kvttl
		schedules: ns.Prefixed("schedule:"),
		exhibits:  repo.New[domain.Exhibit](ns.Prefixed("exhibit:"), repo.WithTTL(exhibitCacheTTL)), // EXPECT kvttl
		catalog:   catalog,
		now:       time.Now,
	}
}

// ExhibitReq names an exhibit.
type ExhibitReq struct {
	ID string `json:"id"`
}

// Bind reads the id from the path.
func (r *ExhibitReq) Bind(req *http.Request) error {
	r.ID = req.PathValue("id")
	return nil
}

// Exhibit returns an exhibit, served from KV when cached.
func (s *Service) Exhibit(ctx context.Context, req ExhibitReq) (domain.Exhibit, error) {
	return s.exhibits.GetOrLoad(ctx, req.ID, s.catalog.Exhibit)
}

// HoldReq reserves a place in a slot while checkout completes.
type HoldReq struct {
	SlotID   domain.SlotID   `json:"slot_id"`
	TicketID domain.TicketID `json:"ticket_id"`
	MemberID string          `json:"member_id"`
}

// Hold writes a hold record. Holds expire on their own if checkout is
// abandoned.
func (s *Service) Hold(ctx context.Context, req HoldReq) (struct{}, error) {
	if req.TicketID == "" || req.SlotID == "" {
		return struct{}{}, httpx.Errorf(http.StatusBadRequest, "slot_id and ticket_id are required")
	}
	b, _ := json.Marshal(req)
	return struct{}{}, s.holds.Put(ctx, string(req.TicketID), b, nil)
}

type scheduleMeta struct {
	Version   int    `json:"v"`
	UpdatedBy string `json:"by"`
}

// ScheduleReq replaces an exhibit's slots. IfMatch is the version the
// editor loaded; it must still be current.
type ScheduleReq struct {
	ExhibitID string        `json:"exhibit_id"`
	Slots     []domain.Slot `json:"slots"`
	IfMatch   int           `json:"if_match"`
	Editor    string        `json:"editor"`
}

type ScheduleResp struct {
	Version int `json:"version"`
}

// ErrPrecondition means the schedule was edited by someone else.
var ErrPrecondition = httpx.Errorf(http.StatusPreconditionFailed, "schedule was changed by another editor")

// UpdateSchedule stores a new schedule and the initial capacity of each
// slot.
func (s *Service) UpdateSchedule(ctx context.Context, req ScheduleReq) (ScheduleResp, error) {
	var cur scheduleMeta
	e, err := s.schedules.GetEntry(ctx, req.ExhibitID)
	switch {
	case errors.Is(err, ports.ErrNotFound):
	case err != nil:
		return ScheduleResp{}, err
	case len(e.Metadata) > 0:
		if err := json.Unmarshal(e.Metadata, &cur); err != nil {
			return ScheduleResp{}, err
		}
	}
	if cur.Version != req.IfMatch {
		return ScheduleResp{}, ErrPrecondition
	}
	body, err := json.Marshal(req.Slots)
	if err != nil {
		return ScheduleResp{}, err
	}
	next := scheduleMeta{Version: cur.Version + 1, UpdatedBy: req.Editor}
	if err := s.schedules.Put(ctx, req.ExhibitID, body, &ports.PutOpts{Metadata: next}); err != nil { // EXPECT kvrace
		return ScheduleResp{}, err
	}
	now := s.now()
	for _, sl := range req.Slots {
		if sl.Start.Before(now) {
			continue
		}
		v := []byte(strconv.Itoa(sl.Capacity))
		ttl := max(time.Until(sl.End)+24*time.Hour, time.Hour)
		if err := s.ns.Put(ctx, keys.SlotCapacity(req.ExhibitID, sl.Start), v, &ports.PutOpts{TTL: ttl}); err != nil {
			return ScheduleResp{}, err
		}
	}
	return ScheduleResp{Version: next.Version}, nil
}

// DayReq names an exhibit and a day.
type DayReq struct {
	ExhibitID string    `json:"exhibit_id"`
	Day       time.Time `json:"day"`
}

// SlotFill is the remaining capacity of one slot.
type SlotFill struct {
	Start     time.Time `json:"start"`
	Remaining int       `json:"remaining"`
}

// Dashboard shows every slot of a day for the front-of-house screen.
func (s *Service) Dashboard(ctx context.Context, req DayReq) ([]SlotFill, error) {
	y, m, d := req.Day.Date()
	open := time.Date(y, m, d, 9, 0, 0, 0, time.Local)
	ks := make([]string, 0, slotsPerDay)
	starts := make(map[string]time.Time, slotsPerDay)
	for i := range slotsPerDay {
		start := open.Add(time.Duration(i) * 5 * time.Minute)
		k := keys.SlotCapacity(req.ExhibitID, start)
		ks = append(ks, k)
		starts[k] = start
	}
	raw, err := s.ns.BulkGet(ctx, ks) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]SlotFill, 0, len(raw))
	for k, v := range raw {
		n, err := strconv.Atoi(string(v))
		if err != nil {
			continue
		}
		out = append(out, SlotFill{Start: starts[k], Remaining: n})
	}
	slices.SortFunc(out, func(a, b SlotFill) int { return a.Start.Compare(b.Start) })
	return out, nil
}
