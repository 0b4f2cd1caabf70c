// Package shifts lets staff swap shifts and publishes the daily shift board.
package shifts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"example.com/tamarack/internal/platform/store"
	"example.com/tamarack/internal/platform/uow"
)

// ErrUnknownShift is returned for shift ids not on the roster.
var ErrUnknownShift = errors.New("unknown shift")

// Shift is one staffed slot.
type Shift struct {
	ID     string    `json:"id"`
	Staff  string    `json:"staff"`
	Role   string    `json:"role"`
	Post   string    `json:"post"`
	Starts time.Time `json:"starts"`
	Ends   time.Time `json:"ends"`
}

// Swap is a request to hand a shift to someone else.
type Swap struct {
	ID       string    `json:"id"`
	ShiftID  string    `json:"shift_id"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Reason   string    `json:"reason"`
	Created  time.Time `json:"created"`
	Approved bool      `json:"approved"`
}

// Roster is the stored state of one day.
type Roster struct {
	Day    string           `json:"day"`
	Shifts map[string]Shift `json:"shifts"`
	Swaps  []Swap           `json:"swaps"`
}

// Service manages rosters.
type Service struct {
	st  store.Store
	log *slog.Logger
}

// NewService returns a Service.
func NewService(st store.Store, log *slog.Logger) *Service { return &Service{st: st, log: log} }

func rosterKey(day string) string { return "shifts:roster:" + day }

func (s *Service) load(ctx context.Context, day string) (*Roster, error) {
	raw, err := s.st.Get(ctx, rosterKey(day))
	if store.IsNotFound(err) {
		return &Roster{Day: day, Shifts: map[string]Shift{}}, nil
	}
	if err != nil {
		return nil, err
	}
	var r Roster
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, fmt.Errorf("roster %s: %w", day, err)
	}
	return &r, nil
}

func (s *Service) save(ctx context.Context, day string, r *Roster) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.st.Put(ctx, rosterKey(day), string(b))
}

func newID() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RequestSwap adds a swap request to the day's roster.
func (s *Service) RequestSwap(ctx context.Context, day string, sw Swap) (_ Swap, err error) {
	r, err := s.load(ctx, day)
	if err != nil {
		return Swap{}, err
	}
	sh, ok := r.Shifts[sw.ShiftID]
	if !ok {
		return Swap{}, ErrUnknownShift
	}
	defer func() { err = errors.Join(err, s.save(ctx, day, r)) }() // EXPECT kvrace
	sw.ID, sw.From, sw.Created = newID(), sh.Staff, time.Now().UTC()
	r.Swaps = append(r.Swaps, sw)
	s.log.Info("swap requested", "day", day, "shift", sw.ShiftID, "to", sw.To)
	return sw, nil
}

// PublishBoard renders the public shift board for day, post by post, so
// that the board fills up while a long roster is being rendered.
func (s *Service) PublishBoard(ctx context.Context, day string, shifts []Shift) error {
	key := "shifts:board:" + day
	slices.SortFunc(shifts, func(a, b Shift) int { return a.Starts.Compare(b.Starts) })
	board := make([]Shift, 0, len(shifts))
	for _, sh := range shifts {
		board = append(board, sh)
		b, err := json.Marshal(board)
		if err != nil {
			return err
		}
		if err := s.st.Put(ctx, key, string(b), store.WithTTL(48*time.Hour)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Log records an audit line for day through the request's unit of work.
func (s *Service) Log(ctx context.Context, day, line string) {
	if u := uow.From(ctx); u != nil {
		u.Append("shifts:log:"+day, time.Now().UTC().Format(time.TimeOnly)+" "+line)
	}
}
