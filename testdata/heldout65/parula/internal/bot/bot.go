// Package bot connects Parula to Slack over socket mode and hands each
// envelope to the command, event or interaction code that owns it.
package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/parula-labs/parula/internal/commands"
	"github.com/parula-labs/parula/internal/events"
	"github.com/parula-labs/parula/internal/install"
	"github.com/parula-labs/parula/internal/modals"
	"github.com/parula-labs/parula/internal/standup"
)

// Bot owns the socket-mode connection.
type Bot struct {
	client   *socketmode.Client
	handler  *socketmode.SocketmodeHandler
	commands map[string]commands.Command
	router   *events.Router
	modals   *modals.Handlers
	installs *install.Registry
	log      *slog.Logger
}

// New registers every handler with the socket-mode dispatcher.
func New(client *socketmode.Client, cmds map[string]commands.Command, router *events.Router, mh *modals.Handlers, installs *install.Registry, log *slog.Logger) *Bot {
	b := &Bot{
		client:   client,
		handler:  socketmode.NewSocketmodeHandler(client),
		commands: cmds,
		router:   router,
		modals:   mh,
		installs: installs,
		log:      log,
	}
	for name := range cmds {
		b.handler.HandleSlashCommand(name, b.onSlash)
	}
	b.handler.Handle(socketmode.EventTypeEventsAPI, b.onEventsAPI)
	b.handler.HandleViewSubmission(modals.CallbackStandupAnswer, b.onAnswerSubmitted)
	b.handler.HandleViewSubmission(modals.CallbackPollCreate, b.onPollCreate)
	b.handler.HandleViewClosed(modals.CallbackStandupAnswer, b.onModalClosed)
	b.handler.HandleInteractionBlockAction(modals.ActionDraftInput, b.onDraftInput)
	for i := range modals.MaxPollOptions {
		b.handler.HandleInteractionBlockAction(modals.ActionPollVote+"_"+strconv.Itoa(i), b.onPollVote)
	}
	b.handler.HandleShortcut(modals.ShortcutSaveSnippet, b.onSaveSnippet)
	return b
}

// Run blocks until ctx is done.
func (b *Bot) Run(ctx context.Context) error {
	return b.handler.RunEventLoopContext(ctx)
}

func (b *Bot) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

func (b *Bot) onSlash(evt *socketmode.Event, c *socketmode.Client) {
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	h, ok := b.commands[cmd.Command]
	if !ok {
		_ = c.Ack(*evt.Request, map[string]any{"text": "Unknown command."})
		return
	}
	msg, err := h.Run(ctx, cmd)
	if err != nil {
		b.log.Error("slash command", "command", cmd.Command, "team", cmd.TeamID, "err", err)
		msg = &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: "Something went wrong, please try again."}
	}
	_ = c.Ack(*evt.Request, msg)
}

func (b *Bot) onEventsAPI(evt *socketmode.Event, c *socketmode.Client) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return
	}
	c.Ack(*evt.Request)
	ctx, cancel := b.ctx()
	defer cancel()
	if err := b.router.Handle(ctx, ev); err != nil {
		b.log.Error("event", "type", ev.InnerEvent.Type, "team", ev.TeamID, "err", err)
	}
}

func (b *Bot) interaction(evt *socketmode.Event, c *socketmode.Client) (*slack.InteractionCallback, bool) {
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok {
		return nil, false
	}
	c.Ack(*evt.Request)
	return &cb, true
}

func (b *Bot) onDraftInput(evt *socketmode.Event, c *socketmode.Client) {
	cb, ok := b.interaction(evt, c)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	if err := b.modals.OnDraftInput(ctx, cb); err != nil {
		b.log.Warn("save draft", "view", cb.View.ID, "err", err)
	}
}

func (b *Bot) onAnswerSubmitted(evt *socketmode.Event, c *socketmode.Client) {
	cb, ok := b.interaction(evt, c)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	if err := b.modals.OnAnswerSubmitted(ctx, cb); err != nil {
		b.log.Error("standup answer", "team", cb.Team.ID, "err", err)
	}
}

