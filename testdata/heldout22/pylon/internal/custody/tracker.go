package custody

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"example.com/pylon/internal/storage"
)

const stateKeyPrefix = "custody:state:"

// Publisher receives status changes for downstream consumers.
type Publisher interface {
	Publish(ctx context.Context, topic string, payload []byte) error
}

// Tracker moves samples through the status table and records each move.
type Tracker struct {
	state storage.ReadWriter
	log   *Log
	pub   Publisher
}

// NewTracker wires a Tracker.
func NewTracker(state storage.ReadWriter, log *Log, pub Publisher) *Tracker {
	return &Tracker{state: state, log: log, pub: pub}
}

// ErrUnknownSample is returned for samples that were never registered.
var ErrUnknownSample = errors.New("custody: unknown sample")

// state is the stored status of a sample with the path it took.
type state struct {
	Status Status    `json:"s"`
	Path   []Status  `json:"p"`
	Since  time.Time `json:"t"`
}

func (t *Tracker) loadState(ctx context.Context, sampleID string) (state, error) {
	raw, err := t.state.Get(ctx, stateKeyPrefix+sampleID)
	if errors.Is(err, storage.ErrNotFound) {
		return state{}, ErrUnknownSample
	}
	if err != nil {
		return state{}, err
	}
	var st state
	if err := json.Unmarshal(raw, &st); err != nil {
		return state{}, fmt.Errorf("custody: corrupt state for %s: %w", sampleID, err)
	}
	return st, nil
}

func (t *Tracker) saveState(ctx context.Context, sampleID string, st state) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return t.state.Put(ctx, stateKeyPrefix+sampleID, raw, storage.PutOptions{})
}

// Register records a newly collected sample. Sample IDs are minted by the
// collection app and are unique per tube.
func (t *Tracker) Register(ctx context.Context, sampleID, actor, site string) error {
	st := state{Status: StatusCollected, Path: []Status{StatusCollected}, Since: time.Now().UTC()}
	if err := t.saveState(ctx, sampleID, st); err != nil {
		return err
	}
	_, err := t.log.Append(ctx, Event{SampleID: sampleID, Status: StatusCollected, Actor: actor, Site: site})
	return err
}

// Transition moves a sample to next if the table allows it.
func (t *Tracker) Transition(ctx context.Context, sampleID string, next Status, actor, site string) (Event, error) {
	st, err := t.loadState(ctx, sampleID)
	if err != nil {
		return Event{}, err
	}
	if !st.Status.CanMoveTo(next) {
		return Event{}, ErrIllegalTransition{From: st.Status, To: next}
	}
	st.Status, st.Path, st.Since = next, append(st.Path, next), time.Now().UTC()
	if err := t.saveState(ctx, sampleID, st); err != nil { // EXPECT kvrace
		return Event{}, err
	}
	ev, err := t.log.Append(ctx, Event{SampleID: sampleID, Status: next, Actor: actor, Site: site, At: time.Now().UTC()})
	if err != nil {
		return ev, err
	}
	payload := []byte(sampleID + "," + next.String())
	if err := t.pub.Publish(ctx, "status", payload); err != nil {
		return ev, fmt.Errorf("custody: publish: %w", err)
	}
	return ev, nil
}
