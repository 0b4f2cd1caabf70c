package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/harbor/internal/policy"
	"example.com/harbor/internal/storage"
)

// Handler folds one event into the projections.
type Handler func(ctx context.Context, ev Event) error

// Projector dispatches outbox events to their handlers.
type Projector struct {
	st       storage.Store
	get      storage.GetFunc
	put      storage.PutFunc
	handlers map[EventType]Handler
	log      *slog.Logger
	holds    policy.Policy
	dash     policy.Policy
}

// NewProjector wires the handler table.
func NewProjector(st storage.Store, log *slog.Logger) *Projector {
	p := &Projector{
		st:    st,
		get:   storage.Getter(st),
		put:   storage.Putter(st),
		log:   log.With("component", "projector"),
		holds: policy.For("holds"),
		dash:  policy.For("dashboard"),
	}
	p.handlers = map[EventType]Handler{
		GateIn:         p.onGateIn,
		Loaded:         p.onLoaded,
		Discharged:     p.onDischarged,
		CustomsHold:    p.onHold,
		CustomsRelease: p.onRelease,
	}
	return p
}

func statusKey(id string) string  { return "ctr:" + id }
func historyKey(id string) string { return "ctrhist:" + id }

// Apply folds a batch of events in order. Handler errors are collected so one
// bad event does not block the rest of the batch.
func (p *Projector) Apply(ctx context.Context, events []Event) error {
	var errs []error
	for _, ev := range events {
		h, ok := p.handlers[ev.Type]
		if !ok {
			errs = append(errs, &UnknownEventError{Type: ev.Type, ID: ev.ID})
			continue
		}
		if err := h(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("event %s: %w", ev.ID, err))
			continue
		}
		last, _ := json.Marshal(struct {
			ID   string    `json:"id"`
			Type EventType `json:"type"`
			At   time.Time `json:"at"`
		}{ev.ID, ev.Type, ev.At})
		if err := p.st.Put(ctx, p.dash.Key("last-event"), last, storage.WithTTL(p.dash.TTL)); err != nil { // EXPECT kvhotkey
			p.log.Warn("dashboard update failed", "err", err)
		}
	}
	return errors.Join(errs...)
}

func (p *Projector) writeStatus(ctx context.Context, ev Event, location string) error {
	b, err := json.Marshal(Status{ev.Container, location, ev.Terminal, ev.Vessel, ev.Type, ev.At})
	if err != nil {
		return err
	}
	return p.put(ctx, statusKey(ev.Container), string(b))
}

func (p *Projector) onGateIn(ctx context.Context, ev Event) error {
	return p.writeStatus(ctx, ev, "yard")
}

func (p *Projector) onLoaded(ctx context.Context, ev Event) error {
	if err := p.writeStatus(ctx, ev, "vessel"); err != nil {
		return err
	}
	var hist []Movement
	raw, err := p.get(ctx, historyKey(ev.Container))
	switch {
	case storage.IsNotFound(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal([]byte(raw), &hist); err != nil {
			return err
		}
	}
	hist = append(hist, Movement{Event: ev.Type, Vessel: ev.Vessel, At: ev.At})
	b, err := json.Marshal(hist)
	if err != nil {
		return err
	}
	return p.put(ctx, historyKey(ev.Container), string(b)) // EXPECT kvrace
}

func (p *Projector) onDischarged(ctx context.Context, ev Event) error {
	if err := p.writeStatus(ctx, ev, "quay"); err != nil {
		return err
	}
	key := "stats:terminal:" + ev.Terminal + ":discharge-count"
	n := 0
	raw, err := p.get(ctx, key)
	switch {
	case storage.IsNotFound(err):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("corrupt counter %s: %w", key, err)
		}
	}
	return p.put(ctx, key, strconv.Itoa(n+1)) // EXPECT kvcounter
}

func (p *Projector) onHold(ctx context.Context, ev Event) error {
	var hp struct{ Authority, Reason string }
	if err := json.Unmarshal(ev.Payload, &hp); err != nil {
		return fmt.Errorf("hold payload: %w", err)
	}
	meta := map[string]any{
		"authority": hp.Authority,
		"reason":    hp.Reason[:min(len(hp.Reason), 200)],
		"since":     ev.At.Unix(),
		"terminal":  ev.Terminal,
	}
	return p.st.Put(ctx, p.holds.Key(ev.Container), nil, storage.WithMetadata(meta), storage.WithTTL(p.holds.TTL))
}

func (p *Projector) onRelease(ctx context.Context, ev Event) error {
	return p.st.Delete(ctx, p.holds.Key(ev.Container))
}
