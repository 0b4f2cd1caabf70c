// Package modals handles Parula's interactive surfaces: the standup answer
// modal, polls posted with buttons, and the "Save snippet" message shortcut.
package modals

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/parula-labs/parula/internal/kvstore"
	"github.com/parula-labs/parula/internal/standup"
)

// Callback and action IDs Parula puts on its views and blocks.
const (
	CallbackStandupAnswer = "standup_answer"
	CallbackPollCreate    = "poll_create"
	ActionDraftInput      = "answer_input"
	ActionPollVote        = "poll_vote"
	ShortcutSaveSnippet   = "save_snippet"
)

// MaxPollOptions is how many buttons a poll can have.
const MaxPollOptions = 10

// draftTTL is how long a half-typed standup answer survives a closed modal.
const draftTTL = 45 * time.Second

// Handlers holds what the interaction handlers need.
type Handlers struct {
	KV       *kvstore.Namespace
	Standups *standup.Store
}

// answerMeta travels in the modal's private_metadata.
type answerMeta struct {
	Team string `json:"team"`
	Slug string `json:"slug"`
}

func draftKey(viewID string) string { return "draft:" + viewID }

// OnDraftInput keeps what the user typed so far, keyed by the modal's view ID,
// so reopening the modal from the reminder restores it.
func (h *Handlers) OnDraftInput(ctx context.Context, cb *slack.InteractionCallback) error {
	if cb.View.ID == "" || cb.View.State == nil {
		return nil
	}
	raw, err := json.Marshal(cb.View.State.Values)
	if err != nil {
		return err
	}
	return h.KV.PutTTL(ctx, draftKey(cb.View.ID), raw, draftTTL) // EXPECT kvttl
}

// OnAnswerSubmitted stores the answers typed into the standup modal.
func (h *Handlers) OnAnswerSubmitted(ctx context.Context, cb *slack.InteractionCallback) error {
	var meta answerMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil {
		return fmt.Errorf("modals: bad private_metadata: %w", err)
	}
	replies := map[string]string{}
	if cb.View.State != nil {
		for blockID, actions := range cb.View.State.Values {
			for _, a := range actions {
				replies[blockID] = a.Value
			}
		}
	}
	err := h.Standups.AddAnswer(ctx, meta.Team, meta.Slug, standup.Answer{
		User:    cb.User.ID,
		Replies: replies,
		At:      time.Now(),
	})
	if err != nil {
		return err
	}
	return h.KV.Delete(ctx, draftKey(cb.View.ID))
}

// OnModalClosed drops nothing: the draft lives on until it expires.
func (h *Handlers) OnModalClosed(ctx context.Context, cb *slack.InteractionCallback) error {
	_ = ctx
	_ = cb
	return nil
}

// Poll is a simple one-vote-per-person poll.
type Poll struct {
	ID       string            `json:"id"`
	Team     string            `json:"team"`
	Question string            `json:"question"`
	Options  []string          `json:"options"`
	Votes    map[string]string `json:"votes"` // user -> option
	Channel  string            `json:"channel"`
	Created  time.Time         `json:"created"`
}

func pollKey(team, id string) string { return "poll:" + team + ":" + id }

// OnPollCreate saves a new poll from the poll modal and returns it so the
// caller can post it.
func (h *Handlers) OnPollCreate(ctx context.Context, cb *slack.InteractionCallback) (*Poll, error) {
	var question, options string
	if cb.View.State != nil {
		question = cb.View.State.Values["question"]["question_input"].Value
		options = cb.View.State.Values["options"]["options_input"].Value
	}
	var opts []string
	for line := range strings.Lines(options) {
		if line = strings.TrimSpace(line); line != "" {
			opts = append(opts, line)
		}
	}
	if question == "" || len(opts) < 2 || len(opts) > MaxPollOptions {
		return nil, errors.New("modals: a poll needs a question and two options")
	}
	idb := make([]byte, 8)
	if _, err := rand.Read(idb); err != nil {
		return nil, err
	}
	p := &Poll{
		ID:       hex.EncodeToString(idb),
		Team:     cb.Team.ID,
		Question: question,
		Options:  opts,
		Votes:    map[string]string{},
		Channel:  cb.View.PrivateMetadata,
		Created:  time.Now().UTC(),
	}
	if err := h.KV.PutJSON(ctx, pollKey(p.Team, p.ID), p, 30*24*time.Hour); err != nil {
		return nil, err
	}
	return p, nil
}

// OnPollVote records a button press on a posted poll. The button's value is
// "<poll id>|<option index>".
func (h *Handlers) OnPollVote(ctx context.Context, cb *slack.InteractionCallback) (*Poll, error) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return nil, nil
	}
	id, opt, ok := strings.Cut(cb.ActionCallback.BlockActions[0].Value, "|")
	if !ok {
		return nil, errors.New("modals: malformed vote")
	}
	var p Poll
	if err := h.KV.GetJSON(ctx, pollKey(cb.Team.ID, id), &p); err != nil {
		return nil, err
	}
	if p.Votes == nil {
		p.Votes = map[string]string{}
	}
	p.Votes[cb.User.ID] = opt
	if err := h.KV.PutJSON(ctx, pollKey(cb.Team.ID, id), p, 30*24*time.Hour); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &p, nil
}

// Snippet is a message someone saved with the message shortcut.
type Snippet struct {
	Channel string    `json:"channel"`
	TS      string    `json:"ts"`
	Author  string    `json:"author"`
	Text    string    `json:"text"`
	SavedAt time.Time `json:"saved_at"`
}

// OnSaveSnippet handles the "Save snippet" message shortcut.
func (h *Handlers) OnSaveSnippet(ctx context.Context, cb *slack.InteractionCallback) error {
	s := Snippet{
		Channel: cb.Channel.ID,
		TS:      cb.Message.Timestamp,
		Author:  cb.Message.User,
		Text:    cb.Message.Text,
		SavedAt: time.Now().UTC(),
	}
	key := fmt.Sprintf("snippet:%s:%s:%s", cb.Team.ID, cb.User.ID, s.TS)
	return h.KV.PutJSON(ctx, key, s, 90*24*time.Hour)
}

// RestoreDraft returns the saved draft for viewID, if any.
func (h *Handlers) RestoreDraft(ctx context.Context, viewID string) (map[string]map[string]slack.BlockAction, bool, error) {
	raw, err := h.KV.Get(ctx, draftKey(viewID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var vals map[string]map[string]slack.BlockAction
	if err := json.Unmarshal(raw, &vals); err != nil {
		return nil, false, err
	}
	return vals, true, nil
}
