//go:build js && wasm

// Package votes keeps poll tallies, quiz scores and the leaderboard.
package votes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"merlin/internal/audience"
	"merlin/internal/bus"
	"merlin/internal/config"
	"merlin/internal/events"
	"merlin/internal/expiry"
	"merlin/internal/httpx"
	"merlin/internal/keys"
	"merlin/internal/kvstore"
	"merlin/internal/result"
)

// Tallier owns the tally and results records.
type Tallier struct {
	store   kvstore.Store
	keys    keys.KeyScheme
	cfg     *config.Holder
	expiry  expiry.ExpiryPolicy
	bus     *bus.Bus
	members *audience.Service
	gate    *audience.AnswerGate
}

// NewTallier returns the tally service.
func NewTallier(store kvstore.Store, ks keys.KeyScheme, cfg *config.Holder, pol expiry.ExpiryPolicy,
	b *bus.Bus, members *audience.Service, gate *audience.AnswerGate) *Tallier {
	return &Tallier{store: store, keys: ks, cfg: cfg, expiry: pol, bus: b, members: members, gate: gate}
}

// Results is the record kept after a quiz closes.
type Results struct {
	QuizID  string                    `json:"quiz_id"`
	Closed  time.Time                 `json:"closed"`
	Tallies map[string]map[string]int `json:"tallies"`
}

// VoteCmd is the body of POST /vote.
type VoteCmd struct {
	QuestionID string `json:"question_id"`
	Option     string `json:"option"`
}

func (c VoteCmd) Validate() error {
	if c.QuestionID == "" || c.Option == "" {
		return errors.New("question_id and option are required")
	}
	return nil
}

// StationCmd is the upload of an offline clicker base station.
type StationCmd struct {
	StationID  string `json:"station_id"`
	QuizID     string `json:"quiz_id"`
	QuestionID string `json:"question_id"`
	Votes      []struct {
		Clicker string `json:"clicker"`
		Option  string `json:"option"`
	} `json:"votes"`
}

func (c StationCmd) Validate() error {
	if c.StationID == "" || c.QuizID == "" || c.QuestionID == "" {
		return errors.New("station_id, quiz_id and question_id are required")
	}
	if len(c.Votes) > 500 {
		return errors.New("votes: at most 500 per upload")
	}
	return nil
}

// Register subscribes the tally projection.
func (t *Tallier) Register(b *bus.Bus) {
	b.Subscribe(events.TopicVoteCast, t.dispatch)
	b.Subscribe(events.TopicQuizClosed, t.dispatch)
}

func (t *Tallier) dispatch(ctx context.Context, evt bus.Event) error {
	return evt.(events.Event).Apply(&tallyVisit{t: t, ctx: ctx})
}

type tallyVisit struct {
	events.Ignore
	t   *Tallier
	ctx context.Context
}

func (v *tallyVisit) VisitVote(e events.VoteCast) error {
	key := v.t.keys.Tally(e.QuizID, e.QuestionID)
	cur, err := kvstore.GetJSON[map[string]int](v.ctx, v.t.store, key).Unwrap()
	if err != nil {
		return err
	}
	counts := cur.OrElse(map[string]int{})
	counts[e.Option]++
	return v.t.store.PutJSON(v.ctx, key, counts, v.t.cfg.Load().ResultsTTL) // EXPECT kvrace|kvcounter
}

func (v *tallyVisit) VisitQuizClosed(e events.QuizClosed) error {
	q, err := v.t.members.Quiz(v.ctx, e.QuizID)
	if err != nil {
		return err
	}
	res := Results{QuizID: e.QuizID, Closed: e.EndedAt, Tallies: map[string]map[string]int{}}
	for _, qid := range q.Questions {
		got, err := kvstore.GetJSON[map[string]int](v.ctx, v.t.store, v.t.keys.Tally(e.QuizID, qid)).Unwrap()
		if err != nil {
			return err
		}
		res.Tallies[qid] = got.OrElse(map[string]int{})
	}
	ttl := v.t.expiry.For(time.Now(), e.EndedAt)
	return v.t.store.PutJSON(v.ctx, v.t.keys.Results(e.QuizID), res, ttl)
}

