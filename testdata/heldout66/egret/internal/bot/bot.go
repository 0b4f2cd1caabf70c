// Package bot is the Telegram side of the desk: customers open and follow
// tickets from a chat, agents link their console account, group admins set
// per-chat preferences.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/egretdesk/egret/internal/chatsettings"
	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/linking"
	"github.com/egretdesk/egret/internal/tickets"
)

// Bot routes Telegram updates to the desk's services.
type Bot struct {
	api      *tgbotapi.BotAPI
	ns       *kvstore.Namespace
	tickets  *tickets.Service
	settings *chatsettings.Store
	links    *linking.Service
	log      *slog.Logger
}

// New returns a Bot.
func New(api *tgbotapi.BotAPI, ns *kvstore.Namespace, t *tickets.Service, s *chatsettings.Store, l *linking.Service, log *slog.Logger) *Bot {
	return &Bot{api: api, ns: ns, tickets: t, settings: s, links: l, log: log}
}

const offsetKey = "bot:poll-offset"

// loadOffset returns the update offset the previous process stopped at.
func (b *Bot) loadOffset(ctx context.Context) int {
	raw, err := b.ns.Get(ctx, offsetKey)
	if err != nil {
		if !errors.Is(err, kvstore.ErrNotFound) {
			b.log.Warn("offset unavailable, starting from the newest update", "err", err)
		}
		return 0
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0
	}
	return n
}

// Poll runs the long-polling loop until ctx ends.
func (b *Bot) Poll(ctx context.Context) error {
	cfg := tgbotapi.NewUpdate(b.loadOffset(ctx))
	cfg.Timeout = 50
	cfg.AllowedUpdates = []string{"message", "callback_query"}
	updates := b.api.GetUpdatesChan(cfg)
	for {
		select {
		case <-ctx.Done():
			b.api.StopReceivingUpdates()
			return ctx.Err()
		case update, ok := <-updates:
			if !ok {
				return nil
			}
			b.Handle(ctx, update)
			next := strconv.Itoa(update.UpdateID + 1)
			if err := b.ns.Put(ctx, offsetKey, []byte(next)); err != nil { // EXPECT kvhotkey
				b.log.Warn("saving poll offset", "err", err)
			}
		}
	}
}

// Webhook registers the webhook handler on http.DefaultServeMux and
// consumes the updates it receives. The edge Worker normally answers
// Telegram; this path serves self-hosted installs.
func (b *Bot) Webhook(ctx context.Context, path string) {
	updates := b.api.ListenForWebhook(path)
	go func() {
		<-ctx.Done()
		b.api.StopReceivingUpdates()
	}()
	for update := range updates {
		b.Handle(ctx, update)
	}
}

// ServeHTTP lets the bot sit behind a mux that the caller owns.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	update, err := b.api.HandleUpdate(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 20*time.Second)
	defer cancel()
	b.Handle(ctx, *update)
	w.WriteHeader(http.StatusOK)
}

// Handle dispatches one update.
func (b *Bot) Handle(ctx context.Context, update tgbotapi.Update) {
	defer func() {
		if r := recover(); r != nil {
			b.log.Error("update handler panicked", "update", update.UpdateID, "panic", r)
		}
	}()
	switch {
	case update.CallbackQuery != nil:
		b.onCallback(ctx, update.CallbackQuery)
	case update.Message != nil && update.Message.IsCommand():
		b.onCommand(ctx, update.Message)
	case update.Message != nil:
		b.onText(ctx, update.Message)
	}
}

func (b *Bot) reply(chatID int64, text string) {
	msg := tgbotapi.NewMessage(chatID, text)
	msg.ParseMode = tgbotapi.ModeHTML
	if _, err := b.api.Send(msg); err != nil {
		b.log.Warn("send", "chat", chatID, "err", err)
	}
}

