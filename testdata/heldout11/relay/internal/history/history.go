// Package history keeps the edit history of messages, shown to admins and
// to the author under "edited".
package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/kvkey"
	"example.com/relay/internal/store"
	"example.com/relay/internal/typed"
)

// Revision is one version of a message's text.
type Revision struct {
	Rev      int       `json:"rev"`
	Text     string    `json:"text"`
	EditedBy string    `json:"edited_by"`
	At       time.Time `json:"at"`
}

// Log is a message's revisions, oldest first.
type Log struct {
	MessageID string     `json:"message_id"`
	Revisions []Revision `json:"revisions"`
}

// ErrTooLate is returned when the edit window has passed.
var ErrTooLate = errors.New("history: message can no longer be edited")

// Root is the key root of edit logs.
var Root = kvkey.New("hist")

// Service records edits.
type Service struct {
	logs         *typed.Store[Log]
	ns           cfns.Namespace
	maxRevisions int
	now          func() time.Time
}

// New returns the service. Writes go through st; the admin read path reads
// ns directly to skip the decorators' retries.
func New(st store.Store, ns cfns.Namespace, maxRevisions int) *Service {
	if maxRevisions <= 0 {
		maxRevisions = 50
	}
	return &Service{
		logs:         typed.New[Log](st, Root, typed.JSON[Log]{}),
		ns:           ns,
		maxRevisions: maxRevisions,
		now:          time.Now,
	}
}

func logID(ws, msgID string) string { return ws + ":" + msgID }

// RecordEdit appends a revision and returns its number.
func (h *Service) RecordEdit(ctx context.Context, ws, msgID, by, text string, sent time.Time, window time.Duration) (int, error) {
	now := h.now().UTC()
	if window > 0 && now.Sub(sent) > window {
		return 0, ErrTooLate
	}
	lg, err := h.logs.Update(ctx, logID(ws, msgID), func(l Log) (Log, error) {
		l.MessageID = msgID
		l.Revisions = append(l.Revisions, Revision{Rev: len(l.Revisions) + 1, Text: text, EditedBy: by, At: now})
		if extra := len(l.Revisions) - h.maxRevisions; extra > 0 {
			l.Revisions = l.Revisions[extra:]
		}
		return l, nil
	})
	if err != nil {
		return 0, fmt.Errorf("history: record edit: %w", err)
	}
	return lg.Revisions[len(lg.Revisions)-1].Rev, nil
}

// Revisions returns the message's revisions, or none if it was never edited.
func (h *Service) Revisions(ctx context.Context, ws, msgID string) ([]Revision, error) {
	res, err := h.ns.Client.KV.Namespaces.Values.Get(ctx, h.ns.ID, h.logs.Key(logID(ws, msgID)), kv.NamespaceValueGetParams{ // EXPECT kvnull
		AccountID: cloudflare.F(h.ns.AccountID),
	})
	if err != nil && !cfns.IsNotFound(err) {
		return nil, err
	}
	defer res.Body.Close()
	var lg Log
	if err := json.NewDecoder(res.Body).Decode(&lg); err != nil {
		return nil, fmt.Errorf("history: decode %s: %w", msgID, err)
	}
	return lg.Revisions, nil
}

// Forget drops the history of a deleted message.
func (h *Service) Forget(ctx context.Context, ws, msgID string) error {
	return h.logs.Delete(ctx, logID(ws, msgID))
}
