// Package jobs holds the bot process's periodic work: closing stale
// tickets, rebuilding the open-ticket index, broadcasts and exports.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/tickets"
)

// Runner runs the jobs against one namespace.
type Runner struct {
	ns      *kvstore.Namespace
	tickets *tickets.Service
	bot     *tgbotapi.BotAPI
	log     *slog.Logger
	// StaleAfter closes pending tickets nobody answered for this long.
	StaleAfter time.Duration
}

// New returns a Runner.
func New(ns *kvstore.Namespace, t *tickets.Service, bot *tgbotapi.BotAPI, log *slog.Logger) *Runner {
	return &Runner{ns: ns, tickets: t, bot: bot, log: log, StaleAfter: 14 * 24 * time.Hour}
}

// Tick runs the hourly jobs and records when they ran.
func (r *Runner) Tick(ctx context.Context) {
	start := time.Now()
	closed, err := r.CloseStale(ctx)
	if err != nil {
		r.log.Warn("close stale", "err", err)
	}
	if err := r.PurgeDrafts(ctx); err != nil {
		r.log.Warn("purge drafts", "err", err)
	}
	report, _ := json.Marshal(map[string]any{"at": start.UTC(), "took_ms": time.Since(start).Milliseconds(), "closed": closed})
	if err := r.ns.Put(ctx, "jobs:hourly:last-run", report); err != nil {
		r.log.Warn("record run", "err", err)
	}
}

// CloseStale closes pending tickets that waited longer than StaleAfter.
func (r *Runner) CloseStale(ctx context.Context) (int, error) {
	api, rc, id := r.ns.API()
	cursor, closed := "", 0
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
			NamespaceID: id,
			Prefix:      "ticket:",
			Cursor:      cursor,
			Limit:       1000,
		})
		if err != nil {
			return closed, err
		}
		for _, k := range resp.Result {
			raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: id, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				continue
			}
			var t tickets.Ticket
			if json.Unmarshal(raw, &t) != nil || t.Status != tickets.StatusPending {
				continue
			}
			last := t.OpenedAt
			if n := len(t.Comments); n > 0 {
				last = t.Comments[n-1].At
			}
			if time.Since(last) < r.StaleAfter {
				continue
			}
			if err := r.tickets.SetStatus(ctx, t.ID, tickets.StatusClosed); err == nil {
				closed++
			}
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		cursor = resp.ResultInfo.Cursor
	}
	return closed, nil
}

// PurgeDrafts removes conversation drafts left by a crashed process. It
// stops after a fixed number of pages; the next tick continues.
func (r *Runner) PurgeDrafts(ctx context.Context) error {
	const maxPages = 10
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	api, rc, id := r.ns.API()
	cursor := ""
	for range maxPages {
		resp, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
			NamespaceID: id,
			Prefix:      "conv:",
			Cursor:      cursor,
		})
		if err != nil {
			return err
		}
		var stale []string
		for _, k := range resp.Result {
			if k.Expiration == 0 {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := api.DeleteWorkersKVEntries(ctx, rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: id, Keys: stale}); err != nil {
				return err
			}
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		cursor = resp.ResultInfo.Cursor
	}
	return nil
}

// openIndex is the console's queue view, rebuilt from the chat indexes.
type openIndex struct {
	Updated time.Time         `json:"updated"`
	Tickets []tickets.Summary `json:"tickets"`
}

// RebuildOpenIndex writes the open-ticket index for the given chats.
func (r *Runner) RebuildOpenIndex(ctx context.Context, chats []int64) error {
	idx := openIndex{}
	for _, chat := range chats {
		list, _, err := r.tickets.ForChat(ctx, chat, "")
		if err != nil {
			return fmt.Errorf("chat %d: %w", chat, err)
		}
		for _, sm := range list {
			if sm.Status != tickets.StatusClosed {
				idx.Tickets = append(idx.Tickets, sm)
			}
		}
		idx.Updated = time.Now().UTC()
		raw, _ := json.Marshal(idx)
		if err := r.ns.Put(ctx, "index:open-tickets", raw); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Broadcast sends text to every chat and records progress so that an
// operator can see how far it got.
func (r *Runner) Broadcast(ctx context.Context, chats []int64, text string) error {
	for i, chat := range chats {
		if _, err := r.bot.Send(tgbotapi.NewMessage(chat, text)); err != nil {
			r.log.Warn("broadcast", "chat", chat, "err", err)
		}
		progress := fmt.Sprintf(`{"sent":%d,"of":%d,"last_chat":%d}`, i+1, len(chats), chat)
		if err := r.ns.Put(ctx, "broadcast:progress", []byte(progress)); err != nil { // EXPECT kvhotkey
			return err
		}
		// Per-chat receipt, for the "was this chat notified" lookup.
		if err := r.ns.PutTTL(ctx, fmt.Sprintf("broadcast:sent:%d", chat), []byte(text), 7*24*time.Hour); err != nil {
			return err
		}
		time.Sleep(40 * time.Millisecond) // Telegram's ~30 msg/s
	}
	return nil
}

// ExportChat writes every ticket key of a chat to w as CSV-ish lines. It
// reads at most maxPages pages.
func (r *Runner) ExportChat(ctx context.Context, chatID int64, emit func(name string)) error {
	const maxPages = 50
	api, rc, id := r.ns.API()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: id, Prefix: tickets.ChatPrefix(chatID)}
	for page := 0; page < maxPages; page++ {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			emit(strings.TrimPrefix(k.Name, params.Prefix))
		}
		if resp.ResultInfo.Cursor == "" {
			return nil
		}
		params = cloudflare.ListWorkersKVsParams{NamespaceID: id, Cursor: resp.ResultInfo.Cursor}
	}
	return fmt.Errorf("export of chat %d stopped after %d pages", chatID, maxPages)
}