func (b *Bot) onCommand(ctx context.Context, m *tgbotapi.Message) {
	chatID := m.Chat.ID
	args := strings.Fields(m.CommandArguments())
	switch m.Command() {
	case "start", "help":
		st, err := b.settings.Load(ctx, chatID)
		if err != nil {
			b.log.Warn("settings", "chat", chatID, "err", err)
			st = chatsettings.Defaults()
		}
		b.reply(chatID, cmpOr(st.WelcomeText, defaultWelcome))
	case "new":
		b.cmdNew(ctx, m)
	case "cancel":
		if err := b.ns.Delete(ctx, convKey(chatID, m.From.ID)); err != nil {
			b.log.Warn("cancel", "err", err)
		}
		b.reply(chatID, "Cancelled.")
	case "status":
		b.cmdStatus(ctx, chatID)
	case "settings":
		b.cmdSettings(ctx, m, args)
	case "link":
		code, err := b.links.IssueCode(ctx, linking.Grant{TelegramID: m.From.ID, Username: m.From.UserName, ChatID: chatID})
		if err != nil {
			b.reply(chatID, "Could not issue a code, try again.")
			return
		}
		b.reply(m.From.ID, fmt.Sprintf("Your code: <code>%s</code>", code))
	case "login":
		url, err := b.links.IssueLoginLink(ctx, linking.Grant{TelegramID: m.From.ID, Username: m.From.UserName, ChatID: chatID})
		if err != nil {
			b.reply(chatID, "Could not create a login link.")
			return
		}
		b.reply(m.From.ID, "Open the console: "+url)
	case "unlink":
		if _, err := b.links.Unlink(ctx, m.From.ID); err != nil {
			b.reply(chatID, "Nothing to unlink.")
			return
		}
		b.reply(chatID, "Telegram unlinked from your console account.")
	case "signout":
		b.cmdSignout(ctx, m)
	case "faq":
		if len(args) == 0 {
			b.reply(chatID, "Usage: /faq <topic>")
			return
		}
		b.cmdFAQ(ctx, chatID, args[0])
	default:
		b.reply(chatID, "Unknown command. Try /help.")
	}
}

const defaultWelcome = "Hi! Send /new to open a ticket, /status to see yours."

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (b *Bot) cmdNew(ctx context.Context, m *tgbotapi.Message) {
	chatID := m.Chat.ID
	cooling, err := b.settings.Cooling(ctx, chatID)
	if err != nil {
		b.log.Warn("cooldown", "err", err)
	}
	if cooling {
		b.reply(chatID, "A ticket was just opened here; please add to it instead.")
		return
	}
	subject := strings.TrimSpace(m.CommandArguments())
	if err := b.beginConversation(ctx, chatID, m.From.ID, subject); err != nil {
		b.log.Warn("begin conversation", "err", err)
		b.reply(chatID, "Something went wrong, try again.")
		return
	}
	if subject == "" {
		b.reply(chatID, "What is the ticket about? (one line)")
	} else {
		b.reply(chatID, "Describe the problem; send it as one message.")
	}
}

func (b *Bot) cmdStatus(ctx context.Context, chatID int64) {
	list, next, err := b.tickets.ForChat(ctx, chatID, "")
	if err != nil {
		b.reply(chatID, "Could not load tickets.")
		return
	}
	if len(list) == 0 {
		b.reply(chatID, "No tickets yet.")
		return
	}
	var sb strings.Builder
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(list))
	for _, t := range list {
		fmt.Fprintf(&sb, "#%d %s — %s\n", t.Number, t.Subject, t.Status)
		if t.Status != tickets.StatusClosed {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(
				tgbotapi.NewInlineKeyboardButtonData(fmt.Sprintf("Close #%d", t.Number), encodeCB(actClose, t.ID, "")),
			))
		}
	}
	if next != "" {
		sb.WriteString("…and more in the console.")
	}
	msg := tgbotapi.NewMessage(chatID, sb.String())
	if len(rows) > 0 {
		msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(rows...)
	}
	if _, err := b.api.Send(msg); err != nil {
		b.log.Warn("send status", "err", err)
	}
}

