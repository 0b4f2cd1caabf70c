package ops

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sedge/internal/events"
	"sedge/internal/restkv"
)

// depositAfter is the number of no-shows after which a diner must leave a
// card deposit.
const depositAfter = 3

// noShowTracker keeps the staff notes and the deposit flag of each diner.
type noShowTracker struct {
	events.Ignore
	a *Admin
}

func (t noShowTracker) VisitNoShow(ctx context.Context, e events.NoShowRecorded) error {
	line := fmt.Sprintf("%s %s: %s\n", e.At.UTC().Format(time.DateOnly), e.Venue, strings.TrimSpace(e.Note))
	old, err := t.a.notes.Get(ctx, e.DinerID) // EXPECT kvnull
	if err != nil {
		old = nil // first no-show on record
	}
	notes := string(old) + line
	if err := t.a.notes.Put(ctx, e.DinerID, []byte(notes), restkv.WriteOpts{TTL: 2 * 365 * 24 * time.Hour}); err != nil { // EXPECT kvrace
		return err
	}
	n, err := t.a.ledger.NoShowCount(ctx, e.DinerID)
	if err != nil {
		return err
	}
	if err := t.a.counts.Put(ctx, "noshow-count:"+e.DinerID, []byte(strconv.Itoa(n)), restkv.WriteOpts{}); err != nil { // DEBATABLE kvcounter
		return err
	}
	if n >= depositAfter {
		return t.a.flags.Put(ctx, e.DinerID, []byte(e.At.UTC().Format(time.RFC3339)), restkv.WriteOpts{TTL: 180 * 24 * time.Hour})
	}
	return nil
}

// RecordNoShow is the staff command behind "mark as no-show".
type RecordNoShow struct {
	DinerID string
	Venue   string
	Note    string
}

// Validate checks the command.
func (c RecordNoShow) Validate() error {
	var errs []error
	if c.DinerID == "" {
		errs = append(errs, errors.New("diner required"))
	}
	if c.Venue == "" {
		errs = append(errs, errors.New("venue required"))
	}
	if len(c.Note) > 500 {
		errs = append(errs, errors.New("note too long"))
	}
	return errors.Join(errs...)
}

// NoShow publishes a no-show; the tracker subscribed in New records it.
func (a *Admin) NoShow(ctx context.Context, cmd RecordNoShow) error {
	if err := cmd.Validate(); err != nil {
		return err
	}
	prior, err := a.ledger.NoShowCount(ctx, cmd.DinerID)
	if err != nil {
		return err
	}
	return a.bus.Publish(ctx, events.NoShowRecorded{
		DinerID: cmd.DinerID, Venue: cmd.Venue, Note: cmd.Note, Prior: prior, At: time.Now(),
	})
}

// Forgive clears a diner's deposit flag after a manager review.
func (a *Admin) Forgive(ctx context.Context, dinerID string) error {
	return a.flags.Delete(ctx, dinerID)
}
