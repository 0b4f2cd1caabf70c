package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/egretdesk/egret/internal/kvstore"
	"github.com/egretdesk/egret/internal/tickets"
)

// Callback actions. CallbackData is "<act>|<ref>|<arg>" and must fit in
// Telegram's 64 bytes.
const (
	actClose   = "c"
	actCloseOK = "C"
	actRate    = "r"
	actHelpful = "h"
	actSubmit  = "s"
	actDiscard = "d"
)

func encodeCB(act, ref, arg string) string { return act + "|" + ref + "|" + arg }

func decodeCB(data string) (act, ref, arg string, ok bool) {
	parts := strings.SplitN(data, "|", 3)
	if len(parts) != 3 {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func (b *Bot) answer(q *tgbotapi.CallbackQuery, text string) {
	if _, err := b.api.Request(tgbotapi.NewCallback(q.ID, text)); err != nil {
		b.log.Warn("answer callback", "err", err)
	}
}

func (b *Bot) onCallback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	act, ref, arg, ok := decodeCB(q.Data)
	if !ok || q.Message == nil {
		b.answer(q, "")
		return
	}
	chatID := q.Message.Chat.ID
	switch act {
	case actSubmit:
		t, err := b.submitDraft(ctx, chatID, q.From.ID)
		if err != nil {
			if errors.Is(err, tickets.ErrQuotaExceeded) {
				b.answer(q, "This chat reached today's ticket limit.")
				return
			}
			b.answer(q, "That draft expired, send /new again.")
			return
		}
		b.answer(q, fmt.Sprintf("Ticket #%d opened", t.Number))
		b.reply(chatID, fmt.Sprintf("Ticket #%d is open. An agent will answer here.", t.Number))
		b.askRating(chatID, t)
	case actDiscard:
		_ = b.ns.Delete(ctx, convKey(chatID, q.From.ID))
		b.answer(q, "Discarded")
	case actClose:
		b.confirmClose(ctx, q, ref)
	case actCloseOK:
		b.closeConfirmed(ctx, q, ref, arg)
	case actRate:
		b.rate(ctx, q, ref, arg)
	case actHelpful:
		b.helpful(ctx, q, ref)
	default:
		b.answer(q, "")
	}
}

// confirmClose asks before closing; the confirmation button carries a
// nonce so that a forwarded keyboard cannot close somebody else's ticket.
func (b *Bot) confirmClose(ctx context.Context, q *tgbotapi.CallbackQuery, ticketID string) {
	buf := make([]byte, 6)
	if _, err := rand.Read(buf); err != nil {
		b.answer(q, "Try again")
		return
	}
	nonce := hex.EncodeToString(buf)
	val := ticketID + ":" + strconv.FormatInt(q.From.ID, 10)
	if err := b.ns.PutTTL(ctx, "nonce:close:"+nonce, []byte(val), 5*time.Minute); err != nil {
		b.answer(q, "Try again")
		return
	}
	msg := tgbotapi.NewMessage(q.Message.Chat.ID, "Close this ticket?")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
		tgbotapi.NewInlineKeyboardButtonData("Yes, close", encodeCB(actCloseOK, ticketID, nonce)),
	))
	if _, err := b.api.Send(msg); err != nil {
		b.log.Warn("send confirm", "err", err)
	}
	b.answer(q, "")
}

func (b *Bot) closeConfirmed(ctx context.Context, q *tgbotapi.CallbackQuery, ticketID, nonce string) {
	key := "nonce:close:" + nonce
	raw, err := b.ns.Get(ctx, key)
	if err != nil {
		b.answer(q, "This button expired.")
		return
	}
	want := ticketID + ":" + strconv.FormatInt(q.From.ID, 10)
	if string(raw) != want {
		b.answer(q, "This button is not yours.")
		return
	}
	if err := b.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		b.answer(q, "Try again")
		return
	}
	if err := b.tickets.SetStatus(ctx, ticketID, tickets.StatusClosed); err != nil {
		b.answer(q, "Could not close the ticket.")
		return
	}
	b.answer(q, "Closed")
}

func (b *Bot) askRating(chatID int64, t *tickets.Ticket) {
	row := make([]tgbotapi.InlineKeyboardButton, 0, 5)
	for n := range 5 {
		s := strconv.Itoa(n + 1)
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(strings.Repeat("★", n+1), encodeCB(actRate, t.ID, s)))
	}
	msg := tgbotapi.NewMessage(chatID, "How was the first answer?")
	msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(row)
	if _, err := b.api.Send(msg); err != nil {
		b.log.Warn("send rating", "err", err)
	}
}

// rate records the customer's rating of a ticket.
func (b *Bot) rate(ctx context.Context, q *tgbotapi.CallbackQuery, ticketID, stars string) {
	n, err := strconv.Atoi(stars)
	if err != nil || n < 1 || n > 5 {
		b.answer(q, "")
		return
	}
	rec := fmt.Sprintf(`{"ticket":%q,"stars":%d,"by":%d,"at":%q}`, ticketID, n, q.From.ID, time.Now().UTC().Format(time.RFC3339))
	if err := b.ns.Put(ctx, "rating:"+ticketID, []byte(rec)); err != nil {
		b.answer(q, "Could not save the rating.")
		return
	}
	// The console's dashboard shows the most recent rating.
	if err := b.ns.Put(ctx, "dashboard:latest-rating", []byte(rec)); err != nil { // EXPECT kvhotkey
		b.log.Warn("latest rating", "err", err)
	}
	b.answer(q, "Thanks!")
}

// helpful counts 👍 presses on an FAQ answer.
func (b *Bot) helpful(ctx context.Context, q *tgbotapi.CallbackQuery, topic string) {
	key := "faq:helpful:" + topic
	count := 0
	raw, err := b.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		b.answer(q, "")
		return
	default:
		count, _ = strconv.Atoi(string(raw))
	}
	count++
	if err := b.ns.Put(ctx, key, []byte(strconv.Itoa(count))); err != nil { // EXPECT kvcounter|kvrace
		b.log.Warn("helpful", "err", err)
	}
	b.answer(q, "Glad it helped")
}
