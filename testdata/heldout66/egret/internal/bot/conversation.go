package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/egretdesk/egret/internal/chatsettings"
	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/tickets"
)

// step of the /new conversation.
type step int

const (
	stepSubject step = iota + 1
	stepBody
	stepConfirm
)

// stepTimeout is how long the bot waits for the next answer; the prompt
// says so, and the draft expires with it.
const stepTimeout = 45 * time.Second

// draft is the conversation state of one user in one chat.
type draft struct {
	Step    step      `json:"step"`
	Subject string    `json:"subject,omitempty"`
	Body    string    `json:"body,omitempty"`
	Started time.Time `json:"started"`
}

func convKey(chatID, userID int64) string { return fmt.Sprintf("conv:%d:%d", chatID, userID) }

func (b *Bot) beginConversation(ctx context.Context, chatID, userID int64, subject string) error {
	d := draft{Step: stepSubject, Started: time.Now().UTC()}
	if subject != "" {
		d.Step, d.Subject = stepBody, subject
	}
	raw, _ := json.Marshal(d)
	return b.ns.PutTTL(ctx, convKey(chatID, userID), raw, stepTimeout) // EXPECT kvttl
}

// onText continues a conversation when the sender has one in this chat.
func (b *Bot) onText(ctx context.Context, m *tgbotapi.Message) {
	if m.From == nil || strings.TrimSpace(m.Text) == "" {
		return
	}
	key := convKey(m.Chat.ID, m.From.ID)
	raw, err := b.ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return // plain chatter
	}
	if err != nil {
		b.log.Warn("conversation", "err", err)
		return
	}
	var d draft
	if err := json.Unmarshal(raw, &d); err != nil {
		_ = b.ns.Delete(ctx, key)
		return
	}
	switch d.Step {
	case stepSubject:
		d.Subject, d.Step = strings.TrimSpace(m.Text), stepBody
		b.reply(m.Chat.ID, "Describe the problem; send it as one message.")
	case stepBody:
		d.Body, d.Step = m.Text, stepConfirm
		msg := tgbotapi.NewMessage(m.Chat.ID, fmt.Sprintf("Open a ticket “%s”?", d.Subject))
		msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Open", encodeCB(actSubmit, "", "")),
			tgbotapi.NewInlineKeyboardButtonData("Discard", encodeCB(actDiscard, "", "")),
		))
		if _, err := b.api.Send(msg); err != nil {
			b.log.Warn("send confirm", "err", err)
		}
	default:
		return
	}
	next, _ := json.Marshal(d)
	if err := b.ns.PutTTL(ctx, key, next, 10*time.Minute); err != nil { // EXPECT kvrace
		b.log.Warn("save conversation", "err", err)
	}
}

// submitDraft opens the ticket the conversation described.
func (b *Bot) submitDraft(ctx context.Context, chatID, userID int64) (*tickets.Ticket, error) {
	key := convKey(chatID, userID)
	raw, err := b.ns.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var d draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	if d.Step != stepConfirm {
		return nil, fmt.Errorf("draft is not complete")
	}
	t, err := b.tickets.Open(ctx, chatID, userID, d.Subject, d.Body)
	if err != nil {
		return nil, err
	}
	if err := b.ns.Delete(ctx, key); err != nil {
		b.log.Warn("clear draft", "err", err)
	}
	st, err := b.settings.Load(ctx, chatID)
	if err != nil {
		st = chatsettings.Defaults()
	}
	if st.Cooldown > 0 {
		if err := b.settings.StartCooldown(ctx, chatID, st); err != nil {
			b.log.Warn("cooldown", "err", err)
		}
	}
	if st.AutoAssign != "" {
		if err := b.tickets.Assign(ctx, t.ID, st.AutoAssign); err != nil {
			b.log.Warn("auto-assign", "err", err)
		}
	}
	return t, nil
}
