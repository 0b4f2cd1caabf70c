// Package reviews takes guest reviews through moderation to publication.
package reviews

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/repo"
	"example.com/pipit/internal/store"
)

// Status is a review's moderation state.
type Status uint8

const (
	Pending Status = iota
	Approved
	Declined
)

var statusNames = []string{"pending", "approved", "declined"}

func (s Status) MarshalJSON() ([]byte, error) { return json.Marshal(statusNames[s]) }

func (s *Status) UnmarshalJSON(b []byte) error {
	var n string
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	i := slices.Index(statusNames, n)
	if i < 0 {
		return fmt.Errorf("unknown status %q", n)
	}
	*s = Status(i)
	return nil
}

// Review is a guest's review of a stay.
type Review struct {
	ID          string    `json:"id"`
	PropertyID  string    `json:"property_id"`
	Rating      int       `json:"rating"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Status      Status    `json:"status"`
	Submitted   time.Time `json:"submitted"`
	ModeratedBy string    `json:"moderated_by,omitempty"`
	Reason      string    `json:"reason,omitempty"`
}

// PendingReview indexes reviews awaiting moderation.
type PendingReview struct {
	ReviewID string `json:"review"`
}

// VoteTally counts "was this helpful" votes on a review.
type VoteTally struct {
	Helpful    int `json:"helpful"`
	NotHelpful int `json:"not_helpful"`
}

// publicationNotice accompanies every published review.
const publicationNotice = `Reviews are published as submitted by verified guests after their stay and are moderated only for compliance with our content guidelines. We do not edit reviews for tone or sentiment, and we do not remove reviews because they are negative. A review may be declined if it contains personal data about staff or other guests, offensive language, commercial promotion, or content unrelated to the stay. Ratings are shown as the guest gave them and are included in the property's average from the moment of publication. Properties may reply once to each review; replies are moderated under the same guidelines. Incentivised reviews are not accepted: guests are never offered points, discounts or upgrades in exchange for a review, and loyalty points are not awarded for reviewing. Reviews older than 36 months are removed from the average but remain visible. If you believe a review breaches these guidelines, report it from the review page and our moderation team will look at it within five working days. Translations, where shown, are machine generated and the original text prevails. Our full moderation policy is available on request.`

// Service runs moderation.
type Service struct {
	kv      store.KV
	reviews *repo.Repo[Review]
	pending *repo.Repo[PendingReview]
	tallies *repo.Repo[VoteTally]
}

// New returns the service.
func New(kv store.KV) *Service {
	return &Service{
		kv:      kv,
		reviews: repo.New[Review](kv),
		pending: repo.New[PendingReview](kv),
		tallies: repo.New[VoteTally](kv),
	}
}

// Submit is the command a guest sends after check-out.
type Submit struct {
	PropertyID string `json:"property_id"`
	Rating     int    `json:"rating"`
	Title      string `json:"title"`
	Body       string `json:"body"`
}

// Moderate is the command a moderator sends.
type Moderate struct {
	ReviewID  string `json:"-"`
	Approve   bool   `json:"approve"`
	Reason    string `json:"reason"`
	Moderator string `json:"-"`
}

// Vote is the command behind the "was this helpful" buttons.
type Vote struct {
	ReviewID string `json:"-"`
	Helpful  bool   `json:"helpful"`
}

// Register installs the command handlers.
func (s *Service) Register(b *bus.Bus) {
	bus.Register(b, s.submit)
	bus.Register(b, s.moderate)
	bus.Register(b, s.vote)
}

func shorten(s string, n int) string { return s[:min(len(s), n)] }

func (s *Service) submit(ctx context.Context, cmd Submit) error {
	if cmd.Rating < 1 || cmd.Rating > 5 || cmd.Body == "" {
		return fmt.Errorf("%w: rating 1-5 and a body are required", httpx.ErrInvalid)
	}
	r := Review{
		ID: httpx.NewID(), PropertyID: cmd.PropertyID, Rating: cmd.Rating, Title: shorten(cmd.Title, 120), Body: shorten(cmd.Body, 8000), Status: Pending, Submitted: time.Now(),
	}
	if err := s.reviews.Put(ctx, r.ID, r); err != nil {
		return err
	}
	return s.pending.Put(ctx, r.ID, PendingReview{ReviewID: r.ID})
}

func (s *Service) moderate(ctx context.Context, cmd Moderate) error {
	r, err := repo.Update(ctx, s.reviews, cmd.ReviewID, func(r *Review) error {
		if r.Status != Pending {
			return fmt.Errorf("%w: review already moderated", httpx.ErrConflict)
		}
		r.Status, r.Reason, r.ModeratedBy = Declined, cmd.Reason, cmd.Moderator
		if cmd.Approve {
			r.Status = Approved
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := s.pending.Delete(ctx, r.ID); err != nil {
		return err
	}
	if r.Status != Approved {
		return nil
	}
	b, _ := json.Marshal(r)
	return s.kv.Put(ctx, "published:"+r.PropertyID+":"+r.ID, b,
		store.WithMetadata(map[string]string{"notice": publicationNotice})) // EXPECT kvlimits
}

func (s *Service) vote(ctx context.Context, cmd Vote) error {
	t, err := s.tallies.Get(ctx, cmd.ReviewID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if cmd.Helpful {
		t.Helpful++
	} else {
		t.NotHelpful++
	}
	return s.tallies.Put(ctx, cmd.ReviewID, t) // EXPECT kvcounter
}

// Queue serves GET /moderation/queue: one page of pending reviews in full.
func (s *Service) Queue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ids, next, err := s.pending.IDs(ctx, store.Query{Limit: 25, After: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	out := make([]Review, 0, len(ids))
	for _, id := range ids {
		rv, err := s.reviews.Get(ctx, id) // EXPECT kvlist
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err == nil {
			out = append(out, rv)
		}
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"reviews": out, "next": next})
}

// Export serves GET /admin/reviews/export: one page of review ids and the
// cursor of the next page.
func (s *Service) Export(w http.ResponseWriter, r *http.Request) error {
	q := store.Query{
		Limit: 5000, // EXPECT kvlimits
		After: r.URL.Query().Get("cursor"),
	}
	ids, next, err := s.reviews.IDs(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"ids": ids, "next": next})
}
