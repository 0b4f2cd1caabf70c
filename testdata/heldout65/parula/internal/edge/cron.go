//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// reminderPages bounds one cron run's walk over reminders.
const reminderPages = 20

type reminder struct {
	Team    string    `json:"team"`
	User    string    `json:"user"`
	Channel string    `json:"channel"`
	Text    string    `json:"text"`
	Due     time.Time `json:"due"`
}

// Scheduled is the Worker's cron trigger (every minute).
func (h *Handler) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	now := ev.ScheduledTime
	var errs []string
	if err := h.sweepReminders(now); err != nil {
		errs = append(errs, "reminders: "+err.Error())
	}
	if err := h.drainPending(); err != nil {
		errs = append(errs, "pending: "+err.Error())
	}
	if now.Minute()%15 == 0 {
		if err := h.snapshot(now); err != nil {
			errs = append(errs, "snapshot: "+err.Error())
		}
	}
	_ = h.state.PutString("cron:last_tick", now.UTC().Format(time.RFC3339), nil)
	if len(errs) > 0 {
		return fmt.Errorf("edge cron: %s", strings.Join(errs, "; "))
	}
	return nil
}

// sweepReminders moves due reminders into D1's outbox for the bot to post.
func (h *Handler) sweepReminders(now time.Time) error {
	opts := &kv.ListOptions{Prefix: "reminder:", Limit: 1000}
	for range reminderPages {
		res, err := h.state.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			raw, err := h.state.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var rem reminder
			if json.Unmarshal([]byte(raw), &rem) != nil || rem.Due.After(now) {
				continue
			}
			if _, err := h.db.Exec(`INSERT INTO outbox (team_id, channel, user_id, text) VALUES (?, ?, ?, ?)`,
				rem.Team, rem.Channel, rem.User, rem.Text); err != nil {
				return err
			}
			if err := h.state.Delete(k.Name); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return nil
}

// drainPending forwards events the bot has not picked up yet to the D1 inbox.
func (h *Handler) drainPending() error {
	cursor := ""
	for {
		res, err := h.events.List(&kv.ListOptions{Prefix: "pending:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, "pending:")
			if _, err := h.db.Exec(`INSERT OR IGNORE INTO inbox (event_id, received_at) VALUES (?, ?)`, id, time.Now().Unix()); err != nil {
				return err
			}
			if err := h.events.Delete(k.Name); err != nil {
				return err
			}
		}
		cursor = res.Cursor
	}
}

// snapshot publishes a few numbers for the status page.
func (h *Handler) snapshot(now time.Time) error {
	installs, err := h.state.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: "bottoken:",
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	sessions, err := h.countSessions()
	if err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{
		"workspaces": len(installs.Keys),
		"sessions":   sessions,
		"at":         now.UTC().Format(time.RFC3339),
	})
	return h.state.PutString("status:global", string(body), &kv.PutOptions{ExpirationTTL: 3600})
}

// countSessions counts live dashboard sessions, giving up after a few pages.
func (h *Handler) countSessions() (int, error) {
	const maxPages = 10
	n := 0
	cursor := ""
	for page := 0; page < maxPages; page++ {
		res, err := h.sessions.List(&kv.ListOptions{Prefix: "sess:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return n, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return n, nil
}
