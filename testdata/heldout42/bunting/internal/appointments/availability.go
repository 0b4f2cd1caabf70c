package appointments

import (
	"context"
	"encoding/json"
	"log/slog"
	"sort"
	"sync"
	"time"

	"bunting/internal/kvstore"
)

// DaySchedule is the published availability of one clinician on one day.
type DaySchedule struct {
	ClinicianID string      `json:"clinician_id"`
	Day         string      `json:"day"`
	Open        []time.Time `json:"open"`
	Booked      []time.Time `json:"booked"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// Status is what the clinic dashboard shows for a clinician.
type Status struct {
	ClinicianID string    `json:"clinician_id"`
	State       string    `json:"state"`
	Since       time.Time `json:"since"`
}

const availabilityTTL = 36 * time.Hour

// Board holds availability computed by this instance from the scheduling
// database and publishes it to KV for the booking pages.
type Board struct {
	mu     sync.Mutex
	days   map[string]DaySchedule
	status sync.Map // clinicianID -> Status
	log    *slog.Logger
}

// NewBoard returns an empty board.
func NewBoard(log *slog.Logger) *Board {
	return &Board{days: make(map[string]DaySchedule), log: log}
}

func dayKey(clinicianID, day string) string { return "avail:" + clinicianID + ":" + day }

// Book moves a slot from open to booked and republishes the day.
func (b *Board) Book(ctx context.Context, clinicianID string, slot time.Time) error {
	day := slot.UTC().Format("2006-01-02")
	k := dayKey(clinicianID, day)
	b.mu.Lock()
	d := b.days[k]
	d.ClinicianID, d.Day = clinicianID, day
	for i, t := range d.Open {
		if t.Equal(slot) {
			d.Open = append(d.Open[:i:i], d.Open[i+1:]...)
			break
		}
	}
	d.Booked = append(d.Booked, slot)
	sort.Slice(d.Booked, func(i, j int) bool { return d.Booked[i].Before(d.Booked[j]) })
	d.UpdatedAt = time.Now().UTC()
	b.days[k] = d
	b.mu.Unlock()
	return kvstore.PutJSON(ctx, k, d, availabilityTTL)
}

// Publish writes every day the board holds; run from the nightly job.
func (b *Board) Publish(ctx context.Context) error {
	b.mu.Lock()
	batch := make(kvstore.Batch, 0, len(b.days))
	for k, d := range b.days {
		raw, err := json.Marshal(d)
		if err != nil {
			b.mu.Unlock()
			return err
		}
		batch = append(batch, &kvstore.Pair{Key: k, Value: string(raw), ExpirationTTL: int(availabilityTTL / time.Second)})
	}
	b.mu.Unlock()
	return kvstore.Default().WriteBatch(ctx, batch)
}

// SetStatus records a clinician's dashboard state in memory.
func (b *Board) SetStatus(clinicianID, state string) {
	b.status.Store(clinicianID, Status{ClinicianID: clinicianID, State: state, Since: time.Now().UTC()})
}

// FlushStatus persists the in-memory statuses, one key per clinician, and
// then the combined roster used by the clinic dashboard.
func (b *Board) FlushStatus(ctx context.Context) {
	var roster []Status
	b.status.Range(func(key, value any) bool {
		st := value.(Status)
		if err := kvstore.PutJSON(ctx, "status:"+st.ClinicianID, st, 10*time.Minute); err != nil {
			b.log.Warn("flush status", "clinician", st.ClinicianID, "err", err)
		}
		roster = append(roster, st)
		if err := kvstore.PutJSON(ctx, "roster:current", roster, 10*time.Minute); err != nil { // EXPECT kvhotkey
			b.log.Warn("flush roster", "err", err)
		}
		return true
	})
}

// RunStatusFlusher flushes statuses once a minute until ctx ends.
func (b *Board) RunStatusFlusher(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			b.FlushStatus(ctx)
		}
	}
}
