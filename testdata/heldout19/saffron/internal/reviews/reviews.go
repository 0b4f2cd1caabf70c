// Package reviews handles guest reviews and their moderation. A review's key
// carries its moderation state, so queues are prefix listings.
package reviews

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/store"
)

var now = time.Now

const (
	Pending  = "pending"
	Approved = "approved"
	Rejected = "rejected"
)

var (
	ErrNotFound = errors.New("reviews: not found")
	ErrInvalid  = errors.New("reviews: invalid review")
)

// Review is a guest review.
type Review struct {
	ID          string    `json:"id"`
	Restaurant  string    `json:"restaurant"`
	Author      string    `json:"author"`
	Rating      int       `json:"rating"`
	Body        string    `json:"body"`
	Status      string    `json:"status"`
	SubmittedAt time.Time `json:"submitted_at"`
	ModeratedAt time.Time `json:"moderated_at,omitzero"`
	Moderator   string    `json:"moderator,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Flags       []Flag    `json:"flags,omitempty"`
}

// Flag is a guest report against a published review.
type Flag struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

func (r Review) key() string {
	return keys.ReviewKey{Restaurant: r.Restaurant, Status: r.Status, ID: r.ID}.String()
}

const (
	pendingTTL  = 30 * 24 * time.Hour
	rejectedTTL = 180 * 24 * time.Hour
)

// Commands changes reviews.
type Commands struct {
	r store.Reader
	w store.Writer
}

// NewCommands returns the command service.
func NewCommands(r store.Reader, w store.Writer) *Commands { return &Commands{r: r, w: w} }

// Submit stores a new review in the pending queue.
func (c *Commands) Submit(ctx context.Context, restaurant, author, body string, rating int) (Review, error) {
	body = strings.TrimSpace(body)
	if rating < 1 || rating > 5 || body == "" || utf8.RuneCountInString(body) > 4000 {
		return Review{}, ErrInvalid
	}
	var id [10]byte
	if _, err := rand.Read(id[:]); err != nil {
		return Review{}, err
	}
	rv := Review{
		ID:          hex.EncodeToString(id[:]),
		Restaurant:  restaurant,
		Author:      author,
		Rating:      rating,
		Body:        body,
		Status:      Pending,
		SubmittedAt: now().UTC(),
	}
	if err := store.PutJSON(ctx, c.w, rv.key(), rv, store.SecondsOf(pendingTTL)); err != nil {
		return Review{}, err
	}
	return rv, nil
}

// Decide moves a pending review to approved or rejected.
func (c *Commands) Decide(ctx context.Context, restaurant, id, moderator string, approve bool, reason string) (Review, error) {
	pendingKey := keys.ReviewKey{Restaurant: restaurant, Status: Pending, ID: id}.String()
	rv, ok, err := store.GetJSON[Review](ctx, c.r, pendingKey)
	if err != nil {
		return Review{}, err
	}
	if !ok {
		return Review{}, ErrNotFound
	}
	rv.Status, rv.Moderator, rv.Reason, rv.ModeratedAt = Rejected, moderator, reason, now().UTC()
	ttl := store.SecondsOf(rejectedTTL)
	if approve {
		rv.Status, ttl = Approved, 0
	}
	if err := store.PutJSON(ctx, c.w, rv.key(), rv, ttl); err != nil {
		return Review{}, fmt.Errorf("reviews: store decision: %w", err)
	}
	if err := c.w.Delete(ctx, pendingKey); err != nil {
		return rv, fmt.Errorf("reviews: clear pending: %w", err)
	}
	return rv, nil
}

// Flag attaches a guest report to a published review.
func (c *Commands) Flag(ctx context.Context, restaurant, id, reason string) error {
	key := keys.ReviewKey{Restaurant: restaurant, Status: Approved, ID: id}.String()
	rv, ok, err := store.GetJSON[Review](ctx, c.r, key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	rv.Flags = append(rv.Flags, Flag{Reason: reason, At: now().UTC()})
	return store.PutJSON(ctx, c.w, key, rv, 0) // EXPECT kvrace
}

// Queries reads reviews.
type Queries struct {
	r store.Reader
	l store.Lister
}

// NewQueries returns the query service.
func NewQueries(r store.Reader, l store.Lister) *Queries { return &Queries{r: r, l: l} }

// PendingQueue returns one page of the moderation queue with the cursor for
// the next page.
func (q *Queries) PendingQueue(ctx context.Context, restaurant, cursor string) ([]Review, string, error) {
	page, err := q.l.List(ctx, store.Query{Prefix: keys.ReviewPrefix(restaurant, Pending), Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	out := make([]Review, 0, len(page.Keys))
	for _, k := range page.Keys {
		rv, ok, err := store.GetJSON[Review](ctx, q.r, k.Name) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		if ok {
			out = append(out, rv)
		}
	}
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return out, next, nil
}

// RejectedKeys returns one page of rejected review keys for the archive job.
func (q *Queries) RejectedKeys(ctx context.Context, restaurant, cursor string) ([]string, string, error) {
	page, err := q.l.List(ctx, store.Query{
		Prefix: keys.ReviewPrefix(restaurant, Rejected),
		Cursor: cursor,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(page.Keys))
	for i, k := range page.Keys {
		names[i] = k.Name
	}
	if page.Complete {
		return names, "", nil
	}
	return names, page.Cursor, nil
}