// Vote records a poll vote from an audience device.
func (t *Tallier) Vote(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[VoteCmd](r)
	if err != nil {
		return err
	}
	m, _, err := t.members.Member(r)
	if err != nil {
		return err
	}
	evt := events.VoteCast{QuizID: m.QuizID, QuestionID: cmd.QuestionID, Option: cmd.Option, DeviceID: m.DeviceID, At: time.Now()}
	if err := t.bus.Publish(r.Context(), evt); err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// Answer scores a quiz answer and publishes it for the leaderboard.
func (t *Tallier) Answer(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[VoteCmd](r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	m, _, err := t.members.Member(r)
	if err != nil {
		return err
	}
	ok, err := t.gate.Allow(ctx, m.QuizID, m.DeviceID)
	if err != nil {
		return err
	}
	if !ok {
		return httpx.Errorf(http.StatusTooManyRequests, "slow down")
	}
	q, err := t.members.Quiz(ctx, m.QuizID)
	if err != nil {
		return err
	}
	points := 0
	if q.Answers[cmd.QuestionID] == cmd.Option {
		points = 100
	}
	evt := events.AnswerSubmitted{QuizID: m.QuizID, QuestionID: cmd.QuestionID, DeviceID: m.DeviceID, Nick: m.Nick, Points: points, At: time.Now()}
	if err := t.bus.Publish(ctx, evt); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]int{"points": points})
}

// Station ingests the buffered votes of an offline clicker base station.
// Each station has its own tally, merged into the results by the exporter.
func (t *Tallier) Station(w http.ResponseWriter, r *http.Request) error {
	cmd, err := httpx.Decode[StationCmd](r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cfg := t.cfg.Load()
	key := t.keys.Tally(cmd.QuizID, cmd.QuestionID) + ":station:" + cmd.StationID
	counts := make(map[string]int)
	// Stations retry an upload from the start when the connection drops,
	// so progress is saved as it goes.
	for _, v := range cmd.Votes {
		counts[v.Option]++
		if err := t.store.PutJSON(ctx, key, counts, cfg.ResultsTTL); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("station %s: %w", cmd.StationID, err)
		}
	}
	return httpx.JSON(w, http.StatusOK, counts)
}

// Prepare resets the tallies of a quiz before it starts.
func (t *Tallier) Prepare(ctx context.Context, q audience.Quiz) error {
	cfg := t.cfg.Load()
	n := len(q.Questions)
	var writes []func() error
	for i := range n {
		qid := q.Questions[i]
		writes = append(writes, func() error {
			return t.store.Put(ctx, t.keys.Tally(q.ID, qid), "{}", cfg.ResultsTTL)
		})
		writes = append(writes, func() error {
			progress := fmt.Sprintf(`{"phase":"preparing","done":%d,"of":%d}`, i+1, n)
			return t.store.Put(ctx, t.keys.QuizState(q.ID), progress, cfg.ResultsTTL) // EXPECT kvhotkey
		})
	}
	var b result.Batch
	for _, write := range writes {
		b.Add(write())
	}
	return b.Err()
}

// Live returns the current tally of one question for the big screen, which
// polls it every few seconds.
func (t *Tallier) Live(w http.ResponseWriter, r *http.Request) error {
	key := t.keys.Tally(r.PathValue("id"), r.PathValue("question"))
	got, err := t.store.GetCached(r.Context(), key, 10*time.Second).Unwrap() // EXPECT kvttl
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(got.OrElse("{}")))
	return err
}

// ResultsHandler returns the results record of a closed quiz.
func (t *Tallier) ResultsHandler(w http.ResponseWriter, r *http.Request) error {
	got, err := t.store.GetCached(r.Context(), t.keys.Results(r.PathValue("id")), 10*time.Minute).Unwrap()
	if err != nil {
		return err
	}
	body, ok := got.Get()
	if !ok {
		return httpx.Errorf(http.StatusNotFound, "no results yet")
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(body))
	return err
}