func (b *Bot) onModalClosed(evt *socketmode.Event, c *socketmode.Client) {
	cb, ok := b.interaction(evt, c)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	_ = b.modals.OnModalClosed(ctx, cb)
}

func (b *Bot) onPollCreate(evt *socketmode.Event, c *socketmode.Client) {
	cb, ok := b.interaction(evt, c)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	p, err := b.modals.OnPollCreate(ctx, cb)
	if err != nil {
		b.log.Warn("poll create", "err", err)
		return
	}
	b.postPoll(ctx, cb.Team.ID, p, "")
}

func (b *Bot) onPollVote(evt *socketmode.Event, c *socketmode.Client) {
	cb, ok := b.interaction(evt, c)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	p, err := b.modals.OnPollVote(ctx, cb)
	if err != nil || p == nil {
		b.log.Warn("poll vote", "err", err)
		return
	}
	b.postPoll(ctx, cb.Team.ID, p, cb.Container.MessageTs)
}

func (b *Bot) onSaveSnippet(evt *socketmode.Event, c *socketmode.Client) {
	cb, ok := b.interaction(evt, c)
	if !ok {
		return
	}
	ctx, cancel := b.ctx()
	defer cancel()
	if err := b.modals.OnSaveSnippet(ctx, cb); err != nil {
		b.log.Warn("save snippet", "err", err)
	}
}

// postPoll posts p, or updates the message at ts when it is set.
func (b *Bot) postPoll(ctx context.Context, team string, p *modals.Poll, ts string) {
	api, err := b.For(ctx, team)
	if err != nil {
		b.log.Warn("client", "team", team, "err", err)
		return
	}
	counts := make([]int, len(p.Options))
	for _, v := range p.Votes {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(counts) {
			counts[i]++
		}
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*"+p.Question+"*", false, false), nil, nil),
	}
	var buttons []slack.BlockElement
	for i, opt := range p.Options {
		label := fmt.Sprintf("%s (%d)", opt, counts[i])
		buttons = append(buttons, slack.NewButtonBlockElement(modals.ActionPollVote+"_"+strconv.Itoa(i), p.ID+"|"+strconv.Itoa(i),
			slack.NewTextBlockObject(slack.PlainTextType, label, false, false)))
	}
	blocks = append(blocks, slack.NewActionBlock("poll_"+p.ID, buttons...))
	if ts == "" {
		_, _, err = api.PostMessageContext(ctx, p.Channel, slack.MsgOptionBlocks(blocks...))
	} else {
		_, _, _, err = api.UpdateMessageContext(ctx, p.Channel, ts, slack.MsgOptionBlocks(blocks...))
	}
	if err != nil {
		b.log.Warn("post poll", "err", err)
	}
}

// For returns a Slack client authorised for team. It implements events.Clients.
func (b *Bot) For(ctx context.Context, team string) (*slack.Client, error) {
	tok, err := b.installs.BotToken(ctx, team)
	if err != nil {
		return nil, err
	}
	return slack.New(tok), nil
}

// Nudge implements standup.Notifier.
func (b *Bot) Nudge(ctx context.Context, st *standup.Standup, user string) error {
	api, err := b.For(ctx, st.TeamID)
	if err != nil {
		return err
	}
	text := fmt.Sprintf("Time for *%s*! Click below to answer.", st.Slug)
	_, err = api.PostEphemeralContext(ctx, st.Channel, user, slack.MsgOptionText(text, false))
	return err
}

// PostDigest implements standup.Notifier.
func (b *Bot) PostDigest(ctx context.Context, st *standup.Standup, text string) error {
	api, err := b.For(ctx, st.TeamID)
	if err != nil {
		return err
	}
	_, _, err = api.PostMessageContext(ctx, st.Channel, slack.MsgOptionText(text, false))
	return err
}
