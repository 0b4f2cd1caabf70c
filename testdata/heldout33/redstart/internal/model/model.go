// Package model holds the records that the edge Worker and the admin backend
// exchange through KV.
package model

import "time"

// Variant is one arm of an experiment.
type Variant struct {
	Name   string `json:"name"`
	Weight int    `json:"weight"`
}

// Experiment is the published definition of an experiment.
type Experiment struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Name      string    `json:"name"`
	Strategy  string    `json:"strategy"`
	Salt      string    `json:"salt"`
	Status    string    `json:"status"`
	Variants  []Variant `json:"variants"`
	Percent   int       `json:"percent"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Running reports whether the experiment serves assignments at t.
func (e *Experiment) Running(t time.Time) bool {
	if e.Status != "running" || t.Before(e.StartsAt) {
		return false
	}
	return e.EndsAt.IsZero() || t.Before(e.EndsAt)
}

// Session is a tenant admin's signed-in session.
type Session struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	User      string    `json:"user"`
	Role      string    `json:"role"`
	Method    string    `json:"method"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// RolloutPlan is the staged rollout of one experiment.
type RolloutPlan struct {
	Tenant     string         `json:"tenant"`
	Experiment string         `json:"experiment"`
	Steps      []int          `json:"steps"`
	Current    int            `json:"current"`
	Paused     bool           `json:"paused"`
	EndsAt     time.Time      `json:"ends_at,omitzero"`
	History    []RolloutEvent `json:"history"`
}

// Percent is the traffic share of the current step.
func (p *RolloutPlan) Percent() int {
	if len(p.Steps) == 0 {
		return 0
	}
	return p.Steps[min(p.Current, len(p.Steps)-1)]
}

// RolloutEvent records one change to a plan.
type RolloutEvent struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Percent int       `json:"percent"`
}

// APIKey is a tenant API key as stored at the edge (the secret is hashed).
type APIKey struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	DailyCap  int64     `json:"daily_cap"`
	CreatedAt time.Time `json:"created_at"`
}
