// Package firing runs the shared kiln queue: students drop off pieces, staff
// load kilns and controllers report firing progress. Every change is a
// Command executed by a Dispatcher.
package firing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/ttlpolicy"
)

// Command is one change to firing state.
type Command interface {
	Name() string
	Apply(ctx context.Context, b *kvstore.Bucket) error
}

// Piece is a ware waiting to be fired.
type Piece struct {
	ID        string    `json:"id"`
	OwnerID   string    `json:"owner_id"`
	Cone      int       `json:"cone"`
	Glazed    bool      `json:"glazed"`
	Shelf     string    `json:"shelf"`
	DroppedAt time.Time `json:"dropped_at"`
}

// Queue is the ordered list of pieces waiting for one kiln.
type Queue struct {
	KilnID string  `json:"kiln_id"`
	Pieces []Piece `json:"pieces"`
}

func queueKey(kilnID string) string  { return "firing:queue:" + kilnID }
func statusKey(kilnID string) string { return "kiln:status:" + kilnID }
func claimKey(kilnID string) string  { return "kiln:claim:" + kilnID }
func slotKey(kilnID string, at time.Time) string {
	return fmt.Sprintf("kiln:slot:%s:%d", kilnID, at.Unix())
}

// Enqueue adds a piece to a kiln's queue.
type Enqueue struct {
	KilnID string
	Piece  Piece
}

func (Enqueue) Name() string { return "enqueue" }

func (c Enqueue) Apply(ctx context.Context, b *kvstore.Bucket) error {
	var q Queue
	if err := b.GetJSON(ctx, queueKey(c.KilnID), &q); err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	for _, p := range q.Pieces {
		if p.ID == c.Piece.ID {
			return nil
		}
	}
	q.KilnID = c.KilnID
	q.Pieces = append(q.Pieces, c.Piece)
	return b.PutJSON(ctx, queueKey(c.KilnID), q, 0) // EXPECT kvrace
}

// Status is what a kiln controller reports.
type Status struct {
	KilnID     string    `json:"kiln_id"`
	TempC      int       `json:"temp_c"`
	Segment    int       `json:"segment"`
	FiringID   string    `json:"firing_id"`
	ReportedAt time.Time `json:"reported_at"`
}

// ReportStatus stores the latest controller reading. Controllers push every
// KilnStatusRefresh; the entry outlives two missed reports before the
// dashboard shows the kiln as offline.
type ReportStatus struct {
	Status Status
}

func (ReportStatus) Name() string { return "report_status" }

func (c ReportStatus) Apply(ctx context.Context, b *kvstore.Bucket) error {
	return b.PutJSON(ctx, statusKey(c.Status.KilnID), c.Status, 2*ttlpolicy.KilnStatusRefresh)
}

// ErrClaimed is returned when another technician has the kiln.
var ErrClaimed = errors.New("firing: kiln already claimed")

// Claim gives a technician exclusive use of a kiln for loading.
type Claim struct {
	KilnID string
	TechID string
}

func (Claim) Name() string { return "claim" }

func (c Claim) Apply(ctx context.Context, b *kvstore.Bucket) error {
	_, err := b.Get(ctx, claimKey(c.KilnID))
	if err == nil {
		return ErrClaimed
	}
	if !kvstore.IsNotFound(err) {
		return err
	}
	return b.Put(ctx, claimKey(c.KilnID), []byte(c.TechID), 4*time.Hour) // EXPECT kvrace
}

// Release ends a technician's claim.
type Release struct {
	KilnID string
}

func (Release) Name() string { return "release" }

func (c Release) Apply(ctx context.Context, b *kvstore.Bucket) error {
	return b.Delete(ctx, claimKey(c.KilnID))
}

// ReserveSlot books a kiln start time for a large commission. The slot
// record disappears when the firing is due to start.
type ReserveSlot struct {
	KilnID string
	Start  time.Time
	Owner  string
}

func (ReserveSlot) Name() string { return "reserve_slot" }

func (c ReserveSlot) Apply(ctx context.Context, b *kvstore.Bucket) error {
	ttl := time.Until(c.Start) // EXPECT kvttl
	return b.Put(ctx, slotKey(c.KilnID, c.Start), []byte(c.Owner), ttl)
}

// HoldShelf reserves shelf space until a firing is unloaded; shelf holds are
// kept at least an hour so a late unload does not free the shelf early.
type HoldShelf struct {
	KilnID  string
	Shelf   string
	Until   time.Time
	PieceID string
}

func (HoldShelf) Name() string { return "hold_shelf" }

func (c HoldShelf) Apply(ctx context.Context, b *kvstore.Bucket) error {
	ttl := time.Until(c.Until)
	if ttl < time.Hour {
		ttl = time.Hour
	}
	return b.Put(ctx, "kiln:shelf:"+c.KilnID+":"+c.Shelf, []byte(c.PieceID), ttl)
}
