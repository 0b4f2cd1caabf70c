// Package outbox applies domain events to the read models ("projections") the
// dashboard renders. Events arrive from the builds and artifacts services
// through the queue consumer.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
)

// Event is one domain event.
type Event struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Project string          `json:"project"`
	Build   int64           `json:"build"`
	At      time.Time       `json:"at"`
	Data    json.RawMessage `json:"data"`
}

// PutFunc writes a rendered projection.
type PutFunc func(ctx context.Context, key, val string) error

// Handler applies one event.
type Handler func(ctx context.Context, ev Event) error

// ErrUnhandled is returned (wrapped) for event types with no handler.
var ErrUnhandled = errors.New("outbox: no handler for event type")

// BuildSummary is the per-build projection.
type BuildSummary struct {
	Project   string    `json:"project"`
	Build     int64     `json:"build"`
	Status    string    `json:"status"`
	Artifacts []string  `json:"artifacts"`
	Started   time.Time `json:"started"`
	Finished  time.Time `json:"finished"`
}

// Projector owns the handler table.
type Projector struct {
	st       kvstore.Store
	put      PutFunc
	handlers map[string]Handler
	log      *slog.Logger
}

// StorePut adapts a Store into a PutFunc using the projections policy.
func StorePut(st kvstore.Store) PutFunc {
	ttl := policy.Of("projections").TTL
	return func(ctx context.Context, key, val string) error {
		return st.Put(ctx, key, []byte(val), kvstore.PutOptions{TTL: ttl})
	}
}

// NewProjector wires the handlers.
func NewProjector(st kvstore.Store, put PutFunc, log *slog.Logger) *Projector {
	p := &Projector{st: st, put: put, log: log}
	p.handlers = map[string]Handler{
		"build.started":     p.onBuildStarted,
		"build.finished":    p.onBuildFinished,
		"artifact.uploaded": p.onArtifactUploaded,
	}
	return p
}

func summaryKey(project string, build int64) string {
	return policy.Key("projections", fmt.Sprintf("build:%s:%d", project, build))
}

// Apply dispatches ev to its handler.
func (p *Projector) Apply(ctx context.Context, ev Event) error {
	h, ok := p.handlers[ev.Type]
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnhandled, ev.Type)
	}
	return h(ctx, ev)
}

// ApplyAll applies a batch in order and returns every failure joined.
func (p *Projector) ApplyAll(ctx context.Context, evs []Event) error {
	var errs []error
	for _, ev := range evs {
		if err := p.Apply(ctx, ev); err != nil {
			if errors.Is(err, ErrUnhandled) {
				p.log.DebugContext(ctx, "skipping event", "type", ev.Type)
				continue
			}
			errs = append(errs, fmt.Errorf("event %s: %w", ev.ID, err))
			continue
		}
		line, _ := json.Marshal(struct {
			Type    string    `json:"type"`
			Project string    `json:"project"`
			At      time.Time `json:"at"`
		}{ev.Type, ev.Project, ev.At})
		if err := p.put(ctx, "proj:activity:latest", string(line)); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (p *Projector) onBuildStarted(ctx context.Context, ev Event) error {
	b, _ := json.Marshal(BuildSummary{Project: ev.Project, Build: ev.Build, Status: "running", Started: ev.At})
	return p.put(ctx, summaryKey(ev.Project, ev.Build), string(b))
}

func (p *Projector) onBuildFinished(ctx context.Context, ev Event) error {
	var data struct {
		Status    string   `json:"status"`
		Artifacts []string `json:"artifacts"`
	}
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		return err
	}
	sum := BuildSummary{
		Project:   ev.Project,
		Build:     ev.Build,
		Status:    data.Status,
		Artifacts: data.Artifacts,
		Finished:  ev.At,
	}
	b, _ := json.Marshal(sum)
	return p.put(ctx, summaryKey(ev.Project, ev.Build), string(b))
}

func (p *Projector) onArtifactUploaded(ctx context.Context, ev Event) error {
	var data struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(ev.Data, &data); err != nil {
		return err
	}
	k := summaryKey(ev.Project, ev.Build)
	sum, _, err := codec.Load[BuildSummary](ctx, p.st, k)
	if err != nil {
		return err
	}
	sum.Project, sum.Build = ev.Project, ev.Build
	sum.Artifacts = append(sum.Artifacts, data.Name)
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	return p.put(ctx, k, string(b)) // EXPECT kvrace
}
