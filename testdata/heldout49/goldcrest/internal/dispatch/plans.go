package dispatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"goldcrest/internal/cfkv"
	"goldcrest/internal/clock"
	"goldcrest/internal/model"
)

// ErrStalePlan is returned when a plan changed since the caller read it.
var ErrStalePlan = errors.New("dispatch: plan changed since it was read")

// Stage changes a plan. A plan goes through a list of stages and is written
// once at the end.
type Stage func(ctx context.Context, p *model.RoutePlan) error

// Planner stores route plans.
type Planner struct {
	kv    *cfkv.Namespace
	clock clock.Clock
	build []Stage
}

// NewPlanner returns a Planner.
func NewPlanner(ns *cfkv.Namespace, c clock.Clock) *Planner {
	p := &Planner{kv: ns, clock: c}
	p.build = []Stage{normalizePostcodes, sortByWindow}
	return p
}

func planKey(routeID string) string { return "plan:" + routeID }

func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func normalizePostcodes(_ context.Context, p *model.RoutePlan) error {
	for i := range p.Stops {
		p.Stops[i].Postcode = strings.ToUpper(strings.Join(strings.Fields(p.Stops[i].Postcode), " "))
	}
	return nil
}

func sortByWindow(_ context.Context, p *model.RoutePlan) error {
	sort.SliceStable(p.Stops, func(i, j int) bool { return p.Stops[i].Window[0] < p.Stops[j].Window[0] })
	return nil
}

func markDone(ids []string) Stage {
	return func(_ context.Context, p *model.RoutePlan) error {
		for i := range p.Stops {
			if slices.Contains(ids, p.Stops[i].ParcelID) {
				p.Stops[i].Done = true
			}
		}
		return nil
	}
}

func addNote(note string, c clock.Clock) Stage {
	return func(_ context.Context, p *model.RoutePlan) error {
		if note != "" {
			p.Notes = append(p.Notes, c.Now().Format("15:04")+" "+note)
		}
		return nil
	}
}

func bumpRev(_ context.Context, p *model.RoutePlan) error {
	p.Rev++
	return nil
}

func run(ctx context.Context, p *model.RoutePlan, stages []Stage) error {
	for _, st := range stages {
		if err := st(ctx, p); err != nil {
			return err
		}
	}
	return nil
}

// BuildPlansRequest carries the planner's output for one day.
type BuildPlansRequest struct {
	Day   string            `json:"day"`
	Plans []model.RoutePlan `json:"plans"`
}

// BuildPlansResponse reports the stored plans' ETags.
type BuildPlansResponse struct {
	ETags map[string]string `json:"etags"`
}

// BuildPlans stores freshly computed plans.
func (p *Planner) BuildPlans(ctx context.Context, req *BuildPlansRequest) (*BuildPlansResponse, error) {
	resp := &BuildPlansResponse{ETags: make(map[string]string, len(req.Plans))}
	for i := range req.Plans {
		plan := &req.Plans[i]
		plan.Day = req.Day
		plan.Rev = 1
		if err := run(ctx, plan, p.build); err != nil {
			return nil, fmt.Errorf("dispatch: plan %s: %w", plan.RouteID, err)
		}
		b, err := plan.MarshalBinary()
		if err != nil {
			return nil, err
		}
		etag := etagOf(b)
		meta := cfkv.Meta{"day": plan.Day, "rev": plan.Rev, "etag": etag}
		if err := p.kv.PutMeta(ctx, planKey(plan.RouteID), b, meta, 0); err != nil {
			return nil, err
		}
		resp.ETags[plan.RouteID] = etag
		if err := p.kv.Put(ctx, "plans:latest-day", []byte(req.Day), 0); err != nil { // EXPECT kvhotkey
			return nil, err
		}
	}
	return resp, nil
}

// AdvanceRequest reports a courier's progress on a route.
type AdvanceRequest struct {
	RouteID string   `json:"route"`
	Done    []string `json:"done"`
	Note    string   `json:"note,omitempty"`
}

