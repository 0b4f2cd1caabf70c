// Package jobs contains the backend's scheduled jobs and its event consumer.
package jobs

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// API is the client for the marketplace's internal API.
type API struct {
	Base string
	HC   *http.Client
}

func (a *API) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, a.Base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.HC.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("api: %s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// Lesson is a booked lesson as the API reports it.
type Lesson struct {
	BookingID string    `json:"booking_id"`
	TutorID   string    `json:"tutor_id"`
	StudentID string    `json:"student_id"`
	Start     time.Time `json:"start"`
}

// Settlement is one payout the payment provider has settled.
type Settlement struct {
	PayoutID    string    `json:"payout_id"`
	TutorID     string    `json:"tutor_id"`
	AmountCents int64     `json:"amount_cents"`
	SettledAt   time.Time `json:"settled_at"`
}

// Card is a tutor's search listing card.
type Card struct {
	TutorID  string   `json:"tutor_id"`
	Name     string   `json:"name"`
	Subjects []string `json:"subjects"`
	Rating   float64  `json:"rating"`
	PriceCts int64    `json:"price_cents"`
}

func (a *API) DueLessons(ctx context.Context, from, to time.Time) (out []Lesson, err error) {
	return out, a.call(ctx, http.MethodGet, fmt.Sprintf("/internal/lessons/unreminded?from=%d&to=%d", from.Unix(), to.Unix()), nil, &out)
}

func (a *API) SendReminder(ctx context.Context, l Lesson) error {
	return a.call(ctx, http.MethodPost, "/internal/reminders", l, nil)
}

func (a *API) Settle(ctx context.Context) (out []Settlement, err error) {
	return out, a.call(ctx, http.MethodPost, "/internal/payouts/settle", nil, &out)
}

func (a *API) LessonCounts(ctx context.Context) (out map[string]int, err error) {
	return out, a.call(ctx, http.MethodGet, "/internal/stats/lessons-per-tutor", nil, &out)
}

func (a *API) Cards(ctx context.Context) (out map[string][]Card, err error) {
	return out, a.call(ctx, http.MethodGet, "/internal/listings/cards", nil, &out)
}

func (a *API) Query(ctx context.Context, sql string) (out json.RawMessage, err error) {
	return out, a.call(ctx, http.MethodPost, "/internal/report", map[string]string{"sql": sql}, &out)
}

func (a *API) Events(ctx context.Context, after string) (out []json.RawMessage, err error) {
	return out, a.call(ctx, http.MethodGet, "/internal/outbox?after="+after, nil, &out)
}

func (a *API) PromoCodes(ctx context.Context, campaign string) (out []string, err error) {
	return out, a.call(ctx, http.MethodGet, "/internal/promo/"+campaign+"/codes", nil, &out)
}

func (a *API) RemainingQuota(ctx context.Context) (out map[string]int, err error) {
	return out, a.call(ctx, http.MethodGet, "/internal/quota/remaining", nil, &out)
}
