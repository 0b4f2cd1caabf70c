// Package votes records respondents' answers and keeps running tallies.
package votes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/bellwether/internal/kvstore"
)

// Vote is one respondent's answer to one poll.
type Vote struct {
	PollID    string    `json:"poll_id"`
	ChoiceID  string    `json:"choice_id"`
	SessionID string    `json:"session_id"`
	Site      string    `json:"site"`
	At        time.Time `json:"at"`
}

// ErrInvalid is returned for a vote missing required fields.
var ErrInvalid = errors.New("votes: poll, choice and session are required")

// VoteKey is where a respondent's vote on a poll lives. Each respondent has
// their own key, so changing one's mind simply replaces it.
func VoteKey(pollID, sessionID string) string {
	return "vote:" + pollID + ":" + sessionID
}

// VotePrefix is the listing prefix for a poll's votes.
func VotePrefix(pollID string) string { return "vote:" + pollID + ":" }

func tallyKey(pollID, choiceID string) string {
	return "tally:" + pollID + ":" + choiceID
}

// Recorder stores votes.
type Recorder struct {
	store     kvstore.Store
	retention time.Duration
	buf       *Buffer
	now       func() time.Time
}

// RecorderOption configures a Recorder.
type RecorderOption = kvstore.Option[Recorder]

// WithRetention sets how long individual votes are kept.
func WithRetention(d time.Duration) RecorderOption {
	return func(r *Recorder) { r.retention = d }
}

// WithBuffer routes activity tracking through a write-behind buffer.
func WithBuffer(b *Buffer) RecorderOption {
	return func(r *Recorder) { r.buf = b }
}

// NewRecorder returns a Recorder over store.
func NewRecorder(store kvstore.Store, opts ...RecorderOption) *Recorder {
	r := kvstore.Apply(Recorder{store: store, retention: 30 * 24 * time.Hour, now: time.Now}, opts...)
	return &r
}

// Record stores v and bumps its choice's tally.
func (r *Recorder) Record(ctx context.Context, v Vote) error {
	if v.PollID == "" || v.ChoiceID == "" || v.SessionID == "" {
		return ErrInvalid
	}
	if v.At.IsZero() {
		v.At = r.now().UTC()
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := r.store.Put(ctx, VoteKey(v.PollID, v.SessionID), body, kvstore.WithTTL(r.retention)); err != nil {
		return err
	}

	tk := tallyKey(v.PollID, v.ChoiceID)
	n := 0
	raw, err := r.store.Get(ctx, tk)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("votes: tally %s: %w", tk, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if err := r.store.Put(ctx, tk, []byte(strconv.Itoa(n+1))); err != nil { // EXPECT kvcounter
		return err
	}
	if r.buf != nil {
		r.buf.Touch(v.PollID, v.At)
	}
	return nil
}

// Tallies reads the tally of each choice. Choices with no votes yet read 0.
func (r *Recorder) Tallies(ctx context.Context, pollID string, choiceIDs []string) (map[string]int, error) {
	if len(choiceIDs) > kvstore.MaxBulkGet {
		return nil, fmt.Errorf("votes: %d choices is more than a poll may have", len(choiceIDs))
	}
	keys := make([]string, len(choiceIDs))
	for i, c := range choiceIDs {
		keys[i] = tallyKey(pollID, c)
	}
	raws, err := kvstore.GetMany(ctx, r.store, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(choiceIDs))
	for i, c := range choiceIDs {
		raw, ok := raws[keys[i]]
		if !ok {
			out[c] = 0
			continue
		}
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			return nil, fmt.Errorf("votes: tally %s: %w", keys[i], err)
		}
		out[c] = n
	}
	return out, nil
}
