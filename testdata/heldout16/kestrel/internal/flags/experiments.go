package flags

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
	"example.com/kestrel/internal/store"
)

const assignmentTTL = 30 * 24 * time.Hour

// Experiments assigns users to A/B variants.
type Experiments struct {
	st   store.Store
	bus  *events.Bus
	defs map[string][]string // experiment -> variants, first is control
}

// NewExperiments returns an assigner for the configured experiments.
func NewExperiments(st store.Store, bus *events.Bus, defs map[string][]string) *Experiments {
	return &Experiments{st: st, bus: bus, defs: defs}
}

func assignKey(exp, user string) string      { return keys.Join("exp", exp, "a", keys.Digest(user)) }
func exposureKey(exp, variant string) string { return keys.Join("exposures", exp, variant) }
func summaryKey(exp string) string           { return keys.Join("exp", exp, "summary") }

// AssignRequest asks which variant a user sees.
type AssignRequest struct {
	Experiment string `json:"experiment"`
	UserID     string `json:"user_id"`
}

// Assignment is a user's variant.
type Assignment struct {
	Variant string `json:"variant"`
	New     bool   `json:"new"`
}

func pick(variants []string, exp, user string) string {
	sum := sha256.Sum256([]byte(exp + "/" + user))
	return variants[int(sum[0])%len(variants)]
}

// Assign returns the user's variant, recording the first exposure.
func (x *Experiments) Assign(ctx context.Context, req AssignRequest) (Assignment, error) {
	variants := x.defs[req.Experiment]
	if len(variants) == 0 {
		return Assignment{}, httpx.Errorf(http.StatusNotFound, "experiment_not_found", "no experiment %q", req.Experiment)
	}
	k := assignKey(req.Experiment, req.UserID)
	v, err := x.st.Get(ctx, k)
	if err == nil {
		return Assignment{Variant: v}, nil
	}
	if !store.IsNotFound(err) {
		return Assignment{}, err
	}
	v = pick(variants, req.Experiment, req.UserID)
	if err := x.st.Put(ctx, k, v, assignmentTTL); err != nil {
		return Assignment{}, err
	}
	err = events.Publish(ctx, x.bus, events.Exposure{Experiment: req.Experiment, Variant: v, UserID: req.UserID})
	return Assignment{Variant: v, New: true}, err
}

func (x *Experiments) exposures(ctx context.Context, exp, variant string) (int, error) {
	raw, err := x.st.Get(ctx, exposureKey(exp, variant))
	if store.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// OnExposure tallies first exposures per variant for the results page.
func (x *Experiments) OnExposure(ctx context.Context, e events.Exposure) error {
	n, err := x.exposures(ctx, e.Experiment, e.Variant)
	if err != nil {
		return err
	}
	return x.st.Put(ctx, exposureKey(e.Experiment, e.Variant), strconv.Itoa(n+1), 0) // EXPECT kvcounter
}

// Summarize writes the per-variant totals read by the results page. The
// summary is saved after each variant so a partial result is visible even
// if the invocation runs out of subrequests.
func (x *Experiments) Summarize(ctx context.Context, exp string) (map[string]int, error) {
	summary := make(map[string]int, len(x.defs[exp]))
	for _, variant := range x.defs[exp] {
		n, err := x.exposures(ctx, exp, variant)
		if err != nil {
			return summary, err
		}
		summary[variant] = n
		body, err := json.Marshal(summary)
		if err != nil {
			return summary, err
		}
		if err := x.st.Put(ctx, summaryKey(exp), string(body), time.Hour); err != nil { // EXPECT kvhotkey
			return summary, err
		}
	}
	return summary, nil
}