func (b *Bot) cmdSettings(ctx context.Context, m *tgbotapi.Message, args []string) {
	chatID := m.Chat.ID
	if len(args) < 2 {
		st, err := b.settings.Load(ctx, chatID)
		if err != nil {
			b.reply(chatID, "Could not load settings.")
			return
		}
		b.reply(chatID, fmt.Sprintf("lang=%s quiet=%t cooldown=%s", st.Lang, st.Quiet, st.Cooldown))
		return
	}
	if args[0] == "reset" {
		if err := b.settings.Reset(ctx, chatID, m.From.ID); err != nil {
			b.reply(chatID, "Could not reset.")
		}
		return
	}
	var change func(*chatsettings.Settings)
	switch args[0] {
	case "lang":
		change = func(s *chatsettings.Settings) { s.Lang = args[1] }
	case "quiet":
		change = func(s *chatsettings.Settings) { s.Quiet = args[1] == "on" }
	case "cooldown":
		d, err := time.ParseDuration(args[1])
		if err != nil || d < 0 {
			b.reply(chatID, "Cooldown looks like 30s or 2m.")
			return
		}
		change = func(s *chatsettings.Settings) { s.Cooldown = d }
	case "welcome":
		text := strings.TrimSpace(strings.TrimPrefix(m.CommandArguments(), "welcome"))
		change = func(s *chatsettings.Settings) { s.WelcomeText = text }
	default:
		b.reply(chatID, "Settings: lang, quiet, cooldown, welcome, reset.")
		return
	}
	if _, err := b.settings.Update(ctx, chatID, m.From.ID, change); err != nil {
		b.reply(chatID, "Could not save settings.")
		return
	}
	b.reply(chatID, "Saved.")
}

// cmdSignout ends every console session the sender's agent opened.
func (b *Bot) cmdSignout(ctx context.Context, m *tgbotapi.Message) {
	l, err := b.links.Lookup(ctx, m.From.ID)
	if err != nil {
		b.reply(m.Chat.ID, "Your Telegram is not linked to a console account.")
		return
	}
	prefix := "agentsess:" + l.AgentID + ":"
	cursor, ended := "", 0
	for page := 0; page < 5; page++ {
		keys, next, err := b.ns.Page(ctx, prefix, cursor, 100)
		if err != nil {
			b.reply(m.Chat.ID, "Could not list sessions.")
			return
		}
		for _, k := range keys {
			sid := strings.TrimPrefix(k.Name, prefix)
			if err := b.ns.Delete(ctx, "sess:"+sid); err != nil { // EXPECT kvsession
				b.log.Warn("end session", "err", err)
				continue
			}
			_ = b.ns.Delete(ctx, k.Name)
			ended++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	b.reply(m.Chat.ID, fmt.Sprintf("Signed out of %d console session(s).", ended))
}

// cmdFAQ answers from the agents' canned replies, cached per topic.
func (b *Bot) cmdFAQ(ctx context.Context, chatID int64, topic string) {
	topic = strings.ToLower(topic)
	cacheKey := "faqcache:" + topic
	raw, err := b.ns.Get(ctx, cacheKey)
	if errors.Is(err, kvstore.ErrNotFound) {
		raw, err = b.ns.Get(ctx, "canned:"+topic)
		if errors.Is(err, kvstore.ErrNotFound) {
			b.reply(chatID, "No answer for that topic yet.")
			return
		}
		if err == nil {
			rendered := []byte("<b>" + topic + "</b>\n" + string(raw))
			if cerr := b.ns.Cache(ctx, cacheKey, rendered, 30*time.Second); cerr != nil {
				b.log.Warn("faq cache", "err", cerr)
			}
			raw = rendered
		}
	}
	if err != nil {
		b.reply(chatID, "FAQ is unavailable right now.")
		return
	}
	msg := tgbotapi.NewMessage(chatID, string(raw))
	msg.ParseMode = tgbotapi.ModeHTML
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("👍 Helpful", encodeCB(actHelpful, topic, "")),
	))
	if _, err := b.api.Send(msg); err != nil {
		b.log.Warn("send faq", "err", err)
	}
}
