package matchmaking

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/store"
)

// Event is anything the game servers publish on the matchmaking queue.
type Event interface{ EventID() string }

type MatchFound struct {
	ID      string   `json:"id"`
	Region  string   `json:"region"`
	Tickets []string `json:"tickets"` // ticket keys
	Players []string `json:"players"`
}

type MatchFinished struct {
	ID       string        `json:"id"`
	Winner   string        `json:"winner"`
	Duration time.Duration `json:"duration"`
}

type TicketCancelled struct {
	ID     string `json:"id"`
	Ticket string `json:"ticket"` // ticket key
}

func (e MatchFound) EventID() string      { return e.ID }
func (e MatchFinished) EventID() string   { return e.ID }
func (e TicketCancelled) EventID() string { return e.ID }

// Consumer applies a batch of events to KV.
type Consumer struct {
	s   store.Store
	now func() time.Time
}

func NewConsumer(s store.Store) *Consumer { return &Consumer{s: s, now: time.Now} }

func (c *Consumer) Handle(ctx context.Context, batch []Event) error {
	finished := 0
	for _, ev := range batch {
		var err error
		switch e := ev.(type) {
		case MatchFound:
			for _, k := range e.Tickets {
				if err = c.s.Delete(ctx, k); err != nil {
					break
				}
			}
			if err == nil {
				err = store.PutJSON(ctx, c.s, keys.Match+e.ID, e, store.WithTTL(6*time.Hour))
			}
		case MatchFinished:
			finished++
			err = store.PutJSON(ctx, c.s, keys.Match+e.ID+":result", e, store.WithTTL(7*24*time.Hour))
		case TicketCancelled:
			err = c.s.Delete(ctx, e.Ticket)
		default:
			err = fmt.Errorf("matchmaking: unknown event %T", ev)
		}
		if err != nil {
			return fmt.Errorf("matchmaking: event %s: %w", ev.EventID(), err)
		}
		// lets ops see where the consumer is when a batch keeps failing
		if err := c.s.Put(ctx, "mm:consumer:checkpoint", []byte(ev.EventID())); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if finished == 0 {
		return nil
	}
	return c.addPlayed(ctx, finished)
}

// addPlayed feeds the "matches played today" figure on the landing page.
func (c *Consumer) addPlayed(ctx context.Context, n int) error {
	key := "stats:matches-played:" + keys.Day(c.now().UTC())
	total := 0
	raw, found, err := store.Lookup(ctx, c.s, key)
	if err != nil {
		return err
	}
	if found {
		if total, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("matchmaking: corrupt %s: %w", key, err)
		}
	}
	total += n
	return c.s.Put(ctx, key, []byte(strconv.Itoa(total)), store.WithTTL(72*time.Hour)) // EXPECT kvcounter|kvrace
}
