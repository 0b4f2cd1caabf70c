// Package waitlist keeps the waitlists of full talks. Attendees join from the
// event app (through the backend API); a cron job promotes them when seats
// free up.
package waitlist

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

// Entry is one attendee waiting for a seat.
type Entry struct {
	Attendee string    `json:"attendee"`
	Joined   time.Time `json:"joined"`
}

// List is the waitlist of one talk, oldest first.
type List struct {
	Event   string    `json:"event"`
	Talk    string    `json:"talk"`
	Entries []Entry   `json:"entries"`
	EndsAt  time.Time `json:"ends_at"`
}

// Key implements the KV record contract.
func (l List) Key() string {
	return keys.TalkKey{Event: l.Event, Talk: l.Talk}.Waitlist().String()
}

// TTL implements the KV record contract.
func (l List) TTL() time.Duration { return 14 * 24 * time.Hour }

// ErrAlreadyWaiting is returned when the attendee is on the list.
var ErrAlreadyWaiting = errors.New("waitlist: already waiting")

// Service manages waitlists.
type Service struct {
	kv *kvx.Store
}

// New returns the waitlist service.
func New(store *kvx.Store) *Service { return &Service{kv: store} }

// Join puts an attendee at the end of the waitlist and returns the position.
func (s *Service) Join(ctx context.Context, tk keys.TalkKey, attendee string) (int, error) {
	list, err := kvx.LoadOr(ctx, s.kv, tk.Waitlist(), List{Event: tk.Event, Talk: tk.Talk})
	if err != nil {
		return 0, err
	}
	if slices.ContainsFunc(list.Entries, func(e Entry) bool { return e.Attendee == attendee }) {
		return 0, ErrAlreadyWaiting
	}
	list.Entries = append(list.Entries, Entry{Attendee: attendee, Joined: time.Now().UTC()})
	if err := kvx.Save(ctx, s.kv, list); err != nil { // EXPECT kvrace
		return 0, err
	}

	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ak := keys.Event(tk.Event).Child("att", attendee)
		a, err := kvx.Load[domain.Attendee](ctx, s.kv, ak)
		if err != nil {
			log.Printf("waitlist: tag %s: %v", ak, err)
			return
		}
		a.Tags = append(a.Tags, "waitlist:"+tk.Talk)
		if err := kvx.Save(ctx, s.kv, a); err != nil { // EXPECT kvrace
			log.Printf("waitlist: tag %s: %v", ak, err)
		}
	}()
	return len(list.Entries), nil
}

// Promote takes up to seats attendees off the head of the waitlist and
// returns them; the caller offers them the seats.
func (s *Service) Promote(ctx context.Context, tk keys.TalkKey, seats int) ([]Entry, error) {
	if seats <= 0 {
		return nil, nil
	}
	list, err := kvx.Load[List](ctx, s.kv, tk.Waitlist())
	if kvx.IsNotFound(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("promote %s: %w", tk, err)
	}
	n := min(seats, len(list.Entries))
	promoted := slices.Clone(list.Entries[:n])
	list.Entries = list.Entries[n:]
	if err := kvx.Save(ctx, s.kv, list); err != nil { // EXPECT kvrace
		return nil, err
	}
	return promoted, nil
}

// Reset drops the waitlist of a talk after the programme committee moved
// it to a bigger room. The list is rebuilt from the ticketing database.
func (s *Service) Reset(ctx context.Context, tk keys.TalkKey, entries []Entry) error {
	return kvx.Save(ctx, s.kv, List{Event: tk.Event, Talk: tk.Talk, Entries: entries})
}
