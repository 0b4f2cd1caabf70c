// Package credits tracks day-pass credits: members buy bundles in the
// back office and spend one credit per desk-day at the edge.
package credits

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"merganser/internal/kvio"
)

// ErrInsufficient is returned when a member has fewer credits than needed.
var ErrInsufficient = errors.New("credits: insufficient balance")

// Balance is the member's credit state as the edge sees it.
type Balance struct {
	MemberID  string    `json:"member_id"`
	Remaining int       `json:"remaining"`
	Expires   time.Time `json:"expires"`
	Plan      string    `json:"plan"`
}

// LedgerEntry is one movement of credits.
type LedgerEntry struct {
	At     time.Time `json:"at"`
	Delta  int       `json:"delta"`
	Reason string    `json:"reason"`
}

func balanceKey(memberID string) string { return "credits:" + memberID }
func ledgerKey(memberID string) string {
	return "ledger:" + memberID + ":" + time.Now().UTC().Format("2006-01")
}

// Read fills out with the member's balance. A member without a balance has
// zero credits.
func Read(ctx context.Context, g kvio.Getter, memberID string, out *Balance) error {
	out.MemberID = memberID
	found, err := kvio.Lookup(ctx, g, balanceKey(memberID), out)
	if err != nil {
		return fmt.Errorf("credits: read %s: %w", memberID, err)
	}
	if !found || time.Now().After(out.Expires) {
		out.Remaining = 0
	}
	return nil
}

// Spend takes n credits from the member's balance for reason.
func Spend(ctx context.Context, rw kvio.GetPutter, q *Queue, memberID string, n int, reason string) (int, error) {
	var bal Balance
	if err := Read(ctx, rw, memberID, &bal); err != nil {
		return 0, err
	}
	if bal.Remaining < n {
		return bal.Remaining, fmt.Errorf("%w: have %d, need %d", ErrInsufficient, bal.Remaining, n)
	}
	bal.Remaining -= n
	keep := time.Until(bal.Expires) + 24*time.Hour                                 // DEBATABLE kvttl
	if err := kvio.PutJSON(ctx, rw, balanceKey(memberID), bal, keep); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	q.Record(rw, memberID, LedgerEntry{At: time.Now().UTC(), Delta: -n, Reason: reason})
	return bal.Remaining, nil
}

// Grant stores the balance computed by billing. The back office is the
// source of truth; the edge copy is replaced wholesale.
func Grant(ctx context.Context, p kvio.Putter, bal Balance) error {
	ttl := time.Until(bal.Expires) + 24*time.Hour
	if ttl < time.Hour {
		ttl = time.Hour
	}
	return kvio.PutJSON(ctx, p, balanceKey(bal.MemberID), bal, ttl)
}

// Queue runs ledger writes on one background goroutine so request handlers
// do not wait for them.
type Queue struct {
	jobs chan func(ctx context.Context) error
	done chan struct{}
}

// NewQueue starts the goroutine; it exits when ctx is cancelled and the
// queue is drained.
func NewQueue(ctx context.Context, depth int) *Queue {
	q := &Queue{jobs: make(chan func(ctx context.Context) error, depth), done: make(chan struct{})}
	go func() {
		defer close(q.done)
		for {
			select {
			case job := <-q.jobs:
				if err := job(ctx); err != nil {
					log.Printf("credits: background job: %v", err)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return q
}

// Record appends e to the member's monthly ledger.
func (q *Queue) Record(rw kvio.GetPutter, memberID string, e LedgerEntry) {
	q.jobs <- func(ctx context.Context) error {
		key := ledgerKey(memberID)
		var entries []LedgerEntry
		if err := kvio.Into(ctx, rw, key, &entries); err != nil && !errors.Is(err, kvio.ErrNotFound) {
			return err
		}
		entries = append(entries, e)
		return kvio.PutJSON(ctx, rw, key, entries, 400*24*time.Hour) // EXPECT kvrace
	}
}

// Notify queues a low-balance notice for member, at most one per day.
func (q *Queue) Notify(p kvio.Putter, memberID string, remaining int) {
	day := time.Now().UTC().Format("2006-01-02")
	q.jobs <- func(ctx context.Context) error {
		return p.Put(ctx, "notice:low-credits:"+memberID+":"+day, fmt.Sprint(remaining), 36*time.Hour)
	}
}

// Enqueue runs job on the queue goroutine.
func (q *Queue) Enqueue(job func(ctx context.Context) error) {
	q.jobs <- job
}

// Done is closed once the queue goroutine has exited.
func (q *Queue) Done() <-chan struct{} { return q.done }
