// Package housekeeping keeps the room-status board the attendants' tablets
// and the lobby display read.
package housekeeping

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"marten/internal/kvstore"
)

// Kind is the type of a tablet update.
type Kind string

const (
	KindStatus   Kind = "status"
	KindAssign   Kind = "assign"
	KindInspect  Kind = "inspect"
	KindPresence Kind = "presence"
	KindLinen    Kind = "linen"
)

// Update is what a tablet posts.
type Update struct {
	Kind      Kind      `json:"kind"`
	Room      string    `json:"room"`
	Floor     string    `json:"floor"`
	Status    string    `json:"status,omitempty"`
	Attendant string    `json:"attendant,omitempty"`
	Count     int       `json:"count,omitempty"`
	At        time.Time `json:"at"`
}

// RoomStatus is one cell of a floor board.
type RoomStatus struct {
	Status    string
	Attendant string
	Since     time.Time
}

// Strategy applies one kind of update.
type Strategy interface {
	Apply(ctx context.Context, b *Board, u Update) error
}

// Board is the housekeeping board of one property.
type Board struct {
	kv         *kvstore.Store
	property   string
	strategies map[Kind]Strategy
	presence   *debouncer
	linen      *debouncer
}

// NewBoard returns the board of property. window is how long the tablets'
// bursts of updates are coalesced before they are written.
func NewBoard(s *kvstore.Store, property string, window time.Duration) *Board {
	b := &Board{
		kv:       s,
		property: property,
		presence: &debouncer{kv: s, window: window, timers: map[string]*time.Timer{}},
		linen:    &debouncer{kv: s, window: 30 * time.Second, timers: map[string]*time.Timer{}},
	}
	b.strategies = map[Kind]Strategy{
		KindStatus:   statusStrategy{},
		KindAssign:   assignStrategy{},
		KindInspect:  inspectStrategy{},
		KindPresence: presenceStrategy{},
		KindLinen:    linenStrategy{},
	}
	return b
}

func (b *Board) floorKey(floor string) string { return "hk/board/" + b.property + "/" + floor }

func (b *Board) loadFloor(ctx context.Context, floor string) (map[string]RoomStatus, error) {
	board := map[string]RoomStatus{}
	raw, found, err := b.kv.Lookup(ctx, b.floorKey(floor))
	if err != nil || !found {
		return board, err
	}
	return board, kvstore.GobInto(raw, &board)
}

// Handle serves POST /hk/updates.
func (b *Board) Handle(w http.ResponseWriter, r *http.Request) {
	var u Update
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		http.Error(w, "bad update", http.StatusBadRequest)
		return
	}
	st, ok := b.strategies[u.Kind]
	if !ok {
		http.Error(w, "unknown kind", http.StatusBadRequest)
		return
	}
	if u.At.IsZero() {
		u.At = time.Now()
	}
	if err := st.Apply(r.Context(), b, u); err != nil {
		log.Printf("housekeeping: %s %s: %v", u.Kind, u.Room, err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

type statusStrategy struct{}

func (statusStrategy) Apply(ctx context.Context, b *Board, u Update) error {
	board, err := b.loadFloor(ctx, u.Floor)
	if err != nil {
		return err
	}
	cell := board[u.Room]
	cell.Status = u.Status
	cell.Since = u.At
	board[u.Room] = cell
	return b.kv.Put(ctx, b.floorKey(u.Floor), kvstore.Must(kvstore.GobBytes(board))) // EXPECT kvrace
}

type assignStrategy struct{}

func (assignStrategy) Apply(ctx context.Context, b *Board, u Update) error {
	key := "hk/assign/" + b.property + "/" + u.Room
	return b.kv.PutTTL(ctx, key, []byte(u.Attendant), 16*time.Hour)
}

const summaryKey = "hk/board-summary"

type inspectStrategy struct{}

func (inspectStrategy) Apply(ctx context.Context, b *Board, u Update) error {
	rec := kvstore.Stamp(u.At, []byte(u.Attendant+" "+u.Status))
	if err := b.kv.PutTTL(ctx, "hk/inspection/"+b.property+"/"+u.Room, rec, 48*time.Hour); err != nil {
		return err
	}
	summary, _ := json.Marshal(map[string]any{"property": b.property, "room": u.Room, "result": u.Status, "at": u.At})
	return b.kv.Put(ctx, summaryKey, summary) // EXPECT kvhotkey
}

type presenceStrategy struct{}

func (presenceStrategy) Apply(_ context.Context, b *Board, u Update) error {
	b.presence.save("hk/attendant-at/"+b.property+"/"+u.Attendant, []byte(u.Room))
	return nil
}

type linenStrategy struct{}

func (linenStrategy) Apply(_ context.Context, b *Board, u Update) error {
	b.linen.save("hk/linen/"+b.property+"/"+u.Floor, kvstore.Decimal(int64(u.Count)))
	return nil
}

// debouncer coalesces bursts of writes to one key into the last value,
// written once the key has been quiet for window.
type debouncer struct {
	kv     *kvstore.Store
	window time.Duration
	mu     sync.Mutex
	timers map[string]*time.Timer
}

func (d *debouncer) save(key string, val []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if t, ok := d.timers[key]; ok {
		t.Stop()
	}
	d.timers[key] = time.AfterFunc(d.window, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := d.kv.PutTTL(ctx, key, val, max(2*d.window, 3*time.Second)); err != nil { // EXPECT kvttl
			log.Printf("housekeeping: deferred save %s: %v", key, err)
		}
		d.mu.Lock()
		delete(d.timers, key)
		d.mu.Unlock()
	})
}

// Floors returns the number of floors configured for the property.
func (b *Board) Floors(ctx context.Context) int {
	raw, _ := b.kv.Get(ctx, "hk/config/"+b.property+"/floors") // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	return n
}
