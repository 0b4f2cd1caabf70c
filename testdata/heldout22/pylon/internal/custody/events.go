package custody

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Event is one entry in a sample's custody log. Events are never changed
// after they are written.
type Event struct {
	SampleID string
	ID       string
	Status   Status
	Actor    string
	Site     string
	At       time.Time
	Note     string
}

// custodyNotice travels with every custody event so that auditors who list
// the log can see the legal basis without fetching values.
const custodyNotice = "This record forms part of the chain of custody for a clinical specimen " +
	"and is retained under the laboratory's accreditation requirements (ISO 15189:2022 clause 7.2.7 " +
	"and 7.4.1.6). Every transfer of possession between collection site, courier, receiving laboratory, " +
	"biobank storage and disposal contractor must be recorded with the identity of the person " +
	"relinquishing and the person receiving the specimen, the date and time of transfer, the condition " +
	"of the container and seal, and the temperature regime maintained during transport. Records must not " +
	"be altered; corrections are made by appending a new event that references the event being corrected. " +
	"Access to this record is restricted to authorised laboratory personnel, the ordering clinician and " +
	"auditors acting for the accreditation body. Unauthorised disclosure may constitute a breach of " +
	"patient confidentiality under applicable health-privacy law and of the laboratory's data processing " +
	"agreement with the submitting organisation. Retention: specimen records are kept for the longer of " +
	"thirty years or the period required by the submitting jurisdiction."

const eventPrefix = "custody:ev:"

func eventKey(sampleID, id string) string { return eventPrefix + sampleID + ":" + id }

// newEventID sorts by time: nanoseconds, zero padded, plus randomness to
// separate events written in the same nanosecond on different hosts.
func newEventID(at time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%019d-%s", at.UnixNano(), hex.EncodeToString(b[:]))
}

// Log appends custody events.
type Log struct {
	store storage.ReadWriter
	codec repo.Codec[Event]
	now   func() time.Time
}

// NewLog returns a Log writing gob-encoded events.
func NewLog(store storage.ReadWriter) *Log {
	return &Log{store: store, codec: repo.Gob[Event]{}, now: time.Now}
}

// Append writes ev under a fresh key and returns it with its ID set.
func (l *Log) Append(ctx context.Context, ev Event) (Event, error) {
	if ev.At.IsZero() {
		ev.At = l.now().UTC()
	}
	ev.ID = newEventID(ev.At)
	raw, err := l.codec.Encode(ev)
	if err != nil {
		return ev, err
	}
	return ev, l.store.Put(ctx, eventKey(ev.SampleID, ev.ID), raw, storage.PutOptions{Metadata: map[string]any{"st": ev.Status.String(), "t": ev.At.Unix(), "notice": custodyNotice}}) // EXPECT kvlimits
}

// AppendAll writes a batch of events, e.g. a courier hand-over of a whole
// bag. Each event gets its own key.
func (l *Log) AppendAll(ctx context.Context, evs []Event) ([]Event, error) {
	out := make([]Event, 0, len(evs))
	for _, ev := range evs {
		if ev.At.IsZero() {
			ev.At = l.now().UTC()
		}
		ev.ID = newEventID(ev.At)
		raw, err := l.codec.Encode(ev)
		if err != nil {
			return out, err
		}
		meta := map[string]any{"st": ev.Status.String(), "site": ev.Site, "t": ev.At.Unix()}
		if err := l.store.Put(ctx, eventKey(ev.SampleID, ev.ID), raw, storage.PutOptions{Metadata: meta}); err != nil {
			return out, fmt.Errorf("append %s: %w", ev.SampleID, err)
		}
		out = append(out, ev)
	}
	return out, nil
}