// AdvanceResponse returns the new revision.
type AdvanceResponse struct {
	Rev       int `json:"rev"`
	Remaining int `json:"remaining"`
}

// AdvancePlan marks stops done and stores the plan.
func (p *Planner) AdvancePlan(ctx context.Context, req *AdvanceRequest) (*AdvanceResponse, error) {
	key := planKey(req.RouteID)
	var plan model.RoutePlan
	if err := p.kv.Load(ctx, key, &plan); err != nil {
		return nil, err
	}
	stages := []Stage{markDone(req.Done), addNote(req.Note, p.clock), bumpRev}
	if err := run(ctx, &plan, stages); err != nil {
		return nil, err
	}
	b, err := plan.MarshalBinary()
	if err != nil {
		return nil, err
	}
	meta := cfkv.Meta{"day": plan.Day, "rev": plan.Rev, "etag": etagOf(b)}
	if err := p.kv.PutMeta(ctx, key, b, meta, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	remaining := 0
	for _, s := range plan.Stops {
		if !s.Done {
			remaining++
		}
	}
	return &AdvanceResponse{Rev: plan.Rev, Remaining: remaining}, nil
}

// PublishPlanRequest replaces a plan. IfMatch is the ETag the editor loaded;
// empty for a new plan.
type PublishPlanRequest struct {
	Plan    model.RoutePlan `json:"plan"`
	IfMatch string          `json:"if_match,omitempty"`
}

// PublishPlanResponse returns the stored plan's ETag and revision.
type PublishPlanResponse struct {
	ETag string `json:"etag"`
	Rev  int    `json:"rev"`
}

// PublishPlan stores an edited plan if nobody else changed it meanwhile.
func (p *Planner) PublishPlan(ctx context.Context, req *PublishPlanRequest) (*PublishPlanResponse, error) {
	key := planKey(req.Plan.RouteID)
	meta, err := p.kv.Metadata(ctx, key)
	switch {
	case errors.Is(err, cfkv.ErrNotFound):
		if req.IfMatch != "" {
			return nil, ErrStalePlan
		}
	case err != nil:
		return nil, err
	default:
		if etag, _ := meta["etag"].(string); etag != req.IfMatch {
			return nil, ErrStalePlan
		}
	}
	plan := req.Plan
	if err := run(ctx, &plan, p.build); err != nil {
		return nil, err
	}
	plan.Rev = 1
	if rev, ok := meta["rev"].(float64); ok {
		plan.Rev = int(rev) + 1
	}
	plan.Published = p.clock.Now()
	b, err := plan.MarshalBinary()
	if err != nil {
		return nil, err
	}
	etag := etagOf(b)
	if err := p.kv.PutMeta(ctx, key, b, cfkv.Meta{"day": plan.Day, "rev": plan.Rev, "etag": etag}, 0); err != nil { // DEBATABLE kvrace
		return nil, err
	}
	return &PublishPlanResponse{ETag: etag, Rev: plan.Rev}, nil
}

// PlanRequest fetches a plan; KnownRev lets the app skip unchanged plans.
type PlanRequest struct {
	RouteID  string `json:"route"`
	KnownRev int    `json:"known_rev"`
}

// PlanResponse carries the plan unless it is unchanged.
type PlanResponse struct {
	Unchanged bool             `json:"unchanged"`
	Plan      *model.RoutePlan `json:"plan,omitempty"`
}

// Plan returns a route plan.
func (p *Planner) Plan(ctx context.Context, req *PlanRequest) (*PlanResponse, error) {
	var plan model.RoutePlan
	if err := p.kv.Load(ctx, planKey(req.RouteID), &plan); err != nil {
		return nil, err
	}
	if req.KnownRev != 0 && plan.Rev == req.KnownRev {
		return &PlanResponse{Unchanged: true}, nil
	}
	return &PlanResponse{Plan: &plan}, nil
}
