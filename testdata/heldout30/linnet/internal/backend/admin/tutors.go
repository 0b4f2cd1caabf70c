package admin

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"time"
)

// RemoveSlot takes a slot out of a tutor's published availability, e.g.
// when the tutor blocks it from the tutor app.
func (n Namespace) RemoveSlot(ctx context.Context, tutor string, slot time.Time) error {
	key := "availability:" + tutor
	res, err := n.svc.Values.Get(ctx, n.id, key, n.getParams())
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var slots []time.Time
	err = json.NewDecoder(res.Body).Decode(&slots)
	res.Body.Close()
	if err != nil {
		return err
	}
	slots = slices.DeleteFunc(slots, func(t time.Time) bool { return t.Equal(slot) })
	params, err := n.jsonValue(slots)
	if err != nil {
		return err
	}
	_, err = n.svc.Values.Update(ctx, n.id, key, params) // EXPECT kvrace
	return err
}

// RecordBooking keeps the per-tutor booking figure shown on profiles.
func (n Namespace) RecordBooking(ctx context.Context, tutor string) error {
	key := "tutor-bookings-count:" + tutor
	total := int64(0)
	res, err := n.svc.Values.Get(ctx, n.id, key, n.getParams())
	switch {
	case isNotFound(err):
	case err != nil:
		return err
	default:
		raw, err := io.ReadAll(io.LimitReader(res.Body, 32))
		res.Body.Close()
		if err != nil {
			return err
		}
		total, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	_, err = n.svc.Values.Update(ctx, n.id, key, n.textValue(strconv.FormatInt(total+1, 10))) // EXPECT kvcounter
	return err
}

type tutorPlan struct {
	Tier        string `json:"tier"`
	MaxLearners int    `json:"max_learners"`
	Commission  int    `json:"commission_pct"`
}

// EnsureTutorPlan gives a tutor the starter plan unless one is set.
func (n Namespace) EnsureTutorPlan(ctx context.Context, tutor string) error {
	key := "tutor-plan:" + tutor
	res, err := n.svc.Values.Get(ctx, n.id, key, n.getParams()) // EXPECT kvnull
	if err == nil {
		res.Body.Close()
		return nil
	}
	params, err := n.jsonValue(tutorPlan{Tier: "starter", MaxLearners: 10, Commission: 20})
	if err != nil {
		return err
	}
	_, err = n.svc.Values.Update(ctx, n.id, key, params)
	return err
}
