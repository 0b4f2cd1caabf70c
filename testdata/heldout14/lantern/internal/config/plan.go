package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Plan is a tenant's subscription tier.
type Plan string

const (
	PlanFree      Plan = "free"
	PlanCommunity Plan = "community"
	PlanPro       Plan = "pro"
)

// ParsePlan maps a stored plan name to a Plan, defaulting to free.
func ParsePlan(s string) Plan {
	switch p := Plan(strings.ToLower(strings.TrimSpace(s))); p {
	case PlanCommunity, PlanPro:
		return p
	}
	return PlanFree
}

// Quota is what a plan allows per tenant.
type Quota struct {
	RSVPsPerDay int
	Seats       int
}

// parsePlans reads overrides of the form "free=200/100,pro=50000/20000"
// (RSVPs per day / seats per event) on top of the defaults.
func parsePlans(spec string) (map[Plan]Quota, error) {
	plans := map[Plan]Quota{
		PlanFree:      {RSVPsPerDay: 200, Seats: 100},
		PlanCommunity: {RSVPsPerDay: 2000, Seats: 1000},
		PlanPro:       {RSVPsPerDay: 50000, Seats: 20000},
	}
	for _, part := range strings.FieldsFunc(spec, func(r rune) bool { return r == ',' }) {
		name, vals, _ := strings.Cut(strings.TrimSpace(part), "=")
		perDay, seats, ok := strings.Cut(vals, "/")
		d, err1 := strconv.Atoi(perDay)
		s, err2 := strconv.Atoi(seats)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("LANTERN_PLAN_QUOTAS: bad entry %q", part)
		}
		plans[ParsePlan(name)] = Quota{RSVPsPerDay: d, Seats: s}
	}
	return plans, nil
}
