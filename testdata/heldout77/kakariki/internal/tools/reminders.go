package tools

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
)

// Reminder is a note delivered to the user at Due.
type Reminder struct {
	ID     string    `json:"id"`
	UserID string    `json:"user_id"`
	Text   string    `json:"text"`
	Due    time.Time `json:"due"`
	Sent   bool      `json:"sent"`
}

type reminderMeta struct {
	Text string `json:"t"`
	Due  int64  `json:"d"`
}

// Reminders lets the model schedule reminders for the user.
type Reminders struct {
	KV     *kvstore.Store
	UserID string
}

type reminderArgs struct {
	Action string    `json:"action"`
	ID     string    `json:"id"`
	Text   string    `json:"text"`
	DueAt  time.Time `json:"due_at"`
	Until  time.Time `json:"until"`
}

const (
	reminderRetention = 7 * 24 * time.Hour
	reminderListPages = 3
	reminderPageSize  = 100
)

func (r *Reminders) Name() string        { return "reminders" }
func (r *Reminders) Description() string { return "Set, snooze or list the user's reminders." }
func (r *Reminders) Schema() json.RawMessage {
	return json.RawMessage(`{"type":"object","properties":{"action":{"enum":["set","snooze","list"]},"id":{"type":"string"},"text":{"type":"string"},"due_at":{"type":"string","format":"date-time"},"until":{"type":"string","format":"date-time"}},"required":["action"]}`)
}

func (r *Reminders) prefix() string       { return "rem:" + r.UserID + ":" }
func (r *Reminders) key(id string) string { return r.prefix() + id }

// Call implements Tool.
func (r *Reminders) Call(ctx context.Context, raw json.RawMessage) (string, error) {
	args, err := decode[reminderArgs](raw)
	if err != nil {
		return "", err
	}
	switch args.Action {
	case "set":
		return r.set(ctx, args)
	case "snooze":
		return r.snooze(ctx, args)
	case "list":
		return r.list(ctx)
	}
	return "", fmt.Errorf("unknown action %q", args.Action)
}

func (r *Reminders) set(ctx context.Context, args reminderArgs) (string, error) {
	if !args.DueAt.After(time.Now()) {
		return "", errors.New("due_at must be in the future")
	}
	rem := Reminder{ID: rand.Text()[:10], UserID: r.UserID, Text: args.Text, Due: args.DueAt.UTC()}
	raw, err := json.Marshal(rem)
	if err != nil {
		return "", err
	}
	text := rem.Text
	if len(text) > 200 {
		text = text[:200]
	}
	meta := reminderMeta{Text: text, Due: rem.Due.Unix()}
	ttl := time.Until(rem.Due.Add(reminderRetention)) // DEBATABLE kvttl
	if err := r.KV.PutWithMetadata(ctx, r.key(rem.ID), raw, meta, ttl); err != nil {
		return "", err
	}
	return fmt.Sprintf("Reminder %s set for %s.", rem.ID, rem.Due.Format(time.RFC1123)), nil
}

func (r *Reminders) snooze(ctx context.Context, args reminderArgs) (string, error) {
	var rem Reminder
	if err := r.KV.GetJSON(ctx, r.key(args.ID), &rem); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return "No such reminder.", nil
		}
		return "", err
	}
	rem.Due = args.Until.UTC()
	rem.Sent = false
	if err := r.KV.PutJSON(ctx, r.key(rem.ID), rem, reminderRetention); err != nil { // EXPECT kvrace
		return "", err
	}
	mute := "snoozed:" + r.UserID + ":" + rem.ID
	if err := r.KV.Put(ctx, mute, []byte("1"), time.Until(args.Until)); err != nil { // EXPECT kvttl
		return "", err
	}
	return "Snoozed until " + rem.Due.Format(time.Kitchen) + ".", nil
}

func (r *Reminders) list(ctx context.Context) (string, error) {
	var b strings.Builder
	cursor := ""
	for page := 0; page < reminderListPages; page++ {
		p, err := r.KV.List(ctx, r.prefix(), cursor, reminderPageSize)
		if err != nil {
			return "", err
		}
		for _, k := range p.Keys {
			meta, _ := k.Metadata.(map[string]any)
			fmt.Fprintf(&b, "- %s: %v\n", strings.TrimPrefix(k.Name, r.prefix()), meta["t"])
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	if b.Len() == 0 {
		return "No reminders.", nil
	}
	return b.String(), nil
}
